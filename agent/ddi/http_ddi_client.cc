#include "agent/ddi/http_ddi_client.h"

#include <boost/json.hpp>

#include <cstdio>
#include <limits>

#include "core/clock.h"
#include "core/json.h"
#include "core/root.h"
#include "core/text.h"

namespace posfleet::agent {

namespace bj = boost::json;

std::optional<int> parse_sleep(const std::string& text) {
  // Hours beyond what an int of seconds holds are refused: a server's "2147483647:00:00"
  // overflowed h * 3600 (found by fuzz/ddi_fuzz, regression seed sleep_hours_overflow.json).
  constexpr int kMaxHours = std::numeric_limits<int>::max() / 3600 - 1;
  int h = 0, m = 0, s = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d:%d:%d%c", &h, &m, &s, &extra) != 3 || h < 0 || h > kMaxHours ||
      m < 0 || m > 59 || s < 0 || s > 59)
    return std::nullopt;
  return h * 3600 + m * 60 + s;
}

namespace {
// "http://host:port" of a URL.
std::string origin_of(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  auto path = url.find('/', scheme + 3);
  return url.substr(0, path);
}
}  // namespace

HttpDdiClient::HttpDdiClient(const Config& c, std::unique_ptr<HttpClient> control,
                             std::unique_ptr<HttpClient> downloads, Clock& clock,
                             std::unique_ptr<HttpClient> elsewhere)
    : server_(c.server),
      base_path_("/" + c.tenant + "/controller/v1/" + c.terminal),
      http_(std::move(control)),
      downloads_(std::move(downloads)),
      elsewhere_(std::move(elsewhere)),
      last_download_(downloads_.get()),
      clock_(clock) {
  http_->max_reply_bytes = kMaxReplyBytes;
}

std::unique_ptr<HttpDdiClient> HttpDdiClient::over_curl(const Config& c, Clock& clock) {
  const std::vector<std::string> token{"Authorization: TargetToken " + c.token};
  // Another host gets no token and no client certificate; the CA bundle and the plain-HTTP
  // rule stay the same.
  TlsClientOptions anonymous = c.tls;
  anonymous.client_cert.clear();
  anonymous.client_key.clear();
  return std::make_unique<HttpDdiClient>(
      c, std::make_unique<CurlHttpClient>(c.server, token, c.tls),
      std::make_unique<CurlHttpClient>(c.server, token, c.tls), clock,
      std::make_unique<CurlHttpClient>(c.server, std::vector<std::string>{}, anonymous));
}

bool HttpDdiClient::on_server(const std::string& href) const {
  return href.find("://") == std::string::npos || origin_of(href) == origin_of(server_);
}

namespace {
std::string href_of(const bj::object& links, const char* name) {
  auto* l = links.if_contains(name);
  if (!l || !l->is_object()) return "";
  return json::string_or(l->get_object(), "href", "");
}

Expected<bj::object> json_reply(Expected<HttpResult> r, const std::string& what) {
  if (!r) return r.error();
  if (r->status != 200) return http_error(*r, what);
  auto v = json::parse(r->body);
  if (!v || !v->is_object())
    return make_error(Code::kServer, what + ": reply is not a JSON object");
  return std::move(v->get_object());
}
}  // namespace

Expected<PollResult> HttpDdiClient::poll(std::int64_t since) {
  std::string path = base_path_ + "?posfleet=1&since=" + std::to_string(since);
  if (!health_.empty()) path += "&health=" + text::percent_encode(health_);
  auto o = json_reply(http_->request("GET", path), "poll");
  if (!o) return o.error();
  health_.clear();
  PollResult p;
  if (auto* ext = o->if_contains("posfleet"); ext && ext->is_object())
    p.posfleet = ext->get_object();
  if (auto* cfg = o->if_contains("config"); cfg && cfg->is_object())
    if (auto* pol = cfg->get_object().if_contains("polling"); pol && pol->is_object())
      if (auto s = parse_sleep(json::string_or(pol->get_object(), "sleep", "")); s)
        p.sleep_seconds = *s;
  if (auto* links = o->if_contains("_links"); links && links->is_object()) {
    p.deployment_href = href_of(links->get_object(), "deploymentBase");
    p.cancel_href = href_of(links->get_object(), "cancelAction");
    p.wants_config_data = !href_of(links->get_object(), "configData").empty();
    for (auto* href : {&p.deployment_href, &p.cancel_href})
      if (!href->empty() && origin_of(*href) != origin_of(server_))
        return make_error(Code::kServer,
                          "the server links to another host (" + origin_of(*href) + "); refused");
  }
  return p;
}

Expected<Deployment> HttpDdiClient::deployment(const std::string& href) {
  auto o = json_reply(http_->request("GET", href), "deploymentBase");
  if (!o) return o.error();
  Deployment d;
  try {
    d.action_id = std::stoll(json::string_or(*o, "id", "0"));
  } catch (const std::exception&) {
  }
  if (d.action_id <= 0) return make_error(Code::kServer, "deploymentBase: no action id");
  auto dep = json::get_object(*o, "deployment");
  if (!dep) return dep.error();
  auto chunks = json::get_array(**dep, "chunks");
  if (!chunks) return chunks.error();
  for (const auto& ch : **chunks) {
    if (!ch.is_object()) continue;
    const auto& co = ch.get_object();
    auto arts = json::get_array(co, "artifacts");
    if (!arts) continue;
    for (const auto& a : **arts) {
      if (!a.is_object()) continue;
      const auto& ao = a.get_object();
      ArtifactLink l{json::string_or(co, "part", ""), json::string_or(ao, "filename", ""), "", 0};
      if (auto* links = ao.if_contains("_links"); links && links->is_object()) {
        l.href = href_of(links->get_object(), "download-http");
        if (l.href.empty()) l.href = href_of(links->get_object(), "download");
      }
      if (auto size = json::get_int(ao, "size"); size) l.size = static_cast<std::uint64_t>(*size);
      d.artifacts.push_back(std::move(l));
    }
  }
  if (auto* ext = o->if_contains("posfleet"); ext && ext->is_object()) {
    if (auto* m = ext->get_object().if_contains("manifest"); m && m->is_object())
      d.manifest_text = json::serialize(*m);
    // Patches offered for this terminal; only what the signed manifest also lists is used.
    if (auto deltas = json::get_array(ext->get_object(), "deltas"); deltas)
      for (const auto& e : **deltas) {
        if (!e.is_object() || d.deltas.size() == kMaxOfferedDeltas) continue;
        const auto& eo = e.get_object();
        ArtifactLink l{json::string_or(eo, "part", ""), json::string_or(eo, "filename", ""), "", 0};
        if (auto* links = eo.if_contains("_links"); links && links->is_object())
          l.href = href_of(links->get_object(), "download-http");
        if (auto size = json::get_int(eo, "size"); size && *size > 0)
          l.size = static_cast<std::uint64_t>(*size);
        if (!l.href.empty()) d.deltas.push_back(std::move(l));
      }
  }
  // The terminal's token goes with every request to the configured server; an artifact on
  // another host is fetched without it, and only when this client may (`elsewhere`).
  for (const auto* list : {&d.artifacts, &d.deltas})
    for (const auto& a : *list)
      if (!a.href.empty() && !on_server(a.href) && !elsewhere_)
        return make_error(Code::kServer, "deployment links to another server (" +
                                             origin_of(a.href) + "); refused");
  return d;
}

Expected<std::int64_t> HttpDdiClient::cancel_action(const std::string& href) {
  auto o = json_reply(http_->request("GET", href), "cancelAction");
  if (!o) return o.error();
  auto ca = json::get_object(*o, "cancelAction");
  if (!ca) return ca.error();
  try {
    return std::stoll(json::string_or(**ca, "stopId", "0"));
  } catch (const std::exception&) {
    return make_error(Code::kServer, "cancelAction: stopId is not a number");
  }
}

Status HttpDdiClient::post(const std::string& path, const FeedbackMessage& m, std::int64_t id) {
  bj::array details;
  for (const auto& d : m.details) details.push_back(bj::string(d));
  bj::object result{{"finished", m.result}};
  if (m.progress_of > 0)
    result["progress"] = bj::object{{"cnt", m.progress_cnt}, {"of", m.progress_of}};
  bj::object status{
      {"execution", m.execution}, {"result", std::move(result)}, {"details", details}};
  if (m.code) status["code"] = m.code;
  bj::object body{
      {"id", std::to_string(id)}, {"time", format_utc(clock_.now())}, {"status", status}};
  auto r = http_->request("POST", path, json::serialize(body));
  if (!r) return r.error();
  if (r->status == 410)
    return make_error(Code::kConflict, "server says the action has already ended");
  if (r->status != 200) return http_error(*r, "feedback");
  return ok_status();
}

Status HttpDdiClient::feedback(std::int64_t action_id, const FeedbackMessage& m) {
  return post(base_path_ + "/deploymentBase/" + std::to_string(action_id) + "/feedback", m,
              action_id);
}

Status HttpDdiClient::cancel_feedback(std::int64_t action_id, const FeedbackMessage& m) {
  return post(base_path_ + "/cancelAction/" + std::to_string(action_id) + "/feedback", m,
              action_id);
}

Expected<bj::object> HttpDdiClient::put_policy(const std::string& mode, std::int64_t base_revision,
                                               bool reset) {
  bj::object body{{"mode", mode}, {"base_revision", base_revision}};
  if (reset) body["reset"] = true;
  return json_reply(http_->request("PUT", base_path_ + "/posfleet/policy", json::serialize(body)),
                    "policy change");
}

Expected<bj::object> HttpDdiClient::parameters(const std::string& app) {
  return json_reply(http_->request("GET", base_path_ + "/posfleet/parameters/" + app),
                    "parameters of " + app);
}

Status HttpDdiClient::parameters_applied(const std::string& app, const std::string& version) {
  auto r = http_->request("PUT", base_path_ + "/posfleet/parameters/" + app + "/applied",
                          json::serialize(bj::object{{"version", version}}));
  if (!r) return r.error();
  if (r->status != 204 && r->status != 200)
    return http_error(*r, "parameters of " + app + " applied");
  return ok_status();
}

Status HttpDdiClient::lock_report(std::int64_t lock_id, const std::string& how) {
  auto r = http_->request("PUT", base_path_ + "/posfleet/lock/" + std::to_string(lock_id),
                          json::serialize(bj::object{{"how", how}}));
  if (!r) return r.error();
  if (r->status != 204 && r->status != 200) return http_error(*r, "unlock report");
  return ok_status();
}

Status HttpDdiClient::action_report(std::int64_t id, bool done, const std::string& detail) {
  auto r = http_->request(
      "PUT", base_path_ + "/posfleet/actions/" + std::to_string(id),
      json::serialize(bj::object{{"state", done ? "done" : "failed"}, {"detail", detail}}));
  if (!r) return r.error();
  if (r->status != 204 && r->status != 200) return http_error(*r, "action report");
  return ok_status();
}

Status HttpDdiClient::upload_bundle(std::int64_t id, const std::string& bundle) {
  auto r =
      http_->request("POST", base_path_ + "/posfleet/actions/" + std::to_string(id) + "/bundle",
                     json::serialize(bj::object{{"bundle", bundle}}));
  if (!r) return r.error();
  if (r->status != 204 && r->status != 200) return http_error(*r, "log bundle");
  return ok_status();
}

Expected<std::string> HttpDdiClient::root(std::int64_t version) {
  auto r = http_->request("GET", base_path_ + "/roots/" + std::to_string(version));
  if (!r) return r.error();
  if (r->status != 200) return http_error(*r, "root " + std::to_string(version));
  if (r->body.size() > Root::kMaxRootBytes)
    return make_error(Code::kTooLarge, "root " + std::to_string(version) + " is too large");
  return std::move(r->body);
}

Expected<std::int64_t> HttpDdiClient::post_ticket(const std::string& message,
                                                  const std::string& version) {
  auto r = http_->request("POST", base_path_ + "/posfleet/tickets",
                          json::serialize(bj::object{{"message", message}, {"version", version}}));
  // A refusal that sending again cannot change (400, 404, 409, 413, 422, …)
  // is kInvalidArgument; 401/403 (the token) and 408 may pass, so they stay retryable.
  if (r && r->status >= 400 && r->status < 500 && r->status != 429 && r->status != 401 &&
      r->status != 403 && r->status != 408)
    return make_error(Code::kInvalidArgument, http_error(*r, "support ticket").message);
  // Only 429 is the ticket quota; a 503 (the server shedding load) is tried at the next poll.
  if (r && r->status == 503)
    return make_error(Code::kServer, http_error(*r, "support ticket").message);
  auto o = json_reply(std::move(r), "support ticket");
  if (!o) return o.error();
  auto id = json::get_int(*o, "ticket_id");
  if (!id) return id.error();
  return *id;
}

Status HttpDdiClient::confirmation(std::int64_t action_id, bool confirmed,
                                   const std::vector<std::string>& details) {
  bj::array lines;
  for (const auto& d : details) lines.push_back(bj::string(d));
  bj::object body{
      {"confirmation", confirmed ? "confirmed" : "denied"}, {"code", 0}, {"details", lines}};
  auto r = http_->request(
      "POST", base_path_ + "/confirmationBase/" + std::to_string(action_id) + "/feedback",
      json::serialize(body));
  if (!r) return r.error();
  if (r->status != 200) return http_error(*r, "confirmation");
  return ok_status();
}

Status HttpDdiClient::config_data(
    const std::vector<std::pair<std::string, std::string>>& attributes) {
  bj::object data;
  for (const auto& [k, v] : attributes) data[k] = v;
  bj::object body{{"mode", "merge"}, {"data", data}};
  auto r = http_->request("PUT", base_path_ + "/configData", json::serialize(body));
  if (!r) return r.error();
  if (r->status != 200) return http_error(*r, "configData");
  return ok_status();
}

}  // namespace posfleet::agent
