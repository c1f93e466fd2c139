// posfleet server: management API routes of the support desk: merchants,
// tickets from terminals, identity verification and policy changes on a
// verified merchant's behalf (domain/support.h has the rules).
#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "server/api/api_common.h"
#include "server/api/fleet_api.h"
#include "server/domain/secrets.h"
#include "server/domain/support.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

bj::object merchant_json(domain::Context& ctx, const store::MerchantRecord& m) {
  std::string id_masked = "?";
  if (auto id = ctx.secrets->unseal(m.resident_id_enc); id) id_masked = domain::mask(*id, 4, 4);
  bj::array terminals;
  if (auto ts = ctx.store.terminals_of_merchant(m.id); ts)
    for (const auto& t : *ts) terminals.push_back(bj::string(t.serial));
  return bj::object{{"id", m.id},
                    {"legal_name", m.legal_name},
                    {"phone", domain::mask(m.phone, 3, 4)},
                    {"resident_id", id_masked},
                    {"terminals", terminals},
                    {"created", format_utc(m.created)}};
}

bj::object ticket_json(const store::TicketRecord& t) {
  bj::value policy = nullptr;
  if (auto p = json::parse(t.policy_json); p) policy = *p;
  return bj::object{{"id", t.id},         {"terminal", t.serial}, {"version", t.version},
                    {"policy", policy},   {"message", t.message}, {"status", t.status},
                    {"note", t.note},     {"created", format_utc(t.created)}, {"updated", format_utc(t.updated)}};
}

bj::object verification_json(const store::VerificationRecord& v) {
  return bj::object{{"id", v.id},
                    {"merchant_id", v.merchant_id},
                    {"status", v.status},
                    {"attempts", v.attempts},
                    {"code_expires", format_utc(v.expires)},
                    {"verified_until", v.verified_until ? bj::value(format_utc(v.verified_until)) : bj::value(nullptr)}};
}

Response post_merchant(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto m = domain::create_merchant(ctx, json::string_or(*body, "legal_name", ""), json::string_or(*body, "phone", ""),
                                   json::string_or(*body, "resident_id", ""), caller.actor());
  if (!m) return http::error_from(m.error());
  return http::json_response(201, merchant_json(ctx, *m));
}

Response get_merchant(domain::Context& ctx, Request& req, const Caller&) {
  auto id = positive_id(req.param("id"), "merchant");
  if (!id) return http::error_from(id.error());
  auto m = ctx.store.merchant(*id);
  if (!m) return http::error_from(m.error());
  return http::json_response(200, merchant_json(ctx, *m));
}

Response post_merchant_terminal(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "merchant");
  auto body = body_object(req);
  if (!id) return http::error_from(id.error());
  if (!body) return http::error_from(body.error());
  if (auto s = domain::link_terminal(ctx, *id, json::string_or(*body, "serial", ""), caller.actor()); !s)
    return http::error_from(s.error());
  auto m = ctx.store.merchant(*id);
  return http::json_response(200, merchant_json(ctx, *m));
}

Response list_tickets(domain::Context& ctx, Request& req, const Caller&) {
  auto ts = ctx.store.list_tickets(req.query_or("status", ""), 200);
  if (!ts) return http::error_from(ts.error());
  bj::array out;
  for (const auto& t : *ts) out.push_back(ticket_json(t));
  return http::json_response(200, bj::object{{"tickets", out}});
}

Response close_ticket(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "ticket");
  auto body = body_object(req);
  if (!id) return http::error_from(id.error());
  if (!body) return http::error_from(body.error());
  auto t = domain::close_ticket(ctx, *id, json::string_or(*body, "note", ""), caller.actor("support"));
  if (!t) return http::error_from(t.error());
  return http::json_response(200, ticket_json(*t));
}

Response post_verification(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto v = domain::start_verification(ctx, json::string_or(*body, "terminal", ""), json::string_or(*body, "legal_name", ""),
                                      json::string_or(*body, "id_last4", ""), caller.actor("support"));
  if (!v) return http::error_from(v.error());
  auto m = ctx.store.merchant(v->merchant_id);
  auto o = verification_json(*v);
  if (m) o["code_sent_to"] = domain::mask(m->phone, 3, 4);
  return http::json_response(201, o);
}

Response post_code(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "verification");
  auto body = body_object(req);
  if (!id) return http::error_from(id.error());
  if (!body) return http::error_from(body.error());
  auto v = domain::confirm_code(ctx, *id, json::string_or(*body, "code", ""), caller.actor("support"));
  if (!v) return http::error_from(v.error());
  return http::json_response(200, verification_json(*v));
}

Response post_support_policy(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "verification");
  auto body = body_object(req);
  if (!id) return http::error_from(id.error());
  if (!body) return http::error_from(body.error());
  bj::object fields = *body;
  fields.erase("reason");
  auto patch = PolicyPatch::from_json(fields);
  if (!patch) return http::error_from(patch.error());
  auto changed = domain::support_change_policy(ctx, *id, *patch, json::string_or(*body, "reason", ""),
                                               caller.actor("support"));
  if (!changed) return http::error_from(changed.error());
  bj::array terminals;
  for (const auto& s : *changed) terminals.push_back(bj::string(s));
  return http::json_response(200, bj::object{{"terminals", terminals}});
}

}  // namespace

void add_support_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "POST", "/api/v1/merchants", P::kMerchant, post_merchant);
  add_route(router, ctx, "GET", "/api/v1/merchants/{id}", P::kSupport, get_merchant);
  add_route(router, ctx, "POST", "/api/v1/merchants/{id}/terminals", P::kMerchant, post_merchant_terminal);
  add_route(router, ctx, "GET", "/api/v1/support/tickets", P::kSupport, list_tickets);
  add_route(router, ctx, "POST", "/api/v1/support/tickets/{id}/close", P::kSupport, close_ticket);
  add_route(router, ctx, "POST", "/api/v1/support/verifications", P::kSupport, post_verification);
  add_route(router, ctx, "POST", "/api/v1/support/verifications/{id}/code", P::kSupport, post_code);
  add_route(router, ctx, "POST", "/api/v1/support/verifications/{id}/policy", P::kSupport, post_support_policy);
}

}  // namespace posfleet::api
