// posfleet test support: a terminal's key pair and certificate signing
// request, made with OpenSSL as a terminal makes them, for the device CA and
// device identity tests. Thread-safety: stateless.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

namespace posfleet::testing {

// "P-256", "P-384", "ED25519" or "RSA"; a CSR with subject CN `cn` signed by
// its own key, as PEM ("" if OpenSSL failed). `tamper` changes the subject
// after signing, so the signature no longer verifies.
inline std::string make_csr(const std::string& key_type, const std::string& cn = "PF1",
                            bool tamper = false) {
  EVP_PKEY* key = nullptr;
  if (key_type == "ED25519")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  else if (key_type == "RSA")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  else
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", key_type.c_str());
  if (!key) return "";
  X509_REQ* req = X509_REQ_new();
  X509_REQ_set_version(req, 0);
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.data()),
                             static_cast<int>(cn.size()), -1, 0);
  X509_REQ_set_pubkey(req, key);
  const EVP_MD* md = key_type == "ED25519" ? nullptr : EVP_sha256();
  X509_REQ_sign(req, key, md);
  if (tamper)
    X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("evil"), -1, -1, 0);
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(b, req);
  char* p = nullptr;
  const long n = BIO_get_mem_data(b, &p);
  std::string out(p, static_cast<size_t>(n));
  BIO_free(b);
  X509_REQ_free(req);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace posfleet::testing
