// posfleet server: the TLS side of the listener (OpenSSL through Boost.Asio).
//
// make_tls_context() reads a certificate chain, its private key and, when
// given, a CA whose client certificates are asked for, into a server context:
// TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE key exchange with AEAD ciphers
// (AES-GCM, ChaCha20-Poly1305); no compression, no renegotiation, no session
// resumption (each connection is verified afresh, so a certificate reloaded or
// revoked counts at the next connection). A client certificate is requested
// but never required (console users and token terminals have none); one that
// does not verify against the client CA does not fail the handshake: the
// connection goes on without it, and peer_certificate() says why.
//
// TlsConfig holds the context in force and replaces it on reload() (SIGHUP):
// new connections take the new one, open ones keep theirs. A reload whose
// files do not load keeps the old context.
// Thread-safety: TlsConfig::current() and reload() may be called from any thread.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/http/message.h"

typedef struct x509_st X509;
typedef struct ssl_st SSL;

namespace posfleet::http {

struct TlsFiles {
  std::string cert;  // PEM: the server certificate, then its intermediates
  std::string key;   // PEM: its private key
  // PEM files of CAs whose client certificates are accepted (--tls-client-ca,
  // the device CA); none: no client certificate is asked for.
  std::vector<std::string> client_cas;
};

using TlsContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// Errors: kInvalidArgument naming the file and what is wrong with it.
Expected<TlsContextPtr> make_tls_context(const TlsFiles& files);

// What a certificate says (subject CN, SHA-256 of its DER, serial, notAfter).
// Errors: kInvalidArgument when it has no usable subject CN (missing, not
// UTF-8, longer than 64 bytes, or with control characters).
Expected<PeerCertificate> describe_certificate(X509* cert);

// The verified client certificate of a connection after its handshake, or
// nullopt with `why` set when one was presented but not accepted (empty when
// none was presented).
std::optional<PeerCertificate> peer_certificate(SSL* ssl, std::string& why);

class TlsConfig {
 public:
  static Expected<std::shared_ptr<TlsConfig>> load(TlsFiles files);
  TlsContextPtr current() const;
  // Reads the files again; on failure keeps the context in force.
  Status reload();
  const TlsFiles& files() const { return files_; }

 private:
  TlsConfig(TlsFiles files, TlsContextPtr ctx) : files_(std::move(files)), ctx_(std::move(ctx)) {}
  TlsFiles files_;
  mutable std::mutex mu_;
  TlsContextPtr ctx_;
};

}  // namespace posfleet::http
