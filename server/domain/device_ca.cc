#include "server/domain/device_ca.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>

#include "core/fs.h"
#include "core/hashing.h"
#include "core/openssl_ptr.h"

namespace posfleet::domain {

namespace {

using ossl::bio_text;
using ossl::Bn;
using ossl::Cert;
using ossl::mem_bio;
using ossl::Pkey;
using ossl::Req;
using Store = std::unique_ptr<X509_STORE, ossl::Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtx =
    std::unique_ptr<X509_STORE_CTX, ossl::Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

Error invalid(const std::string& why) { return make_error(Code::kCertificateInvalid, why); }

std::string cert_to_pem(X509* c) {
  ossl::Bio b(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(b.get(), c);
  return bio_text(b.get());
}

// Unix seconds of an ASN1_TIME.
std::int64_t unix_of(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x01;  // and of full length
  Bn bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

Expected<CertificateFacts> facts_of(X509* c) {
  CertificateFacts f;
  char cn[256] = {0};
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn, sizeof cn);
  if (n > 0) f.subject_cn.assign(cn, static_cast<std::size_t>(n));
  unsigned char* der = nullptr;
  const int len = i2d_X509(c, &der);
  if (len <= 0) return invalid("the certificate cannot be encoded");
  f.sha256 = sha256_hex(std::string_view(reinterpret_cast<const char*>(der), len));
  OPENSSL_free(der);
  Bn bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), nullptr));
  if (bn) {
    char* hex = BN_bn2hex(bn.get());
    if (hex) f.serial_hex = hex;
    OPENSSL_free(hex);
  }
  f.not_before = unix_of(X509_get0_notBefore(c));
  f.not_after = unix_of(X509_get0_notAfter(c));
  return f;
}

Expected<Cert> parse_cert(const std::string& pem) {
  if (pem.size() > kMaxCertBytes) return invalid("the certificate is larger than 16 KiB");
  auto b = mem_bio(pem);
  Cert c(PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr));
  if (!c) return invalid("not a PEM certificate");
  return c;
}

Status write_pem(const std::string& path, const std::string& text, int mode) {
  return write_file_atomic(path, text, mode);
}

}  // namespace

struct DeviceCa::Keys {
  Pkey key;
  Cert cert;
};

DeviceCa::DeviceCa(std::unique_ptr<Keys> keys, std::string cert_pem, std::string cert_file)
    : keys_(std::move(keys)), cert_pem_(std::move(cert_pem)), cert_file_(std::move(cert_file)) {}
DeviceCa::~DeviceCa() = default;

Expected<std::unique_ptr<DeviceCa>> DeviceCa::load(const std::string& cert_file,
                                                   const std::string& key_file) {
  auto cert_text = read_file(cert_file);
  if (!cert_text) return cert_text.error().with_context(cert_file);
  auto key_text = read_file(key_file);
  if (!key_text) return key_text.error().with_context(key_file);
  auto cert = parse_cert(*cert_text);
  if (!cert) return cert.error().with_context(cert_file);
  auto kb = mem_bio(*key_text);
  Pkey key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
  if (!key) return invalid("not a PEM private key (unencrypted): " + key_file);
  if (X509_check_private_key(cert->get(), key.get()) != 1)
    return invalid("the device CA key does not belong to the certificate " + cert_file);
  if (X509_check_ca(cert->get()) == 0)
    return invalid(cert_file + " is not a CA certificate (basicConstraints CA:TRUE)");
  auto keys = std::make_unique<Keys>(Keys{std::move(key), std::move(*cert)});
  return std::unique_ptr<DeviceCa>(new DeviceCa(std::move(keys), *cert_text, cert_file));
}

Expected<std::unique_ptr<DeviceCa>> DeviceCa::open_in(const std::string& dir) {
  const std::string cert_file = dir + "/device-ca.crt", key_file = dir + "/device-ca.key";
  const bool has_cert = std::filesystem::exists(cert_file),
             has_key = std::filesystem::exists(key_file);
  if (has_cert && has_key) return load(cert_file, key_file);
  if (has_cert || has_key)
    return make_error(Code::kNotFound,
                      (has_cert ? key_file : cert_file) +
                          " is missing but its pair is there; restore it from your backup "
                          "(terminals' certificates were issued by this CA)");
  Pkey key(EVP_EC_gen("P-256"));
  Cert cert(X509_new());
  if (!key || !cert) return make_error(Code::kInternal, "cannot create the device CA key");
  X509_set_version(cert.get(), 2);
  if (!random_serial(cert.get())) return make_error(Code::kInternal, "no random serial");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 20L * 365 * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("posfleet"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("posfleet device CA"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  if (!add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash") ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
    return make_error(Code::kInternal, "cannot sign the device CA certificate");
  ossl::Bio kb(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  // The key first: a certificate without its key is the state open_in refuses.
  if (auto s = write_pem(key_file, bio_text(kb.get()), 0600); !s) return s.error();
  if (auto s = write_pem(cert_file, cert_to_pem(cert.get()), 0644); !s) return s.error();
  return load(cert_file, key_file);
}

Expected<IssuedCertificate> DeviceCa::sign(const std::string& csr_pem, const std::string& serial,
                                           int days, std::int64_t now) const {
  if (csr_pem.size() > kMaxCsrBytes) return invalid("the CSR is larger than 8 KiB");
  auto b = mem_bio(csr_pem);
  Req req(PEM_read_bio_X509_REQ(b.get(), nullptr, nullptr, nullptr));
  if (!req) return invalid("send the CSR as PEM (-----BEGIN CERTIFICATE REQUEST-----)");
  EVP_PKEY* pub = X509_REQ_get0_pubkey(req.get());
  if (!pub) return invalid("the CSR has no public key");
  const int type = EVP_PKEY_get_base_id(pub);
  if (type == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pub, "group", group, sizeof group, &len) != 1 ||
        std::string(group) != "prime256v1")
      return invalid("the CSR's EC key must be on curve P-256");
  } else if (type != EVP_PKEY_ED25519) {
    return invalid("the CSR's key must be EC P-256 or Ed25519");
  }
  if (X509_REQ_verify(req.get(), pub) != 1)
    return invalid("the CSR's signature does not verify: it must be signed with its own key");
  if (days < 1 || days > 3650) return invalid("a certificate's validity must be 1-3650 days");
  Cert cert(X509_new());
  if (!cert) return make_error(Code::kInternal, "out of memory");
  X509_set_version(cert.get(), 2);
  if (!random_serial(cert.get())) return make_error(Code::kInternal, "no random serial");
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(now - 300));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(now + days * 86400LL));
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(serial.data()),
                                 static_cast<int>(serial.size()), -1, 0) != 1)
    return invalid("the serial cannot be a certificate's name");
  X509_set_issuer_name(cert.get(), X509_get_subject_name(keys_->cert.get()));
  X509_set_pubkey(cert.get(), pub);
  if (!add_ext(cert.get(), keys_->cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_ext(cert.get(), keys_->cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_ext(cert.get(), keys_->cert.get(), NID_ext_key_usage, "clientAuth") ||
      !add_ext(cert.get(), keys_->cert.get(), NID_authority_key_identifier, "keyid:always") ||
      X509_sign(cert.get(), keys_->key.get(), EVP_sha256()) <= 0)
    return make_error(Code::kInternal, "cannot sign the terminal's certificate");
  auto facts = facts_of(cert.get());
  if (!facts) return facts.error();
  return IssuedCertificate{cert_to_pem(cert.get()), std::move(*facts)};
}

Expected<CertificateFacts> DeviceCa::verify(const std::string& cert_pem, std::int64_t now) const {
  auto cert = parse_cert(cert_pem);
  if (!cert) return cert.error();
  Store store(X509_STORE_new());
  StoreCtx sctx(X509_STORE_CTX_new());
  if (!store || !sctx || X509_STORE_add_cert(store.get(), keys_->cert.get()) != 1 ||
      X509_STORE_CTX_init(sctx.get(), store.get(), cert->get(), nullptr) != 1)
    return make_error(Code::kInternal, "cannot set up certificate verification");
  X509_STORE_CTX_set_purpose(sctx.get(), X509_PURPOSE_SSL_CLIENT);
  X509_STORE_CTX_set_time(sctx.get(), 0, static_cast<time_t>(now));
  if (X509_verify_cert(sctx.get()) != 1)
    return invalid(std::string("the client certificate is not valid: ") +
                   X509_verify_cert_error_string(X509_STORE_CTX_get_error(sctx.get())));
  return facts_of(cert->get());
}

Expected<CertificateFacts> certificate_facts(const std::string& cert_pem) {
  auto cert = parse_cert(cert_pem);
  if (!cert) return cert.error();
  return facts_of(cert->get());
}

}  // namespace posfleet::domain
