#include "agent/device_identity.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json.hpp>

#include <filesystem>

#include "agent/config.h"
#include "agent/ddi/ddi_client.h"
#include "core/fs.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/openssl_ptr.h"

namespace posfleet::agent {

namespace {

using ossl::Bio;
using ossl::bio_text;
using ossl::Cert;
using ossl::mem_bio;
using ossl::Pkey;
using ossl::Req;

Error bad_answer(const std::string& why) {
  return make_error(Code::kServer,
                    "the server's certificate answer " + why + "; try again later or call support");
}

}  // namespace

Expected<DeviceKey> DeviceKey::generate(const std::string& serial) {
  Pkey key(EVP_EC_gen("P-256"));
  Req req(X509_REQ_new());
  if (!key || !req) return make_error(Code::kInternal, "cannot create the terminal's key pair");
  X509_REQ_set_version(req.get(), 0);
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(serial.data()),
                             static_cast<int>(serial.size()), -1, 0);
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0)
    return make_error(Code::kInternal, "cannot sign the certificate request");
  DeviceKey out;
  Bio rb(BIO_new(BIO_s_mem())), kb(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(rb.get(), req.get());
  PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  out.csr_pem_ = bio_text(rb.get());
  out.key_pem_ = bio_text(kb.get());
  return out;
}

Status DeviceKey::install(const std::string& device_dir, const std::string& serial,
                          const std::string& cert_pem, const std::string& device_ca_pem,
                          boost::json::object& config) const {
  if (cert_pem.size() > 16 * 1024 || device_ca_pem.size() > 16 * 1024)
    return bad_answer("is too large");
  auto cb = mem_bio(cert_pem);
  Cert cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
  auto ab = mem_bio(device_ca_pem);
  Cert ca(PEM_read_bio_X509(ab.get(), nullptr, nullptr, nullptr));
  auto kb = mem_bio(key_pem_);
  Pkey key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
  if (!cert || !ca || !key) return bad_answer("holds no PEM certificate");
  if (X509_check_private_key(cert.get(), key.get()) != 1)
    return bad_answer("is for another key than this terminal's");
  char cn[128] = {0};
  const int n =
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  if (n <= 0 || std::string(cn, static_cast<std::size_t>(n)) != serial)
    return bad_answer("names another terminal");
  EVP_PKEY* ca_key = X509_get0_pubkey(ca.get());
  if (!ca_key || X509_verify(cert.get(), ca_key) != 1)
    return bad_answer("is not signed by the device CA it names");
  if (auto s = make_dirs(device_dir); !s) return s;
  const auto abs = std::filesystem::absolute(device_dir);
  const std::string key_file = (abs / "client.key").string(),
                    cert_file = (abs / "client.crt").string(),
                    ca_file = (abs / "device-ca.crt").string();
  if (auto s = write_file_atomic(key_file, key_pem_, 0600); !s) return s;
  if (auto s = write_file_atomic(cert_file, cert_pem, 0644); !s) return s;
  if (auto s = write_file_atomic(ca_file, device_ca_pem, 0644); !s) return s;
  config["client_cert"] = cert_file;
  config["client_key"] = key_file;
  return ok_status();
}

Expected<boost::json::object> read_config_object(const std::string& config_path) {
  auto text = read_file(config_path);
  if (!text) return text.error().with_context("config");
  auto v = json::parse(*text);
  if (!v || !v->is_object())
    return make_error(Code::kParse, "config " + config_path + " is not a JSON object");
  return std::move(v->as_object());
}

std::string device_dir_of(const std::string& config_path, const boost::json::object& config) {
  const std::string dir = json::string_or(config, "device_dir", "device");
  const auto base = std::filesystem::path(config_path).parent_path();
  return std::filesystem::path(dir).is_absolute() || base.empty() ? dir : (base / dir).string();
}

Status request_certificate(const std::string& config_path) {
  auto v = read_config_object(config_path);
  if (!v) return v.error();
  auto& o = *v;
  const auto server = json::string_or(o, "server", ""), serial = json::string_or(o, "terminal", "");
  const auto token = json::string_or(o, "token", ""),
             tenant = json::string_or(o, "tenant", "DEFAULT");
  if (server.empty() || serial.empty() || token.empty())
    return make_error(
        Code::kInvalidArgument,
        "config " + config_path +
            " needs \"server\", \"terminal\" and \"token\": enrol the terminal first");
  auto key = DeviceKey::generate(serial);
  if (!key) return key.error();
  auto tls = transport_options(o, config_path);
  if (!tls) return tls.error();
  CurlHttpClient http(server, {"Authorization: TargetToken " + token}, *tls);
  http.max_reply_bytes = DdiClient::kMaxReplyBytes;
  auto r = http.request("POST", "/" + tenant + "/controller/v1/" + serial + "/posfleet/certificate",
                        json::serialize(boost::json::object{{"csr", key->csr_pem()}}));
  if (!r)
    return r.error().with_context("cannot reach " + server + "; check the network and try again");
  auto answer = json::parse(r->body);
  if (r->status != 201 || !answer || !answer->is_object()) {
    std::string why =
        "the server refused to issue a certificate (HTTP " + std::to_string(r->status) + ")";
    if (answer && answer->is_object())
      if (auto* e = answer->as_object().if_contains("error"); e && e->is_object())
        why = json::string_or(e->as_object(), "message", why);
    return make_error(r->status == 401 ? Code::kUnauthorized : Code::kServer, why);
  }
  if (auto s = key->install(device_dir_of(config_path, o), serial,
                            json::string_or(answer->as_object(), "certificate", ""),
                            json::string_or(answer->as_object(), "device_ca", ""), o);
      !s)
    return s;
  return write_file_atomic(config_path, json::serialize(o) + "\n", 0600);
}

}  // namespace posfleet::agent
