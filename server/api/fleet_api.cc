#include "server/api/fleet_api.h"

#include <boost/json.hpp>

#include <fstream>

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/api/api_common.h"
#include "server/domain/audit.h"
#include "server/domain/load.h"
#include "server/domain/policy.h"
#include "server/domain/releases.h"
#include "server/domain/sms.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

// The scope a request names: ?terminal=S, ?group=G, or the fleet.
std::pair<std::string, std::string> scope_of(const Request& req, const bj::object* body) {
  auto get = [&](const char* k) {
    std::string v = req.query_or(k, "");
    if (v.empty() && body) v = json::string_or(*body, k, "");
    return v;
  };
  if (auto t = get("terminal"); !t.empty()) return {"terminal", t};
  if (auto g = get("group"); !g.empty()) return {"group", g};
  return {"fleet", ""};
}

Response get_policy(domain::Context& ctx, Request& req, const Caller&) {
  auto [scope, key] = scope_of(req, nullptr);
  auto own = ctx.store.policy(scope, key);
  if (!own) return http::error_from(own.error());
  bj::object out{{"scope", scope}, {"key", key}};
  if (auto p = json::parse(*own ? (*own)->patch_json : "{}"); p) out["patch"] = *p;
  if (scope == "terminal") {
    auto t = ctx.store.terminal_by_serial(ctx.tenant, key);
    if (!t) return http::error_from(t.error());
    auto eff = domain::effective_policy(ctx, *t);
    if (!eff) return http::error_from(eff.error());
    out["effective"] = eff->to_json();
    out["group"] = t->group;
  } else {
    auto p = domain::scope_policy(ctx, scope, key);
    if (!p) return http::error_from(p.error());
    out["effective"] = p->to_json();
  }
  auto history = ctx.store.policy_history(scope, key, 50);
  if (!history) return http::error_from(history.error());
  bj::array h;
  for (const auto& c : *history) {
    bj::value before = nullptr, after = nullptr;
    if (auto v = json::parse(c.before_json); v) before = *v;
    if (auto v = json::parse(c.after_json); v) after = *v;
    h.push_back(bj::object{{"revision", c.id},
                           {"time", format_utc(c.time)},
                           {"actor", c.actor},
                           {"path", c.path},
                           {"reason", c.reason},
                           {"outcome", c.outcome},
                           {"before", before},
                           {"after", after}});
  }
  out["history"] = std::move(h);
  return http::json_response(200, out);
}

Response put_policy(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto [scope, key] = scope_of(req, &*body);
  bj::object fields = *body;
  for (const char* k : {"terminal", "group", "reason"}) fields.erase(k);
  auto patch = PolicyPatch::from_json(fields);
  if (!patch) return http::error_from(patch.error());
  if ((patch->locked || patch->lock_reason) && !role_allows(caller.role, Permission::kLock))
    return http::error_response(403, "forbidden",
                                "only an administrator may lock or unlock a policy");
  if (patch->locked && *patch->locked && patch->lock_reason.value_or("").empty())
    return http::error_response(400, "invalid_argument",
                                "a lock needs lock_reason: the terminal shows it to the merchant");
  if (patch->mode && !role_allows(caller.role, Permission::kLock)) {
    auto now = domain::layered_policy(ctx, scope, key);
    if (!now) return http::error_from(now.error());
    if (now->locked)
      return http::error_response(403, "locked",
                                  "the update mode here is locked by an administrator (" +
                                      now->lock_reason + "); only an administrator may change it");
  }
  auto p = domain::change_policy(ctx, scope, key, *patch, caller.actor(),
                                 json::string_or(*body, "reason", ""),
                                 !role_allows(caller.role, Permission::kLock));
  if (!p) return http::error_from(p.error());
  return http::json_response(
      200, bj::object{{"scope", scope}, {"key", key}, {"effective", p->to_json()}});
}

Response put_group(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto t = ctx.store.terminal_by_serial(ctx.tenant, req.param("serial"));
  if (!t) return http::error_from(t.error());
  const std::string group = json::string_or(*body, "group", "");
  if (auto s = text::check_field("group", group, limits::kGroupChars); !s)
    return http::error_from(s.error());
  // Moving a terminal out of (or into) a locked group changes a lock.
  if (!role_allows(caller.role, Permission::kLock)) {
    auto before = domain::effective_policy(ctx, *t);
    auto target = domain::scope_policy(ctx, "group", group);
    if ((before && before->locked) || (!group.empty() && target && target->locked))
      return http::error_response(
          403, "forbidden",
          "the terminal's or the group's mode is locked; only an administrator may move it");
  }
  if (auto s = ctx.store.set_terminal_group(t->id, group); !s) return http::error_from(s.error());
  domain::record_audit(ctx, caller.actor(), "terminal.group", "terminal:" + t->serial, t->group,
                       group, "");
  return http::json_response(200, bj::object{{"serial", t->serial}, {"group", group}});
}

Response put_deadline(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto r = domain::set_release_deadline(ctx, req.param("version"),
                                        json::string_or(*body, "deadline", ""), caller.actor(),
                                        json::string_or(*body, "reason", ""));
  if (!r) return http::error_from(r.error());
  return http::json_response(
      200,
      bj::object{{"version", r->version}, {"security_deadline", format_utc(r->security_deadline)}});
}

Response get_outbox(domain::Context& ctx, Request&, const Caller&) {
  auto* outbox = dynamic_cast<domain::OutboxSmsSender*>(ctx.sms);
  if (!outbox)
    return http::error_response(404, "not_found", "SMS go through a gateway; there is no outbox");
  bj::array out;
  std::ifstream in(outbox->path());
  for (std::string line; std::getline(in, line);)
    if (auto v = json::parse(line); v) out.push_back(*v);
  return http::json_response(200, bj::object{{"messages", out}});
}

// How busy the server is: download slots (domain/load.h) and the poll
// interval terminals are told right now.
Response get_status(domain::Context& ctx, Request&, const Caller&) {
  const auto f = ctx.load ? ctx.load->figures() : domain::LoadFigures{};
  const int polling = ctx.load ? ctx.load->poll_seconds(ctx.poll_seconds) : ctx.poll_seconds;
  return http::json_response(
      200, bj::object{{"downloads", bj::object{{"active", f.active},
                                               {"max", f.max},
                                               {"peak", f.peak},
                                               {"refused", f.refused},
                                               {"refused_recently", f.recent_refused},
                                               {"busy", f.busy}}},
                      {"early_retries", f.early_retries},
                      {"polling", bj::object{{"configured_seconds", ctx.poll_seconds},
                                             {"current_seconds", polling}}}});
}

}  // namespace

void add_fleet_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_credential_routes(router, ctx);  // API tokens, retirement, DDI token rotation
  add_route(router, ctx, "GET", "/api/v1/policy", P::kRead, get_policy);
  add_route(router, ctx, "PUT", "/api/v1/policy", P::kPolicy, put_policy);
  add_route(router, ctx, "PUT", "/api/v1/terminals/{serial}/group", P::kTerminal, put_group);
  add_route(router, ctx, "PUT", "/api/v1/releases/{version}/deadline", P::kRelease, put_deadline);
  add_route(router, ctx, "GET", "/api/v1/sms/outbox", P::kAdmin, get_outbox);
  add_route(router, ctx, "GET", "/api/v1/status", P::kRead, get_status);
}

}  // namespace posfleet::api
