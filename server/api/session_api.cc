// posfleet server: logging in and out of the back office, and managing its
// users (administrators). domain/accounts.h has the rules.
#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "server/api/api_common.h"
#include "server/api/fleet_api.h"
#include "server/domain/accounts.h"
#include "server/domain/audit.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

std::string cookie(const std::string& value, int max_age) {
  return std::string(domain::kSessionCookie) + "=" + value +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
}

bj::object user_json(const store::UserRecord& u) {
  return bj::object{{"name", u.name},           {"role", u.role},
                    {"disabled", u.disabled},   {"totp", !u.totp_secret.empty()},
                    {"organisation", u.org_id}, {"created", format_utc(u.created)}};
}

// What the console needs to know of the person logged in: whether TOTP is
// set up, and whether it must be set up before anything else.
void add_totp_state(domain::Context& ctx, const store::UserRecord& u, bj::object& o) {
  o["totp"] = !u.totp_secret.empty();
  auto gate = domain::totp_gate(ctx, u);
  o["totp_enrol_required"] = !gate && gate.error().code == Code::kTotpEnrolRequired;
}

// A code as typed: digits, perhaps with spaces ("123 456"); anything longer is refused.
Expected<std::string> code_of(const bj::object& body) {
  std::string code;
  for (char c : json::string_or(body, "code", "")) {
    if (c == ' ') continue;
    if (c < '0' || c > '9' || code.size() >= 6)
      return make_error(Code::kTotpWrong, "a code is 6 digits from your authenticator app");
    code += c;
  }
  return code;
}

// The person behind a session; API tokens have no TOTP of their own.
Expected<std::string> person(const Caller& caller) {
  if (caller.token)
    return make_error(Code::kForbidden,
                      "API tokens have no two-step verification; log in to the console as a "
                      "person");
  return caller.name;
}

// Where the person stands in the tree: the console offers a reseller's or merchant's user only
// the pages that keep to its subtree, and names its organisation.
void add_organisation(domain::Context& ctx, std::int64_t org_id, bj::object& o) {
  o["whole_tree"] = org_id == store::kRootOrganisation;
  if (auto org = ctx.store.organisation(org_id); org)
    o["organisation"] = bj::object{{"id", org->id}, {"kind", org->kind}, {"name", org->name}};
}

Response post_session(domain::Context& ctx, Request& req) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto code = code_of(*body);
  if (!code) return http::error_from(code.error());
  const domain::AuditAddress where(client_address(ctx, req));
  auto login =
      domain::log_in(ctx, json::string_or(*body, "name", ""),
                     json::string_or(*body, "password", ""), client_address(ctx, req), *code);
  if (!login) {
    if (login.error().code == Code::kTooManyRequests) {
      auto r = http::error_response(429, "too_many_attempts", login.error().message);
      r.headers.push_back({"Retry-After", std::to_string(domain::kLoginWindowSeconds)});
      return r;
    }
    return http::error_from(login.error());
  }
  auto o = user_json(login->user);
  add_totp_state(ctx, login->user, o);
  add_organisation(ctx, login->user.org_id, o);
  o["csrf"] = login->csrf;
  auto r = http::json_response(200, o);
  r.headers.push_back({"Set-Cookie", cookie(login->token, ctx.session_max_seconds)});
  return r;
}

Response get_session(domain::Context& ctx, Request& req, const Caller& caller) {
  bj::object o{{"name", caller.name}, {"role", domain::to_string(caller.role)}};
  if (caller.token) o["token"] = true;
  add_organisation(ctx, caller.scope.org_id, o);
  if (auto s = domain::session_user(ctx, domain::session_cookie(req.header("cookie"))); s) {
    o["csrf"] = s->session.csrf;
    add_totp_state(ctx, s->user, o);
  }
  return http::json_response(200, o);
}

Response delete_session(domain::Context& ctx, Request& req, const Caller&) {
  if (auto s = domain::log_out(ctx, domain::session_cookie(req.header("cookie"))); !s)
    return http::error_from(s.error());
  auto r = http::json_response(200, bj::object{{"logged_out", true}});
  r.headers.push_back({"Set-Cookie", cookie("", 0)});
  return r;
}

Response post_user(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto role = domain::role_named(json::string_or(*body, "role", ""));
  if (!role) return http::error_from(role.error());
  // The organisation the user acts for: the caller's own or one below it.
  std::int64_t org = caller.scope.org_id;
  auto asked = id_field(*body, "organisation", "an organisation's id");
  if (!asked) return http::error_from(asked.error());
  if (*asked) {
    auto in = domain::organisation_in(ctx, caller.scope, *asked);
    if (!in) return http::error_from(in.error());
    org = in->id;
  }
  auto u = domain::create_user(ctx, json::string_or(*body, "name", ""), *role,
                               json::string_or(*body, "password", ""), caller.actor(), org);
  if (!u) return http::error_from(u.error());
  return http::json_response(201, user_json(*u));
}

Response list_users(domain::Context& ctx, Request&, const Caller& caller) {
  auto us = domain::users_in(ctx, caller.scope);
  if (!us) return http::error_from(us.error());
  bj::array out;
  for (const auto& u : *us) out.push_back(user_json(u));
  return http::json_response(200, bj::object{{"users", out}});
}

Response put_user(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  std::optional<bool> disabled;
  if (auto* d = body->if_contains("disabled")) {
    if (!d->is_bool())
      return http::error_from(make_error(Code::kInvalidArgument, "disabled must be true or false"));
    disabled = d->get_bool();
  }
  std::optional<domain::Role> role;
  if (const auto name = json::string_or(*body, "role", ""); !name.empty()) {
    auto r = domain::role_named(name);
    if (!r) return http::error_from(r.error());
    role = *r;
  }
  if (auto in = domain::user_in(ctx, caller.scope, req.param("name")); !in)
    return http::error_from(in.error());
  auto u = domain::change_user(ctx, req.param("name"), role, disabled,
                               json::string_or(*body, "password", ""), caller.actor());
  if (!u) return http::error_from(u.error());
  return http::json_response(200, user_json(*u));
}

Response post_totp(domain::Context& ctx, Request&, const Caller& caller) {
  auto name = person(caller);
  if (!name) return http::error_from(name.error());
  auto e = domain::begin_totp(ctx, *name);
  if (!e) return http::error_from(e.error());
  auto r = http::json_response(200, bj::object{{"secret", e->secret_base32}, {"uri", e->uri}});
  r.headers.push_back({"Cache-Control", "no-store"});  // shown once, kept nowhere
  return r;
}

Response post_totp_confirm(domain::Context& ctx, Request& req, const Caller& caller) {
  auto name = person(caller);
  if (!name) return http::error_from(name.error());
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto code = code_of(*body);
  if (!code) return http::error_from(code.error());
  if (auto s = domain::confirm_totp(ctx, *name, *code, caller.actor()); !s)
    return http::error_from(s.error());
  return http::json_response(200, bj::object{{"totp", true}});
}

Response post_totp_reset(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  if (auto in = domain::user_in(ctx, caller.scope, req.param("name")); !in)
    return http::error_from(in.error());
  if (auto s = domain::reset_totp(ctx, req.param("name"), json::string_or(*body, "reason", ""),
                                  caller.actor());
      !s)
    return http::error_from(s.error());
  return http::json_response(200, bj::object{{"name", req.param("name")}, {"totp", false}});
}

Response get_account_settings(domain::Context& ctx, Request&, const Caller&) {
  auto required = domain::totp_required_for_admins(ctx);
  if (!required) return http::error_from(required.error());
  return http::json_response(200, bj::object{{"totp_required_for_admins", *required}});
}

Response put_account_settings(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto* v = body->if_contains("totp_required_for_admins");
  if (!v || !v->is_bool())
    return http::error_from(
        make_error(Code::kInvalidArgument, "totp_required_for_admins must be true or false"));
  if (auto s = domain::set_totp_required_for_admins(ctx, v->get_bool(), caller.actor()); !s)
    return http::error_from(s.error());
  return get_account_settings(ctx, req, caller);
}

}  // namespace

void add_session_routes(http::Router& router, domain::Context& ctx) {
  // Logging in needs no credentials; argon2id is slow on purpose, so off the network threads.
  router.add(
      "POST", "/api/v1/session", [&ctx](Request& r) { return post_session(ctx, r); },
      http::Work::kBlocking);
  using P = Permission;
  add_route(router, ctx, "GET", "/api/v1/session", P::kRead, get_session);
  add_route(router, ctx, "DELETE", "/api/v1/session", P::kRead, delete_session);
  add_route(router, ctx, "POST", "/api/v1/users", P::kAdmin, post_user, http::Work::kBlocking);
  add_route(router, ctx, "GET", "/api/v1/users", P::kAdmin, list_users);
  add_route(router, ctx, "PUT", "/api/v1/users/{name}", P::kAdmin, put_user, http::Work::kBlocking);
  // Two-factor log-in (domain/accounts.h): one's own set-up, an administrator's reset, the setting.
  add_route(router, ctx, "POST", "/api/v1/session/totp", P::kRead, post_totp);
  add_route(router, ctx, "POST", "/api/v1/session/totp/confirm", P::kRead, post_totp_confirm);
  add_route(router, ctx, "POST", "/api/v1/users/{name}/totp/reset", P::kAdmin, post_totp_reset);
  add_route(router, ctx, "GET", "/api/v1/settings/accounts", P::kAdmin, get_account_settings);
  add_route(router, ctx, "PUT", "/api/v1/settings/accounts", P::kAdmin, put_account_settings);
}

}  // namespace posfleet::api
