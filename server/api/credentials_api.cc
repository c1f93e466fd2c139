// posfleet server: management API routes that end or renew credentials:
// API tokens (create, list, revoke) and a terminal's DDI token (retire the
// terminal, rotate its token). Each parses, calls one domain function
// (api_tokens.h, terminals_lifecycle.h) and serializes; new tokens are in the
// answer once and nowhere else. Permissions are declared where registered.
#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "server/api/api_common.h"
#include "server/api/fleet_api.h"
#include "server/domain/api_tokens.h"
#include "server/domain/terminals_lifecycle.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

bj::object token_json(const store::ApiTokenRecord& t) {
  return bj::object{{"id", t.id},
                    {"name", t.name},
                    {"role", t.role},
                    {"created", format_utc(t.created)},
                    {"last_used", utc_or_null(t.last_used)},
                    {"revoked", utc_or_null(t.revoked)}};
}

Response post_token(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  const std::string name = json::string_or(*body, "name", ""),
                    role = json::string_or(*body, "role", "");
  auto parsed = domain::role_named(role);
  if (!parsed) return http::error_from(parsed.error());
  auto t = domain::create_api_token(ctx, name, *parsed, caller.actor(), caller.scope.org_id);
  if (!t) return http::error_from(t.error());
  auto o = token_json(t->record);
  o["token"] = t->token;
  return http::json_response(201, o);
}

Response list_tokens(domain::Context& ctx, Request&, const Caller&) {
  auto ts = domain::list_api_tokens(ctx);
  if (!ts) return http::error_from(ts.error());
  bj::array out;
  for (const auto& t : *ts) out.push_back(token_json(t));
  return http::json_response(200, bj::object{{"tokens", out}});
}

// The body is optional: {"reason": "…"}.
std::string reason_of(const Request& req) {
  if (req.body.empty()) return "";
  auto body = body_object(req);
  return body ? json::string_or(*body, "reason", "") : "";
}

Response revoke_token(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "API token");
  if (!id) return http::error_from(id.error());
  if (!req.body.empty())
    if (auto body = body_object(req); !body) return http::error_from(body.error());
  auto t = domain::revoke_api_token(ctx, *id, caller.actor(), reason_of(req));
  if (!t) return http::error_from(t.error());
  return http::json_response(200, token_json(*t));
}

Response retire_terminal(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto r = domain::retire_terminal(ctx, req.param("serial"), json::string_or(*body, "reason", ""),
                                   caller.actor());
  if (!r) return http::error_from(r.error());
  return http::json_response(
      200, bj::object{{"serial", r->terminal.serial},
                      {"retired", format_utc(r->terminal.retired)},
                      {"retired_reason", r->terminal.retired_reason},
                      {"canceled_deployment",
                       r->canceled ? bj::value(r->canceled->id) : bj::value(nullptr)}});
}

Response rotate_token(domain::Context& ctx, Request& req, const Caller& caller) {
  if (!req.body.empty())
    if (auto body = body_object(req); !body) return http::error_from(body.error());
  auto r = domain::rotate_terminal_token(ctx, req.param("serial"), reason_of(req), caller.actor());
  if (!r) return http::error_from(r.error());
  return http::json_response(200, bj::object{{"serial", r->terminal.serial}, {"token", r->token}});
}

}  // namespace

void add_credential_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "POST", "/api/v1/tokens", P::kAdmin, post_token);
  add_route(router, ctx, "GET", "/api/v1/tokens", P::kAdmin, list_tokens);
  add_route(router, ctx, "POST", "/api/v1/tokens/{id}/revoke", P::kAdmin, revoke_token);
  // Final, and it cancels the terminal's deployment: administrators only.
  add_route(router, ctx, "POST", "/api/v1/terminals/{serial}/retire", P::kAdmin, retire_terminal);
  // Like registering, it hands out a working DDI token.
  add_route(router, ctx, "POST", "/api/v1/terminals/{serial}/rotate-token", P::kTerminal,
            rotate_token);
}

}  // namespace posfleet::api
