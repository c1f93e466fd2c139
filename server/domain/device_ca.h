// posfleet server: the device CA, which signs terminals' certificates.
//
// posfleetd creates it at first start in its data directory (device-ca.crt,
// device-ca.key with mode 0600: an EC P-256 key and a self-signed CA
// certificate valid for 20 years), or loads the pair given with
// --device-ca-cert/--device-ca-key. The listener asks TLS clients for a
// certificate issued by it (as --tls-client-ca does), and a certificate a
// trusted proxy forwards is verified against it here.
//
// A terminal's certificate: subject CN = its serial (whatever the CSR says),
// a random 128-bit serial number, valid from five minutes ago for the
// configured number of days, basicConstraints CA:FALSE, keyUsage
// digitalSignature, extendedKeyUsage clientAuth, signed with ECDSA-SHA256.
// The CSR must be PEM, at most kMaxCsrBytes, carry a valid self-signature
// (proof that the terminal holds the private key) and an EC P-256 or Ed25519
// public key; anything else is refused with kCertificateInvalid.
// Thread-safety: a DeviceCa is immutable after load; every method may be called
// from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace posfleet::domain {

inline constexpr std::size_t kMaxCsrBytes = 8 * 1024;
inline constexpr std::size_t kMaxCertBytes = 16 * 1024;

// What identifies a certificate (the same facts as http::PeerCertificate).
struct CertificateFacts {
  std::string subject_cn;
  std::string sha256;                          // of the DER certificate, lower-case hex
  std::string serial_hex;                      // upper-case hex
  std::int64_t not_before = 0, not_after = 0;  // unix seconds
};

struct IssuedCertificate {
  std::string pem;
  CertificateFacts facts;
};

class DeviceCa {
 public:
  ~DeviceCa();
  DeviceCa(const DeviceCa&) = delete;
  DeviceCa& operator=(const DeviceCa&) = delete;

  // <dir>/device-ca.crt and <dir>/device-ca.key: loaded if both exist, created
  // if neither does; one without the other is an error (restore the other).
  static Expected<std::unique_ptr<DeviceCa>> open_in(const std::string& dir);
  // A CA made elsewhere (PEM files); the key must match the certificate, which
  // must be a CA certificate.
  static Expected<std::unique_ptr<DeviceCa>> load(const std::string& cert_file,
                                                  const std::string& key_file);

  // Signs `csr_pem` for terminal `serial`, valid for `days` from `now`.
  Expected<IssuedCertificate> sign(const std::string& csr_pem, const std::string& serial, int days,
                                   std::int64_t now) const;

  // A PEM certificate (e.g. forwarded by a proxy): parsed, its signature and
  // validity at `now` checked against this CA, extended key usage clientAuth.
  // kCertificateInvalid with the reason otherwise.
  Expected<CertificateFacts> verify(const std::string& cert_pem, std::int64_t now) const;

  const std::string& cert_pem() const { return cert_pem_; }
  const std::string& cert_file() const { return cert_file_; }

 private:
  struct Keys;
  DeviceCa(std::unique_ptr<Keys> keys, std::string cert_pem, std::string cert_file);
  std::unique_ptr<Keys> keys_;
  std::string cert_pem_, cert_file_;
};

// Facts of a PEM certificate, without checking who signed it (tests, display).
Expected<CertificateFacts> certificate_facts(const std::string& cert_pem);

}  // namespace posfleet::domain
