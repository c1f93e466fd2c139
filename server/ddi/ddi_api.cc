#include "server/ddi/ddi_api.h"

#include <boost/json.hpp>

#include <cstdio>

#include "core/clock.h"
#include "core/hashing.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/api/api_common.h"
#include "server/api/device_identity_api.h"
#include "server/api/request_text.h"
#include "server/domain/audit.h"
#include "server/domain/deltas.h"
#include "server/domain/deployments.h"
#include "server/domain/device_certs.h"
#include "server/domain/health.h"
#include "server/domain/load.h"
#include "server/domain/notifications.h"
#include "server/domain/parameters.h"
#include "server/domain/policy.h"
#include "server/domain/releases.h"
#include "server/domain/roots.h"
#include "server/domain/support.h"
#include "server/domain/terminal_actions.h"
#include "server/domain/terminal_lock.h"
#include "server/domain/terminals.h"
#include "server/http/range.h"

namespace posfleet::ddi {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr const char* kBase = "/{tenant}/controller/v1/{controllerId}";

// HH:MM:SS, as hawkBit writes a polling interval (hours past 99 take more digits).
std::string sleep_text(int seconds) {
  auto two = [](std::string& out, int n) {
    out += static_cast<char>('0' + n / 10);
    out += static_cast<char>('0' + n % 10);
  };
  std::string out;
  const int hours = seconds / 3600;
  if (hours >= 100)
    out = std::to_string(hours);
  else
    two(out, hours);
  out += ':';
  two(out, (seconds / 60) % 60);
  out += ':';
  two(out, seconds % 60);
  return out;
}

// Links start with the configured external URL: a Host header is the client's to choose.
std::string controller_url(const domain::Context& ctx, const Request& req) {
  return ctx.external_url + "/" + req.param("tenant") + "/controller/v1/" +
         req.param("controllerId");
}

bj::object link(const std::string& href) { return bj::object{{"href", href}}; }

Expected<std::int64_t> id_param(const Request& req, const char* name) {
  try {
    size_t used = 0;
    auto v = std::stoll(req.param(name), &used);
    if (used == req.param(name).size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  return make_error(Code::kNotFound, std::string(name) + " must be a positive number");
}

// Wraps a handler that needs an authenticated terminal (what `Authenticate` returns: the
// terminal, or for a poll the terminal with its open deployment).
template <auto Authenticate = &domain::authenticate_terminal, typename F>
http::Handler authed(domain::Context& ctx, F f) {
  return [&ctx, f](Request& req) -> Response {
    const domain::AuditAddress where(api::client_address(ctx, req));  // on its audit entries
    if (auto s = api::check_request_text(req); !s) return http::error_from(s.error());
    auto cert = api::client_certificate(ctx, req);
    if (!cert) return http::error_from(cert.error());
    auto t = Authenticate(ctx, req.param("tenant"), req.param("controllerId"),
                          req.header("authorization"), cert->has_value() ? &**cert : nullptr);
    if (!t) return http::error_from(t.error());
    return f(req, *t);
  };
}

// posfleet's own agent asks for the extension with ?posfleet=1 (and
// &since=<last notification id>); stock clients get plain DDI.
bool posfleet_client(const Request& req) { return req.query_or("posfleet", "") == "1"; }

// The reply to the poll a fleet sends most: a stock client's, with nothing to do. Written
// straight, the same bytes json::serialize makes of the object poll() would build
// (ddi_api_test compares them), without building that object per request.
Response nothing_to_do(const domain::Context& ctx, const Request& req,
                       const store::TerminalRecord& t, int sleep) {
  Response r;
  r.body.reserve(160);
  r.body = R"({"config":{"polling":{"sleep":")";
  r.body += sleep_text(sleep);
  r.body += R"("}})";
  if (t.attributes_json == "{}") {
    r.body += R"(,"_links":{"configData":{"href":)";
    r.body += json::serialize(bj::string(controller_url(ctx, req) + "/configData"));
    r.body += "}}";
  }
  r.body += '}';
  return r;
}

Response poll(domain::Context& ctx, Request& req, const store::PollingTerminal& polled) {
  const store::TerminalRecord& t = polled.terminal;
  const bool extended = posfleet_client(req);
  std::int64_t since = 0;
  if (extended) {
    try {
      since = std::stoll(req.query_or("since", "0"));
    } catch (const std::exception&) {
    }
  }
  auto v = domain::poll_view(ctx, polled, extended, since);
  if (!v) return http::error_from(v.error());
  // Stretched while downloads are turned away (domain/load.h): atomics only.
  const int sleep = ctx.load ? ctx.load->poll_seconds(ctx.poll_seconds) : ctx.poll_seconds;
  if (!v->open && !extended) return nothing_to_do(ctx, req, t, sleep);
  bj::object links;
  const std::string base = controller_url(ctx, req);
  bj::value offer = nullptr, held = nullptr;
  if (v->open) {
    const auto& d = *v->open;
    const std::string id = std::to_string(d.id);
    if (d.status == store::DeploymentStatus::kCanceling) {
      links["cancelAction"] = link(base + "/cancelAction/" + id);
    } else if (!v->offer.visible) {
      // Held back by `never`: posfleet's agent is told it exists, so a merchant
      // who checks learns that one is waiting and that updates are off.
      held = bj::object{{"action_id", d.id},
                        {"version", v->release->version},
                        {"reason", to_string(v->offer.reason)}};
    } else {
      const auto& r = *v->release;
      links["deploymentBase"] =
          link(base + "/deploymentBase/" + id + "?c=" + std::to_string(d.updated));
      offer =
          bj::object{{"action_id", d.id},
                     {"version", r.version},
                     {"notes", bj::object{{"zh-CN", domain::release_note(r, "zh-CN")},
                                          {"en", domain::release_note(r, "en")}}},
                     {"security", r.security},
                     {"deadline", r.security_deadline ? bj::value(format_utc(r.security_deadline))
                                                      : bj::value(nullptr)},
                     {"forced", v->offer.forced}};
    }
  }
  if (t.attributes_json == "{}") links["configData"] = link(base + "/configData");
  bj::object body{{"config", bj::object{{"polling", bj::object{{"sleep", sleep_text(sleep)}}}}}};
  if (!links.empty()) body["_links"] = std::move(links);
  if (extended) {
    bj::array notes;
    for (const auto& n : v->notifications)
      notes.push_back(bj::object{{"id", n.id},
                                 {"kind", n.kind},
                                 {"time", format_utc(n.time)},
                                 {"text", bj::object{{"zh-CN", n.text_zh}, {"en", n.text_en}}}});
    body["posfleet"] = bj::object{{"policy", v->policy->to_json()},
                                  {"notifications", notes},
                                  {"offer", offer},
                                  {"held", held}};
    // Each app's parameter set by version: the agent fetches a set it has not applied.
    auto offers = domain::parameter_offers(ctx, t);
    if (!offers) return http::error_from(offers.error());
    bj::array params;
    for (const auto& p : *offers)
      params.push_back(bj::object{{"app", p.app},
                                  {"version", p.version},
                                  {"href", base + "/posfleet/parameters/" + p.app}});
    body["posfleet"].get_object()["parameters"] = std::move(params);
    // A lock in force, or lifted and not yet acknowledged (docs/terminal_lock.md).
    auto lock = domain::lock_notice(ctx, t);
    if (!lock) return http::error_from(lock.error());
    bj::value lock_json = nullptr;
    if (*lock) {
      auto check = json::parse((*lock)->check_json);
      lock_json = bj::object{{"id", (*lock)->id},
                             {"locked", (*lock)->locked},
                             {"reason", (*lock)->reason},
                             {"locked_at", format_utc((*lock)->locked_at)},
                             {"support_phone", ctx.support_phone},
                             {"check", check ? *check : bj::value(nullptr)}};
    }
    body["posfleet"].get_object()["lock"] = std::move(lock_json);
    auto actions = domain::pending_actions(ctx, t);
    if (!actions) return http::error_from(actions.error());
    bj::array asked;
    for (const auto& a : *actions) asked.push_back(bj::object{{"id", a.id}, {"kind", a.kind}});
    body["posfleet"].get_object()["actions"] = std::move(asked);
    // Its health, when it sent it with this poll (docs/health.md), and how often to send it.
    bj::object health{{"every", ctx.health_every_seconds}};
    if (auto sent = req.query.find("health"); sent != req.query.end())
      if (auto why = domain::receive_health(ctx, t, sent->second, unix_now()); !why.empty())
        health["refused"] = why;
    body["posfleet"].get_object()["health"] = std::move(health);
    // The newest root of trust: the agent walks to it (docs/formats/root.md).
    auto root = domain::latest_root_version(ctx);
    if (!root) return http::error_from(root.error());
    if (*root > 0) body["posfleet"].get_object()["root_version"] = *root;
  }
  return http::json_response(200, body);
}

// GET .../roots/{version}: one published root, exactly as stored. The version
// is 1 to 16 digits; anything else is refused before the store is asked.
Response get_root(domain::Context& ctx, Request& req, const store::TerminalRecord&) {
  const std::string v = req.param("version");
  if (v.empty() || v.size() > 16 || v.find_first_not_of("0123456789") != std::string::npos ||
      v[0] == '0')
    return http::error_from(
        make_error(Code::kInvalidArgument, "root version must be a positive integer"));
  auto r = domain::root_by_version(ctx, std::stoll(v));
  if (!r) return http::error_from(r.error());
  Response res = http::json_response(200, bj::object{});
  res.body = r->text;
  return res;
}

Response put_policy(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto v = json::parse_untrusted(req.body);
  if (!v || !v->is_object())
    return http::error_from(
        make_error(Code::kParse, "body must be {\"mode\":...,\"base_revision\":N}"));
  auto base = json::get_int(v->get_object(), "base_revision");
  const auto* reset = v->get_object().if_contains("reset");
  auto change = reset && *reset == true
                    ? domain::terminal_policy_reset(ctx, t)
                    : domain::terminal_policy_change(
                          ctx, t, json::string_or(v->get_object(), "mode", ""), base ? *base : 0);
  if (!change) return http::error_from(change.error());
  return http::json_response(
      200,
      bj::object{{"outcome", change->outcome},
                 {"message", bj::object{{"zh-CN", change->message_zh}, {"en", change->message_en}}},
                 {"policy", change->policy.to_json()}});
}

// GET .../posfleet/parameters/{app}: the terminal's effective set, sensitive values included
// (the terminal needs them; they travel only to it, over its authenticated link).
Response get_parameters(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto set = domain::effective_set(ctx, req.param("app"), t);
  if (!set) return http::error_from(set.error());
  bj::array fields;
  for (const auto& v : set->values) {
    const auto* f = set->schema.field(v.key);
    bj::object o{{"key", v.key},
                 {"type", domain::to_string(f->type)},
                 {"label", bj::object{{"zh-CN", f->label_zh}, {"en", f->label_en}}},
                 {"sensitive", v.sensitive},
                 {"locked", !v.locked_by.empty()}};
    if (!v.has_value)
      o["value"] = nullptr;
    else if (f->type == domain::ParameterType::kBoolean)
      o["value"] = v.value == "true";
    else if (f->type == domain::ParameterType::kInteger)
      o["value"] = std::stoll(v.value);  // checked against the field (strict digits)
    else
      o["value"] = v.value;
    fields.push_back(std::move(o));
  }
  return http::json_response(
      200, bj::object{{"app", set->tpl.app}, {"version", set->version}, {"fields", fields}});
}

// PUT .../posfleet/actions/{id} {"state": "done" | "failed", "detail": "…"}.
Response put_action(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto id = id_param(req, "id");
  if (!id) return http::error_from(id.error());
  auto v = json::parse_untrusted(req.body);
  if (!v || !v->is_object())
    return http::error_from(make_error(Code::kParse, "body must be {\"state\", \"detail\"}"));
  const std::string state = json::string_or(v->get_object(), "state", "");
  if (state != "done" && state != "failed")
    return http::error_from(make_error(Code::kInvalidArgument, "state must be done or failed"));
  if (auto s = domain::action_finished(ctx, t, *id, state == "done",
                                       json::string_or(v->get_object(), "detail", ""));
      !s)
    return http::error_from(s.error());
  Response r;
  r.status = 204;
  return r;
}

// POST .../posfleet/actions/{id}/bundle {"bundle": "…"}: the log bundle, at most 256 KiB.
Response post_bundle(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto id = id_param(req, "id");
  if (!id) return http::error_from(id.error());
  auto v = json::parse_untrusted(req.body);
  if (!v || !v->is_object())
    return http::error_from(make_error(Code::kParse, "body must be {\"bundle\": \"…\"}"));
  auto bundle = json::get_string(v->get_object(), "bundle");
  if (!bundle) return http::error_from(bundle.error());
  if (auto s = domain::bundle_uploaded(ctx, t, *id, *bundle); !s)
    return http::error_from(s.error());
  Response r;
  r.status = 204;
  return r;
}

// PUT .../posfleet/lock/{lockId} {"how": "code" | "remote"}: the terminal unlocked.
Response put_lock(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto id = id_param(req, "lockId");
  if (!id) return http::error_from(id.error());
  auto v = json::parse_untrusted(req.body);
  if (!v || !v->is_object())
    return http::error_from(make_error(Code::kParse, "body must be {\"how\":\"code\"|\"remote\"}"));
  if (auto s = domain::terminal_unlocked(ctx, t, *id, json::string_or(v->get_object(), "how", ""));
      !s)
    return http::error_from(s.error());
  Response r;
  r.status = 204;
  return r;
}

// PUT .../posfleet/parameters/{app}/applied {"version": "…"}: the terminal applied that set.
Response put_parameters_applied(domain::Context& ctx, Request& req,
                                const store::TerminalRecord& t) {
  auto v = json::parse_untrusted(req.body);
  if (!v || !v->is_object())
    return http::error_from(make_error(Code::kParse, "body must be {\"version\":\"…\"}"));
  auto version = json::get_string(v->get_object(), "version");
  if (!version) return http::error_from(version.error());
  if (auto s = domain::acknowledge_parameters(ctx, t, req.param("app"), *version); !s)
    return http::error_from(s.error());
  Response r;
  r.status = 204;
  return r;
}

Response post_ticket(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto v = json::parse_untrusted(req.body);
  if (!v) return http::error_from(v.error());
  if (!v->is_object())
    return http::error_from(
        make_error(Code::kParse, "body must be {\"message\":...,\"version\":...}"));
  auto ticket = domain::open_ticket(ctx, t, json::string_or(v->get_object(), "message", ""),
                                    json::string_or(v->get_object(), "version", ""));
  if (!ticket && ticket.error().code == Code::kTooManyRequests) {
    auto r = http::error_response(429, "too_many_tickets", ticket.error().message);
    r.headers.push_back({"Retry-After", std::to_string(domain::seconds_to_next_ticket_day())});
    return r;
  }
  if (!ticket) return http::error_from(ticket.error());
  return http::json_response(200, bj::object{{"ticket_id", ticket->id}});
}

// The download link points at posfleetd itself (`href`) or, with --artifact-base-url, at the
// web server that serves --artifact-dir (the signed manifest, not the transport, vouches for
// the bytes).
std::string download_link(const domain::Context& ctx, const std::string& href,
                          const std::string& sha256) {
  return ctx.artifact_base_url.empty()
             ? href
             : ctx.artifact_base_url + store::ArtifactStore::relative_path_of(sha256);
}

bj::object chunk_json(const domain::Context& ctx, const std::string& base,
                      const store::ComponentRecord& c, const store::ArtifactRecord& a) {
  const std::string href =
      base + "/softwaremodules/" + std::to_string(c.id) + "/artifacts/" + c.filename;
  const std::string download = download_link(ctx, href, a.sha256);
  bj::object artifact{
      {"filename", c.filename},
      {"hashes", bj::object{{"sha1", a.sha1}, {"md5", a.md5}, {"sha256", a.sha256}}},
      {"size", a.size},
      {"_links",
       bj::object{{"download-http", link(download)}, {"md5sum-http", link(href + ".MD5SUM")}}}};
  return bj::object{{"part", c.name},
                    {"version", c.version},
                    {"name", c.name},
                    {"artifacts", bj::array{artifact}}};
}

// A patch offered beside a chunk's full artifact (posfleet extension, docs/protocol.md): the
// terminal takes it only if the signed manifest lists it for the file it runs.
bj::object delta_json(const domain::Context& ctx, const std::string& base,
                      const domain::OfferedDelta& d) {
  const std::string href =
      base + "/softwaremodules/" + std::to_string(d.component.id) + "/deltas/" + d.delta.filename;
  const std::string download = download_link(ctx, href, d.delta.sha256);
  return bj::object{{"part", d.component.name},
                    {"filename", d.delta.filename},
                    {"from_version", d.delta.from_version},
                    {"size", d.delta.length},
                    {"hashes", bj::object{{"sha256", d.delta.sha256}}},
                    {"_links", bj::object{{"download-http", link(download)}}}};
}

// deploymentBase/{actionId} and installedBase/{actionId} share one shape.
Response action_resource(domain::Context& ctx, Request& req, const store::TerminalRecord& t,
                         bool installed) {
  auto id = id_param(req, "actionId");
  if (!id) return http::error_from(id.error());
  auto fetched = domain::fetch_action(ctx, t, *id, installed, req.query.count("actionHistory") > 0);
  if (!fetched) return http::error_from(fetched.error());
  const auto& d = fetched->deployment;
  const auto& r = fetched->release;
  const std::string base = controller_url(ctx, req);
  bj::array chunks;
  for (std::size_t i = 0; i < r.components.size(); ++i)
    chunks.push_back(chunk_json(ctx, base, r.components[i], fetched->artifacts[i]));
  bj::object deployment{
      {"download", "forced"}, {"update", "forced"}, {"chunks", std::move(chunks)}};
  bj::object body{{"id", std::to_string(d.id)}, {"deployment", std::move(deployment)}};
  auto manifest = json::parse(r.manifest_json);
  if (manifest) body["posfleet"] = bj::object{{"manifest", *manifest}};
  if (manifest && !installed) {
    auto deltas = domain::deltas_for(ctx, t, r);
    if (!deltas) return http::error_from(deltas.error());
    if (!deltas->empty()) {
      bj::array offered;
      for (const auto& d : *deltas) offered.push_back(delta_json(ctx, base, d));
      body["posfleet"].as_object()["deltas"] = std::move(offered);
    }
  }
  if (req.query.count("actionHistory")) {
    bj::array messages;
    for (const auto& s : fetched->history)
      if (auto lines = json::parse(s.details_json); lines && lines->is_array())
        for (const auto& line : lines->get_array()) messages.push_back(line);
    body["actionHistory"] =
        bj::object{{"status", store::to_string(d.status)}, {"messages", std::move(messages)}};
  }
  return http::json_response(200, body);
}

// Feedback details are a terminal's log: kept, but bounded — at most
// kFeedbackDetailLines lines of kFeedbackDetailChars characters, each cut at a
// character boundary and control characters shown as \xNN.
std::vector<std::string> details_of(const bj::object& o) {
  std::vector<std::string> out;
  auto lines = json::get_array(o, "details");
  if (!lines) return out;
  std::size_t dropped = 0;
  for (const auto& line : **lines) {
    if (!line.is_string()) continue;
    if (out.size() == limits::kFeedbackDetailLines) {
      ++dropped;
      continue;
    }
    out.push_back(text::safe_echo(line.get_string(), limits::kFeedbackDetailChars));
  }
  if (dropped) out.back() = "… " + std::to_string(dropped + 1) + " more lines not kept";
  return out;
}

Expected<domain::Feedback> parse_feedback(const std::string& text) {
  auto v = json::parse(text);
  if (!v || !v->is_object()) return make_error(Code::kParse, "feedback must be a JSON object");
  auto status = json::get_object(v->get_object(), "status");
  if (!status) return status.error();
  domain::Feedback fb;
  auto exec = json::get_string(**status, "execution");
  if (!exec) return exec.error();
  fb.execution = *exec;
  fb.result = "none";
  if (auto result = json::get_object(**status, "result"); result) {
    fb.result = json::string_or(**result, "finished", "none");
    if (auto progress = json::get_object(**result, "progress"); progress) {
      auto cnt = json::get_int(**progress, "cnt");
      auto of = json::get_int(**progress, "of");
      // Optional and free-form in DDI (stock clients send step counts, even
      // cnt > of): kept only when it reads as a fraction, never refused.
      if (cnt && of && *cnt >= 0 && *of > 0 && *cnt <= *of) {
        fb.progress_cnt = *cnt;
        fb.progress_of = *of;
      }
    }
  }
  fb.details = details_of(**status);
  if (auto code = json::get_int(**status, "code"); code) fb.code = static_cast<int>(*code);
  return fb;
}

template <typename Record>
Response feedback(domain::Context& ctx, Request& req, const store::TerminalRecord& t,
                  Record record) {
  auto id = id_param(req, "actionId");
  if (!id) return http::error_from(id.error());
  auto fb = parse_feedback(req.body);
  if (!fb) return http::error_from(fb.error());
  if (auto s = record(ctx, t, *id, *fb); !s) return http::error_from(s.error());
  return Response{200, "application/json", {}, "", {}};
}

// POST confirmationBase/{actionId}/feedback: {"confirmation": "confirmed"|"denied", "code",
// "details"}.
Response confirmation(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto id = id_param(req, "actionId");
  if (!id) return http::error_from(id.error());
  auto v = json::parse(req.body);
  if (!v || !v->is_object())
    return http::error_from(
        make_error(Code::kParse, "confirmation feedback must be a JSON object"));
  const std::string answer = json::string_or(v->get_object(), "confirmation", "");
  if (answer != "confirmed" && answer != "denied")
    return http::error_from(
        make_error(Code::kInvalidArgument, "confirmation must be confirmed or denied"));
  if (auto s = domain::record_confirmation(ctx, t, *id, answer == "confirmed",
                                           details_of(v->get_object()));
      !s)
    return http::error_from(s.error());
  return Response{200, "application/json", {}, "", {}};
}

Response cancel_action(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto id = id_param(req, "actionId");
  if (!id) return http::error_from(id.error());
  auto d = domain::deployment_of(ctx, t, *id);
  if (!d) return http::error_from(d.error());
  if (d->status != store::DeploymentStatus::kCanceling)
    return http::error_from(make_error(Code::kNotFound, "action is not being canceled"));
  const std::string sid = std::to_string(d->id);
  return http::json_response(
      200, bj::object{{"id", sid}, {"cancelAction", bj::object{{"stopId", sid}}}});
}

Response too_many_attributes(std::size_t n) {
  return http::error_from(make_error(
      Code::kInvalidArgument, "configData would hold " + std::to_string(n) +
                                  " attributes; at most " + std::to_string(limits::kConfigKeys) +
                                  " are kept: remove some (mode remove)"));
}

Response config_data(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto v = json::parse_untrusted(req.body);
  if (!v) return http::error_from(v.error());
  if (!v->is_object())
    return http::error_from(make_error(Code::kParse, "configData must be a JSON object"));
  auto data = json::get_object(v->get_object(), "data");
  if (!data) return http::error_from(data.error());
  const std::string mode = json::string_or(v->get_object(), "mode", "merge");
  bj::object merged;
  if (mode == "merge") {
    if (auto old = json::parse(t.attributes_json); old && old->is_object())
      merged = old->get_object();
  } else if (mode != "replace" && mode != "remove") {
    return http::error_from(
        make_error(Code::kInvalidArgument, "configData mode must be merge, replace or remove"));
  }
  if ((*data)->size() > limits::kConfigKeys) return too_many_attributes((*data)->size());
  for (const auto& kv : **data) {
    if (auto s = text::check_field("configData attribute name", kv.key(), limits::kConfigKeyChars);
        !s)
      return http::error_from(s.error());
    if (mode == "remove") {
      merged.erase(kv.key());
      continue;
    }
    bj::value value = kv.value().is_string() ? kv.value() : bj::value(json::serialize(kv.value()));
    const std::string name = "configData attribute " + text::safe_echo(kv.key(), 32);
    if (auto s = text::check_field(name, value.get_string(), limits::kConfigValueChars,
                                   text::Lines::kMany);
        !s)
      return http::error_from(s.error());
    merged[kv.key()] = std::move(value);
  }
  if (merged.size() > limits::kConfigKeys) return too_many_attributes(merged.size());
  if (merged.empty()) merged["_"] = "";  // an empty set still counts as reported
  if (auto s = domain::record_attributes(ctx, t, merged); !s) return http::error_from(s.error());
  return Response{200, "application/json", {}, "", {}};
}

// A file of the artifact store, whole, one range of it, or several (multipart/byteranges: a
// zchunk client's missing chunks).
Response file_response(domain::Context& ctx, Request& req, const std::string& sha256,
                       std::uint64_t size, const std::string& filename) {
  Response res;
  res.content_type = "application/octet-stream";
  res.headers = {{"Accept-Ranges", "bytes"},
                 {"Content-Disposition", "attachment;filename=" + filename},
                 {"ETag", "\"" + sha256 + "\""}};
  std::vector<http::ByteRange> ranges;
  switch (http::parse_ranges(req.header("range"), size, ranges)) {
    case http::RangeResult::kUnsatisfiable:
      res.status = 416;
      res.headers.push_back({"Content-Range", "bytes */" + std::to_string(size)});
      return res;
    case http::RangeResult::kSatisfiable:
      res.status = 206;
      if (ranges.size() > 1) {
        res.file = http::byteranges_slice(ctx.artifacts.path_of(sha256), ranges, size,
                                          "application/octet-stream", &res.content_type);
        break;
      }
      res.headers.push_back(
          {"Content-Range", "bytes " + std::to_string(ranges[0].first) + "-" +
                                std::to_string(ranges[0].first + ranges[0].length - 1) + "/" +
                                std::to_string(size)});
      res.file =
          http::FileSlice{ctx.artifacts.path_of(sha256), ranges[0].first, ranges[0].length, {}};
      break;
    case http::RangeResult::kNone:
      res.file = http::FileSlice{ctx.artifacts.path_of(sha256), 0, size, {}};
      break;
  }
  return res;
}

// Holds a download slot for the body's whole write (the listener keeps it until the last byte);
// a 429 with Retry-After beyond the cap. HEAD sends no body and takes none.
std::optional<Response> take_download_slot(domain::Context& ctx, const Request& req,
                                           std::int64_t terminal_id, Response& res) {
  if (!ctx.load || req.head || !res.file) return std::nullopt;
  auto grant = ctx.load->acquire(terminal_id);
  if (!grant) {
    const std::string after = std::to_string(grant.retry_after_seconds);
    auto busy =
        http::error_response(429, "busy",
                             "the server is sending as many downloads as it allows; retry after " +
                                 after + " s (Retry-After), the download resumes where it stopped");
    busy.headers.push_back({"Retry-After", after});
    return busy;
  }
  res.file->hold = std::move(grant.slot);
  return std::nullopt;
}

// An artifact or a patch for a terminal, counted into its release's bytes.
Response send_artifact(domain::Context& ctx, Request& req, const store::TerminalRecord& t,
                       const domain::ModuleArtifact& file) {
  const store::ComponentRecord& c = file.component;
  Response res = file_response(ctx, req, c.sha256, c.length, c.filename);
  if (auto busy = take_download_slot(ctx, req, t.id, res)) return *busy;
  if (res.file && !req.head) domain::count_download(ctx, file, res.file->length);
  return res;
}

// A zchunk file (docs/formats/zchunk.md), to any client by its hash: swupdate's delta handler
// fetches the chunks it lacks from a URL its signed sw-description names, with no credentials.
// Only files a published release lists; whatever else the artifact store holds stays private.
Response zchunk_file(domain::Context& ctx, Request& req) {
  const std::string& name = req.param("fileName");
  const std::string sha256 = name.size() == 68 && name.ends_with(".zck") ? name.substr(0, 64) : "";
  auto not_found = [&] {
    return http::error_from(make_error(
        Code::kNotFound, "no zchunk file " + text::safe_echo(name, 80) +
                             "; a zchunk file is served once a published release lists it"));
  };
  if (!is_sha256_hex(sha256)) return not_found();
  auto listed = ctx.store.zchunk_file_listed(sha256);
  if (!listed) return http::error_from(listed.error());
  auto a = ctx.store.artifact(sha256);
  if (!*listed || !a || !ctx.artifacts.contains(sha256)) return not_found();
  Response res = file_response(ctx, req, sha256, a->size, name);
  if (auto busy = take_download_slot(ctx, req, 0, res)) return *busy;  // clients share one key
  return res;
}

Response artifact(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto sm = id_param(req, "softwareModuleId");
  if (!sm) return http::error_from(sm.error());
  auto found = domain::artifact_for(ctx, t, *sm);
  if (!found) return http::error_from(found.error());
  const auto* c = &found->component;
  const std::string& name = req.param("fileName");
  if (name == c->filename + ".MD5SUM")
    return Response{200, "text/plain", {}, found->artifact.md5 + "  " + c->filename + "\n", {}};
  if (name != c->filename)
    return http::error_from(make_error(Code::kNotFound, "no artifact " + name + " in this module"));
  return send_artifact(ctx, req, t, *found);
}

// A patch of a module (posfleet extension): only one its release's manifest lists.
Response delta(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto sm = id_param(req, "softwareModuleId");
  if (!sm) return http::error_from(sm.error());
  auto found = domain::delta_artifact_for(ctx, t, *sm, req.param("fileName"));
  if (!found) return http::error_from(found.error());
  return send_artifact(ctx, req, t, *found);
}

// A terminal that proved itself (token or certificate) asks for a new
// certificate: {"csr": PEM} → {"certificate": PEM, "device_ca": PEM}.
Response post_certificate(domain::Context& ctx, Request& req, const store::TerminalRecord& t) {
  auto body = json::parse_untrusted(req.body);
  if (!body || !body->is_object())
    return http::error_from(make_error(Code::kParse, "send {\"csr\": \"<PEM>\"}"));
  auto c = domain::renew_device_certificate(ctx, t, json::string_or(body->get_object(), "csr", ""));
  if (!c) return http::error_from(c.error());
  return http::json_response(
      201, bj::object{{"certificate", c->pem}, {"device_ca", ctx.device_ca->cert_pem()}});
}

}  // namespace

void add_routes(http::Router& router, domain::Context& ctx) {
  const std::string b = kBase;
  router.add("GET", b,
             authed<&domain::authenticate_polling_terminal>(
                 ctx, [&ctx](Request& r, const auto& p) { return poll(ctx, r, p); }));
  router.add(
      "GET", b + "/deploymentBase/{actionId}",
      authed(ctx, [&ctx](Request& r, const auto& t) { return action_resource(ctx, r, t, false); }));
  router.add("GET", b + "/installedBase/{actionId}", authed(ctx, [&ctx](Request& r, const auto& t) {
               return action_resource(ctx, r, t, true);
             }));
  router.add("POST", b + "/deploymentBase/{actionId}/feedback",
             authed(ctx, [&ctx](Request& r, const auto& t) {
               return feedback(ctx, r, t, domain::record_feedback);
             }));
  router.add("POST", b + "/confirmationBase/{actionId}/feedback",
             authed(ctx, [&ctx](Request& r, const auto& t) { return confirmation(ctx, r, t); }));
  router.add("GET", b + "/cancelAction/{actionId}",
             authed(ctx, [&ctx](Request& r, const auto& t) { return cancel_action(ctx, r, t); }));
  router.add("POST", b + "/cancelAction/{actionId}/feedback",
             authed(ctx, [&ctx](Request& r, const auto& t) {
               return feedback(ctx, r, t, domain::record_cancel_feedback);
             }));
  for (const char* method : {"PUT", "POST"})
    router.add(method, b + "/configData",
               authed(ctx, [&ctx](Request& r, const auto& t) { return config_data(ctx, r, t); }));
  router.add("GET", b + "/roots/{version}",
             authed(ctx, [&ctx](Request& r, const auto& t) { return get_root(ctx, r, t); }));
  router.add("PUT", b + "/posfleet/policy",
             authed(ctx, [&ctx](Request& r, const auto& t) { return put_policy(ctx, r, t); }));
  router.add("POST", b + "/posfleet/certificate", authed(ctx, [&ctx](Request& r, const auto& t) {
               return post_certificate(ctx, r, t);
             }));
  router.add("PUT", b + "/posfleet/actions/{id}",
             authed(ctx, [&ctx](Request& r, const auto& t) { return put_action(ctx, r, t); }));
  router.add("POST", b + "/posfleet/actions/{id}/bundle",
             authed(ctx, [&ctx](Request& r, const auto& t) { return post_bundle(ctx, r, t); }));
  router.add("PUT", b + "/posfleet/lock/{lockId}",
             authed(ctx, [&ctx](Request& r, const auto& t) { return put_lock(ctx, r, t); }));
  router.add("GET", b + "/posfleet/parameters/{app}",
             authed(ctx, [&ctx](Request& r, const auto& t) { return get_parameters(ctx, r, t); }));
  router.add(
      "PUT", b + "/posfleet/parameters/{app}/applied",
      authed(ctx, [&ctx](Request& r, const auto& t) { return put_parameters_applied(ctx, r, t); }));
  router.add("POST", b + "/posfleet/tickets",
             authed(ctx, [&ctx](Request& r, const auto& t) { return post_ticket(ctx, r, t); }));
  router.add("GET", b + "/softwaremodules/{softwareModuleId}/artifacts/{fileName}",
             authed(ctx, [&ctx](Request& r, const auto& t) { return artifact(ctx, r, t); }));
  router.add("GET", b + "/softwaremodules/{softwareModuleId}/deltas/{fileName}",
             authed(ctx, [&ctx](Request& r, const auto& t) { return delta(ctx, r, t); }));
  router.add("GET", "/zchunk/{fileName}", [&ctx](Request& r) { return zchunk_file(ctx, r); });
}

}  // namespace posfleet::ddi
