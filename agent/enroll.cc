#include "agent/enroll.h"

#include <boost/json.hpp>

#include "agent/config.h"
#include "agent/ddi/ddi_client.h"
#include "core/fs.h"
#include "core/http_client.h"
#include "core/json.h"

namespace posfleet::agent {

Status enroll(const std::string& config_path, const std::string& code) {
  auto text = read_file(config_path);
  if (!text) return text.error().with_context("config");
  auto v = json::parse(*text);
  if (!v || !v->is_object())
    return make_error(Code::kParse, "config " + config_path + " is not a JSON object");
  auto& o = v->as_object();
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

  auto tls = transport_options(o, config_path);
  if (!tls) return tls.error();
  CurlHttpClient http(server, {}, *tls);
  // The server is not trusted yet: its answer is read no further than a poll's.
  http.max_reply_bytes = DdiClient::kMaxReplyBytes;
  auto r = http.request(
      "POST", "/api/v1/public/enroll",
      json::serialize(boost::json::object{{"code", code}, {"serial", serial}, {"model", model}}));
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
  // The model stays what the terminal says it is: it guards against installing another model's
  // release.
  return write_file_atomic(config_path, json::serialize(o) + "\n", 0600);
}

}  // namespace posfleet::agent
