#include "agent/enroll.h"

#include <boost/json.hpp>

#include "agent/config.h"
#include "agent/ddi/ddi_client.h"
#include "agent/device_identity.h"
#include "core/fs.h"
#include "core/http_client.h"
#include "core/json.h"

namespace posfleet::agent {

Status enroll(const std::string& config_path, const std::string& code) {
  auto v = read_config_object(config_path);
  if (!v) return v.error();
  auto& o = *v;
  const auto server = json::string_or(o, "server", ""), serial = json::string_or(o, "terminal", "");
  const auto model = json::string_or(o, "model", "");
  if (server.empty() || serial.empty() || model.empty())
    return make_error(Code::kInvalidArgument,
                      "config " + config_path +
                          " needs \"server\", \"terminal\" (this terminal's serial) and \"model\"");
  if (!json::string_or(o, "token", "").empty())
    return make_error(
        Code::kConflict,
        "terminal " + serial + " is already enrolled (its token is in " + config_path + ")");

  // The key pair stays here; only its CSR is sent (device_identity.h).
  auto key = DeviceKey::generate(serial);
  if (!key) return key.error();
  auto tls = transport_options(o, config_path);
  if (!tls) return tls.error();
  CurlHttpClient http(server, {}, *tls);
  // The server is not trusted yet: its answer is read no further than a poll's.
  http.max_reply_bytes = DdiClient::kMaxReplyBytes;
  auto r = http.request(
      "POST", "/api/v1/public/enroll",
      json::serialize(boost::json::object{
          {"code", code}, {"serial", serial}, {"model", model}, {"csr", key->csr_pem()}}));
  if (!r && r.error().code != Code::kNetwork)
    return r.error();  // TLS: its message says what to fix
  if (!r)
    return r.error().with_context("cannot reach " + server + "; check the network and try again");
  auto answer = json::parse(r->body);
  if (r->status != 200 || !answer || !answer->is_object()) {
    std::string why = "the server refused the activation code";
    if (answer && answer->is_object())
      if (auto* e = answer->as_object().if_contains("error"); e && e->is_object())
        why = json::string_or(e->as_object(), "message", why);
    return make_error(r->status == 404 || r->status == 409 || r->status == 410 ? Code::kUnauthorized
                                                                               : Code::kServer,
                      why);
  }
  o["token"] = json::string_or(answer->as_object(), "token", "");
  o["tenant"] = json::string_or(answer->as_object(), "tenant", "DEFAULT");
  if (const auto cert = json::string_or(answer->as_object(), "certificate", ""); !cert.empty())
    if (auto s = key->install(device_dir_of(config_path, o), serial, cert,
                              json::string_or(answer->as_object(), "device_ca", ""), o);
        !s)
      return s;
  // The model stays what the terminal says it is: it guards against installing another model's
  // release.
  return write_file_atomic(config_path, json::serialize(o) + "\n", 0600);
}

}  // namespace posfleet::agent
