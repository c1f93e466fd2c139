#include "server/api/fleet_api.h"

#include <boost/json.hpp>

#include <fstream>

#include "core/clock.h"
#include "core/json.h"
#include "server/api/api_common.h"
#include "server/domain/load.h"
#include "server/domain/policy.h"
#include "server/domain/releases.h"
#include "server/domain/sms.h"
#include "server/domain/timeouts.h"

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

// Whether the caller may set, lift or override a lock: the acquirer's administrators alone, so
// that a lock holds over every reseller below it.
bool may_change_locks(const Caller& caller) {
  return role_allows(caller.role, Permission::kLock) && caller.scope.whole_tree();
}

// A reseller's or merchant's user reads and sets the policy of a terminal of its subtree alone
// (another's is "not found"); the fleet's and the groups' are the acquirer's, and their locks
// hold against the terminal's own mode (core/policy: a lock holds against every scope below it).
Status policy_within_scope(domain::Context& ctx, const Caller& caller, const std::string& scope,
                           const std::string& key) {
  if (caller.scope.whole_tree()) return ok_status();
  if (scope != "terminal")
    return make_error(Code::kForbidden,
                      "the fleet's and the groups' policies are the acquirer's; a reseller's or "
                      "merchant's user sets the policy of one of its terminals (terminal=SERIAL)");
  auto t = domain::terminal_in(ctx, caller.scope, key);
  if (!t) return t.error();
  return ok_status();
}

Response get_policy(domain::Context& ctx, Request& req, const Caller& caller) {
  auto [scope, key] = scope_of(req, nullptr);
  if (auto in = policy_within_scope(ctx, caller, scope, key); !in)
    return http::error_from(in.error());
  auto view = domain::policy_view(ctx, scope, key);
  if (!view) return http::error_from(view.error());
  bj::object out{{"scope", scope}, {"key", key}};
  if (auto p = json::parse(view->patch_json); p) out["patch"] = *p;
  out["effective"] = view->effective.to_json();
  if (scope == "terminal") out["group"] = view->group;
  bj::array h;
  for (const auto& c : view->history) {
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
  if (auto in = policy_within_scope(ctx, caller, scope, key); !in)
    return http::error_from(in.error());
  bj::object fields = *body;
  for (const char* k : {"terminal", "group", "reason"}) fields.erase(k);
  auto patch = PolicyPatch::from_json(fields);
  if (!patch) return http::error_from(patch.error());
  // Locks are the acquirer's administrators': a reseller's administrator neither sets nor lifts
  // one, nor changes a mode under one, whichever level it was set at.
  const bool may_lock = may_change_locks(caller);
  if ((patch->locked || patch->lock_reason) && !may_lock)
    return http::error_from(make_error(
        Code::kForbidden, caller.scope.whole_tree()
                              ? "only an administrator may lock or unlock a policy"
                              : "only the acquirer's administrators lock or unlock a policy"));
  // Whoever may not lock may not change a locked mode either (kLocked).
  auto p = domain::change_policy(ctx, scope, key, *patch, caller.actor(),
                                 json::string_or(*body, "reason", ""), !may_lock);
  if (!p) return http::error_from(p.error());
  return http::json_response(
      200, bj::object{{"scope", scope}, {"key", key}, {"effective", p->to_json()}});
}

Response put_group(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto moved = domain::move_to_group(ctx, req.param("serial"), json::string_or(*body, "group", ""),
                                     caller.actor(), may_change_locks(caller));
  if (!moved) return http::error_from(moved.error());
  return http::json_response(200, bj::object{{"serial", moved->serial}, {"group", moved->group}});
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
    return http::error_from(
        make_error(Code::kNotFound, "SMS go through a gateway; there is no outbox"));
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

bj::object timeouts_json(const store::DeploymentTimeouts& t) {
  return bj::object{{"waiting_seconds", t.waiting_seconds},
                    {"downloading_seconds", t.downloading_seconds},
                    {"installing_seconds", t.installing_seconds}};
}

// How long a deployment may stay in each open phase before it is timed out (domain/timeouts.h).
Response get_timeouts(domain::Context& ctx, Request&, const Caller&) {
  auto t = domain::deployment_timeouts(ctx);
  if (!t) return http::error_from(t.error());
  return http::json_response(200, timeouts_json(*t));
}

// Fields left out keep their value.
Response put_timeouts(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto t = domain::deployment_timeouts(ctx);
  if (!t) return http::error_from(t.error());
  for (auto [key, field] : {std::pair{"waiting_seconds", &t->waiting_seconds},
                            {"downloading_seconds", &t->downloading_seconds},
                            {"installing_seconds", &t->installing_seconds}}) {
    const auto* v = body->if_contains(key);
    if (!v) continue;
    if (!v->is_int64())
      return http::error_from(
          make_error(Code::kInvalidArgument,
                     std::string(key) + " must be a whole number of seconds (0 = never)"));
    *field = v->get_int64();
  }
  auto set = domain::set_deployment_timeouts(ctx, *t, caller.actor(),
                                             json::string_or(*body, "reason", ""));
  if (!set) return http::error_from(set.error());
  return http::json_response(200, timeouts_json(*set));
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
  add_route(router, ctx, "GET", "/api/v1/fleet/timeouts", P::kRead, get_timeouts);
  add_route(router, ctx, "PUT", "/api/v1/fleet/timeouts", P::kAdmin, put_timeouts);
}

}  // namespace posfleet::api
