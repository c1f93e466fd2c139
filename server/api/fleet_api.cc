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

// The scope a request names: ?terminal=S, ?group=G, ?organisation=ID, or the fleet. `key` is
// the store's (an organisation's path), `shown` what the request named.
struct PolicyScope {
  std::string scope, key, shown;
};

// One of the scope's organisations, below the acquirer, by id (query text or body number).
Expected<store::OrganisationRecord> policy_organisation(domain::Context& ctx, const Caller& caller,
                                                        const std::string& text) {
  std::int64_t id = 0;
  if (text.empty() || text.size() > 15 || text.find_first_not_of("0123456789") != text.npos ||
      (id = std::stoll(text)) <= 0)
    return make_error(Code::kInvalidArgument, "organisation must be an organisation's id");
  if (id == store::kRootOrganisation)
    return make_error(Code::kInvalidArgument,
                      "the acquirer's own policy is the fleet's: leave out organisation");
  return domain::organisation_in(ctx, caller.scope, id);
}

// A reseller's or merchant's user reads and sets the policies of its subtree alone: of an
// organisation in it (its own too) or a terminal of it (another's is "not found"). The fleet's
// and the groups' are the acquirer's; their locks, and those of the organisations above the
// caller's, hold against everything below them (core/policy: a lock holds against every scope
// below it).
Expected<PolicyScope> policy_scope(domain::Context& ctx, const Request& req, const bj::object* body,
                                   const Caller& caller) {
  if (body)  // a scope named by a value of another type is not taken for the fleet
    for (const char* k : {"terminal", "group", "organisation"})
      if (const auto* f = body->if_contains(k);
          f && !f->is_string() && !(f->is_int64() && std::string_view(k) == "organisation"))
        return make_error(Code::kInvalidArgument,
                          std::string(k) + (std::string_view(k) == "organisation"
                                                ? " must be an organisation's id"
                                                : " must be text"));
  auto get = [&](const char* k) {
    std::string v = req.query_or(k, "");
    if (v.empty() && body)
      if (const auto* f = body->if_contains(k))
        v = f->is_int64() ? std::to_string(f->as_int64()) : std::string(f->as_string());
    return v;
  };
  if (auto t = get("terminal"); !t.empty()) {
    if (!caller.scope.whole_tree())
      if (auto in = domain::terminal_in(ctx, caller.scope, t); !in) return in.error();
    return PolicyScope{"terminal", t, t};
  }
  if (auto o = get("organisation"); !o.empty()) {
    auto org = policy_organisation(ctx, caller, o);
    if (!org) return org.error();
    return PolicyScope{"organisation", org->path, std::to_string(org->id)};
  }
  auto g = get("group");
  if (!caller.scope.whole_tree())
    return make_error(Code::kForbidden,
                      "the fleet's and the groups' policies are the acquirer's; a reseller's or "
                      "merchant's user sets those of its organisations (organisation=ID) and "
                      "terminals (terminal=SERIAL)");
  if (!g.empty()) return PolicyScope{"group", g, g};
  return PolicyScope{"fleet", "", ""};
}

// Whether the caller may set or lift a lock at `at`: an administrator, and for a reseller's or
// merchant's one, below its own organisation (whose locks the organisation above it sets).
bool may_lock_at(const Caller& caller, const PolicyScope& at) {
  return role_allows(caller.role, Permission::kLock) &&
         (caller.scope.whole_tree() || at.scope != "organisation" || at.key != caller.scope.path);
}

// Whether the caller may set, lift or override a lock: the acquirer's administrators alone, so
// that a lock holds over every reseller below it.
bool may_change_locks(const Caller& caller) {
  return role_allows(caller.role, Permission::kLock) && caller.scope.whole_tree();
}

Response get_policy(domain::Context& ctx, Request& req, const Caller& caller) {
  auto at = policy_scope(ctx, req, nullptr, caller);
  if (!at) return http::error_from(at.error());
  const auto& [scope, key, shown] = *at;
  auto view = domain::policy_view(ctx, scope, key);
  if (!view) return http::error_from(view.error());
  bj::object out{{"scope", scope}, {"key", shown}};
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
  auto at = policy_scope(ctx, req, &*body, caller);
  if (!at) return http::error_from(at.error());
  bj::object fields = *body;
  for (const char* k : {"terminal", "group", "organisation", "reason"}) fields.erase(k);
  auto patch = PolicyPatch::from_json(fields);
  if (!patch) return http::error_from(patch.error());
  const bool may_lock = may_lock_at(caller, *at);
  if ((patch->locked || patch->lock_reason) && !may_lock)
    return http::error_from(make_error(
        Code::kForbidden, !role_allows(caller.role, Permission::kLock)
                              ? "only an administrator may lock or unlock a policy"
                              : "your organisation's locks are set by the organisation above it"));
  // Whoever may not lock may not change a locked mode either (kLocked); nor may a reseller's or
  // merchant's user change one under a lock at or above its organisation.
  auto p = domain::change_policy(ctx, at->scope, at->key, *patch, caller.actor(),
                                 json::string_or(*body, "reason", ""), !may_lock,
                                 caller.scope.whole_tree() ? "" : caller.scope.path);
  if (!p) return http::error_from(p.error());
  return http::json_response(
      200, bj::object{{"scope", at->scope}, {"key", at->shown}, {"effective", p->to_json()}});
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
