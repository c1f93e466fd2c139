#include "server/http/tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <ctime>

#include "core/text.h"

namespace posfleet::http {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites: ECDHE only (forward secrecy), AEAD only. TLS 1.3's own
// suites are all AEAD with (EC)DHE; OpenSSL's default list is kept.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:P-256:P-384";

// The first error on OpenSSL's queue as text (and the queue cleared).
std::string openssl_error() {
  unsigned long e = ERR_get_error();
  std::string out;
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    const char* reason = ERR_reason_error_string(e);
    out = reason ? reason : buf;
  }
  ERR_clear_error();
  return out.empty() ? "unknown OpenSSL error" : out;
}

Error bad_file(const std::string& what, const std::string& file, const std::string& why) {
  return make_error(Code::kInvalidArgument, what + " " + file + " cannot be used: " + why);
}

// Accepts every presented chain during the handshake: the result is read
// afterwards (SSL_get_verify_result), so that a client with a bad
// certificate is served as one without (it may still use a token).
int accept_and_record(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

std::string hex(const unsigned char* p, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

}  // namespace

Expected<TlsContextPtr> make_tls_context(const TlsFiles& files) {
  ERR_clear_error();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* c = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1 || SSL_CTX_set1_groups_list(c, kGroups) != 1)
    return make_error(Code::kInternal,
                      "this OpenSSL cannot be set to TLS 1.2/1.3 with ECDHE and AEAD ciphers: " +
                          openssl_error());
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                             SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET |
                             SSL_OP_SINGLE_ECDH_USE);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(c, 0);

  if (SSL_CTX_use_certificate_chain_file(c, files.cert.c_str()) != 1)
    return bad_file("--tls-cert", files.cert,
                    openssl_error() + " (it must be a readable PEM certificate chain)");
  struct stat st {};
  if (::stat(files.key.c_str(), &st) != 0)
    return bad_file("--tls-key", files.key, "it does not exist or is not readable");
  if (st.st_mode & 0077)
    spdlog::warn("the TLS private key {} can be read by other users (mode {:o}); chmod 600 it",
                 files.key, st.st_mode & 0777);
  if (SSL_CTX_use_PrivateKey_file(c, files.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string why = openssl_error();
    if (why.find("mismatch") != std::string::npos)
      return bad_file("--tls-key", files.key,
                      "it is not the key of the certificate in " + files.cert + " (" + why + ")");
    return bad_file("--tls-key", files.key,
                    why + " (it must be a readable, unencrypted PEM private key)");
  }
  if (SSL_CTX_check_private_key(c) != 1)
    return bad_file(
        "--tls-key", files.key,
        "it is not the key of the certificate in " + files.cert + " (" + openssl_error() + ")");
  if (!files.client_cas.empty()) {
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    if (!names) return make_error(Code::kInternal, "out of memory");
    for (const auto& ca : files.client_cas) {
      if (SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr) != 1 ||
          SSL_add_file_cert_subjects_to_stack(names, ca.c_str()) != 1) {
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        return bad_file("client CA", ca,
                        openssl_error() + " (it must be a readable PEM file of CA certificates)");
      }
    }
    SSL_CTX_set_client_CA_list(c, names);  // told to clients: the issuers we accept
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, accept_and_record);
    SSL_CTX_set_verify_depth(c, 4);
  } else {
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
  }
  return ctx;
}

Expected<PeerCertificate> describe_certificate(X509* cert) {
  PeerCertificate out;
  X509_NAME* subject = X509_get_subject_name(cert);
  const int at = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
  if (at < 0) return make_error(Code::kInvalidArgument, "the certificate has no subject CN");
  if (X509_NAME_get_index_by_NID(subject, NID_commonName, at) >= 0)
    return make_error(Code::kInvalidArgument, "the certificate has more than one subject CN");
  ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, cn);
  if (n < 0) return make_error(Code::kInvalidArgument, "the certificate's subject CN is not text");
  out.subject_cn.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  if (out.subject_cn.empty() || out.subject_cn.size() > 64 || !text::is_valid_utf8(out.subject_cn))
    return make_error(Code::kInvalidArgument,
                      "the certificate's subject CN is empty, longer than 64 bytes or not UTF-8");
  for (unsigned char ch : out.subject_cn)
    if (ch < 0x20 || ch == 0x7f)
      return make_error(Code::kInvalidArgument,
                        "the certificate's subject CN holds control characters");

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) != 1)
    return make_error(Code::kInternal, "cannot hash the certificate: " + openssl_error());
  out.sha256 = hex(md, md_len);

  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* serial = bn ? BN_bn2hex(bn) : nullptr;
  if (serial) out.serial_hex = serial;
  OPENSSL_free(serial);
  BN_free(bn);

  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) out.not_after = ::timegm(&tm);
  return out;
}

std::optional<PeerCertificate> peer_certificate(SSL* ssl, std::string& why) {
  why.clear();
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (!cert) return std::nullopt;
  const long result = SSL_get_verify_result(ssl);
  if (result != X509_V_OK) {
    why = X509_verify_cert_error_string(result);
    return std::nullopt;
  }
  auto described = describe_certificate(cert);
  if (!described) {
    why = described.error().message;
    return std::nullopt;
  }
  return *described;
}

Expected<std::shared_ptr<TlsConfig>> TlsConfig::load(TlsFiles files) {
  auto ctx = make_tls_context(files);
  if (!ctx) return ctx.error();
  return std::shared_ptr<TlsConfig>(new TlsConfig(std::move(files), std::move(*ctx)));
}

TlsContextPtr TlsConfig::current() const {
  std::lock_guard lock(mu_);
  return ctx_;
}

Status TlsConfig::reload() {
  auto ctx = make_tls_context(files_);
  if (!ctx) return ctx.error();
  std::lock_guard lock(mu_);
  ctx_ = std::move(*ctx);
  return ok_status();
}

}  // namespace posfleet::http
