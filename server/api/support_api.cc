// posfleet server: management API routes of the support desk: merchants,
// tickets from terminals, identity verification and policy changes on a
// verified merchant's behalf (domain/support.h has the rules).
#include <boost/json.hpp>

#include <algorithm>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "server/api/api_common.h"
#include "server/api/fleet_api.h"
#include "server/domain/policy.h"
#include "server/domain/secrets.h"
#include "server/domain/support.h"
#include "server/domain/support_desk.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

// What the desk shows of a merchant to `scope`: its terminals of the subtree alone.
Expected<bj::object> merchant_json(domain::Context& ctx, const domain::Scope& scope,
                                   const domain::MerchantView& v) {
  bj::array terminals;
  for (const auto& [t, eff] : v.terminals) {
    auto held = domain::holds_terminal(ctx, scope, t);
    if (!held) return held.error();
    if (!*held) continue;
    const bool locked = eff && eff->locked;
    terminals.push_back(
        bj::object{{"serial", t.serial},
                   {"model", t.model},
                   {"version", t.installed_version},
                   {"group", t.group},
                   {"mode", eff ? bj::value(to_string(eff->mode)) : bj::value(nullptr)},
                   {"locked", locked},
                   {"lock_reason", locked ? bj::value(eff->lock_reason) : bj::value(nullptr)}});
  }
  const auto& m = v.merchant;
  return bj::object{{"id", m.id},
                    {"organisation", m.org_id},
                    {"legal_name", m.legal_name},
                    {"phone", domain::mask(m.phone, 3, 4)},
                    {"resident_id", v.resident_id_masked},
                    {"terminals", terminals},
                    {"time_zone", v.time_zone},  // '' = the fleet's
                    {"created", format_utc(m.created)}};
}

bj::object ticket_json(const store::TicketRecord& t) {
  bj::value policy = nullptr;
  if (auto p = json::parse(t.policy_json); p) policy = *p;
  return bj::object{{"id", t.id},
                    {"terminal", t.serial},
                    {"version", t.version},
                    {"policy", policy},
                    {"message", t.message},
                    {"status", t.status},
                    {"note", t.note},
                    {"created", format_utc(t.created)},
                    {"updated", format_utc(t.updated)}};
}

bj::object verification_json(const store::VerificationRecord& v) {
  return bj::object{{"id", v.id},
                    {"merchant_id", v.merchant_id},
                    {"status", v.status},
                    {"attempts", v.attempts},
                    {"code_expires", format_utc(v.expires)},
                    {"verified_until", utc_or_null(v.verified_until)}};
}

// A refused verification step is 403 with a code the console can put in the
// user's language (never 401: that would read as the session having ended).
// For a code, the error also says how many tries are left.
Response verification_error(domain::Context& ctx, const Error& e, const char* code,
                            std::int64_t verification_id = 0, const std::string& agent = "") {
  if (e.code != Code::kUnauthorized) return http::error_from(e);
  bj::object err{{"code", code}, {"message", e.message}};
  if (verification_id) {
    if (auto v = domain::verification(ctx, verification_id); v && v->agent != agent) {
      err["code"] = "other_agent";
    } else if (v) {
      const int left = std::max(0, domain::kCodeTries - v->attempts);
      err["tries_left"] = left;
      err["status"] = v->status;
      if (v->status == "failed" || left == 0)
        err["code"] = unix_now() >= v->expires ? "code_expired" : "code_used_up";
      else if (unix_now() >= v->expires)
        err["code"] = "code_expired";
    }
  }
  return http::json_response(403, bj::object{{"error", err}});
}

Response merchant_response(domain::Context& ctx, const Caller& caller, int status,
                           const domain::MerchantView& v) {
  auto o = merchant_json(ctx, caller.scope, v);
  if (!o) return http::error_from(o.error());
  return http::json_response(status, *o);
}

// A merchant of the caller's organisation, or of one below it named by "organisation".
Response post_merchant(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  std::int64_t org_id = caller.scope.org_id;
  if (const auto* org = body->if_contains("organisation")) {
    if (!org->is_int64() || org->get_int64() <= 0)
      return http::error_from(make_error(
          Code::kInvalidArgument, "organisation must be the id of an organisation of yours"));
    auto o = domain::organisation_in(ctx, caller.scope, org->get_int64());
    if (!o) return http::error_from(o.error());
    org_id = o->id;
  }
  auto m = domain::create_merchant(
      ctx, json::string_or(*body, "legal_name", ""), json::string_or(*body, "phone", ""),
      json::string_or(*body, "resident_id", ""), caller.actor(), org_id);
  if (!m) return http::error_from(m.error());
  return merchant_response(ctx, caller, 201, domain::merchant_view(ctx, *m));
}

Response get_merchant(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "merchant");
  if (!id) return http::error_from(id.error());
  auto m = domain::merchant_view(ctx, *id);
  if (!m) return http::error_from(m.error());
  return merchant_response(ctx, caller, 200, *m);
}

Response post_merchant_terminal(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "merchant");
  auto body = body_object(req);
  if (!id) return http::error_from(id.error());
  if (!body) return http::error_from(body.error());
  const std::string serial = json::string_or(*body, "serial", "");
  if (auto t = domain::terminal_in(ctx, caller.scope, serial); !t)
    return http::error_from(t.error());
  if (auto s = domain::link_terminal(ctx, *id, serial, caller.actor()); !s)
    return http::error_from(s.error());
  auto m = domain::merchant_view(ctx, *id);
  if (!m) return http::error_from(m.error());
  return merchant_response(ctx, caller, 200, *m);
}

// Gives the merchant to another organisation of the caller's subtree (its terminals stay).
Response put_merchant_organisation(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "merchant");
  if (!id) return http::error_from(id.error());
  auto to = organisation_choice(req);
  if (!to) return http::error_from(to.error());
  auto m =
      domain::give_merchant(ctx, caller.scope, *id, to->organisation, to->reason, caller.actor());
  if (!m) return http::error_from(m.error());
  return merchant_response(ctx, caller, 200, domain::merchant_view(ctx, *m));
}

// The queue: ?status=open|closed, ?serial=, ?offset=, ?limit= (1-200); open first.
Response list_tickets(domain::Context& ctx, Request& req, const Caller& caller) {
  store::TicketQuery q{req.query_or("status", ""),
                       std::string(text::trim(req.query_or("serial", "")))};
  q.org_path = caller.scope.query_path();  // a subtree's: its terminals' tickets
  if (q.status != "" && q.status != "open" && q.status != "closed")
    return http::error_from(
        make_error(Code::kInvalidArgument, "status must be open or closed (or left out for all)"));
  try {
    q.offset = std::max<std::int64_t>(0, std::stoll(req.query_or("offset", "0")));
    q.limit = std::clamp<std::int64_t>(std::stoll(req.query_or("limit", "200")), 1, 200);
  } catch (const std::exception&) {
    return http::error_from(make_error(Code::kInvalidArgument, "offset and limit must be numbers"));
  }
  auto page = domain::ticket_queue(ctx, q);
  if (!page) return http::error_from(page.error());
  bj::array out;
  for (const auto& t : page->tickets) out.push_back(ticket_json(t));
  return http::json_response(
      200, bj::object{
               {"tickets", out}, {"total", page->total}, {"offset", q.offset}, {"limit", q.limit}});
}

bj::object note_json(const store::TicketNoteRecord& n) {
  return bj::object{
      {"id", n.id}, {"author", n.author}, {"text", n.text}, {"time", format_utc(n.time)}};
}

// One ticket with its terminal, the terminal's merchant (masked) and its notes.
Response get_ticket(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "ticket");
  if (!id) return http::error_from(id.error());
  if (auto in = domain::ticket_in(ctx, caller.scope, *id); !in) return http::error_from(in.error());
  auto d = domain::ticket_detail(ctx, *id);
  if (!d) return http::error_from(d.error());
  bj::object out{{"ticket", ticket_json(d->ticket)}, {"terminal", nullptr}, {"merchant", nullptr}};
  if (const auto& term = d->terminal) {
    bj::object o{{"serial", term->serial},
                 {"model", term->model},
                 {"version", term->installed_version},
                 {"group", term->group},
                 {"last_seen", utc_or_null(term->last_seen)}};
    if (d->policy) o["policy"] = d->policy->to_json();
    out["terminal"] = std::move(o);
  }
  // The terminal's merchant, if it is of the caller's subtree too.
  if (d->merchant) {
    auto shown = domain::sees_merchant(ctx, caller.scope, d->merchant->merchant.id);
    if (!shown) return http::error_from(shown.error());
    if (*shown) {
      auto m = merchant_json(ctx, caller.scope, *d->merchant);
      if (!m) return http::error_from(m.error());
      out["merchant"] = std::move(*m);
    }
  }
  bj::array ns;
  for (const auto& n : d->notes) ns.push_back(note_json(n));
  out["notes"] = std::move(ns);
  return http::json_response(200, out);
}

Response post_ticket_note(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "ticket");
  auto body = body_object(req);
  if (!id) return http::error_from(id.error());
  if (!body) return http::error_from(body.error());
  if (auto in = domain::ticket_in(ctx, caller.scope, *id); !in) return http::error_from(in.error());
  auto n = domain::add_ticket_note(ctx, *id, json::string_or(*body, "text", ""),
                                   caller.actor("support"));
  if (!n) return http::error_from(n.error());
  return http::json_response(201, note_json(*n));
}

// ?q=: part of a legal name, a whole phone number or the start of a serial.
Response find_merchants(domain::Context& ctx, Request& req, const Caller& caller) {
  auto ms = domain::find_merchants(ctx, req.query_or("q", ""), caller.scope.query_path());
  if (!ms) return http::error_from(ms.error());
  bj::array out;
  for (const auto& m : *ms) {
    auto o = merchant_json(ctx, caller.scope, domain::merchant_view(ctx, m));
    if (!o) return http::error_from(o.error());
    out.push_back(std::move(*o));
  }
  return http::json_response(200, bj::object{{"merchants", out}});
}

Response close_ticket(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "ticket");
  auto body = body_object(req);
  if (!id) return http::error_from(id.error());
  if (!body) return http::error_from(body.error());
  if (auto in = domain::ticket_in(ctx, caller.scope, *id); !in) return http::error_from(in.error());
  auto t =
      domain::close_ticket(ctx, *id, json::string_or(*body, "note", ""), caller.actor("support"));
  if (!t) return http::error_from(t.error());
  return http::json_response(200, ticket_json(*t));
}

Response post_verification(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  // A caller outside the acquirer verifies the merchants of its subtree, from their terminals of
  // it: another terminal is not found, and another merchant's terminal has none on record.
  auto v = domain::start_verification(
      ctx, json::string_or(*body, "terminal", ""), json::string_or(*body, "legal_name", ""),
      json::string_or(*body, "id_last4", ""), caller.actor("support"), caller.scope);
  if (!v) return verification_error(ctx, v.error(), "identity_mismatch");
  auto o = verification_json(*v);
  if (auto m = domain::merchant_view(ctx, v->merchant_id); m)
    o["code_sent_to"] = domain::mask(m->merchant.phone, 3, 4);
  return http::json_response(201, o);
}

Response post_code(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "verification");
  auto body = body_object(req);
  if (!id) return http::error_from(id.error());
  if (!body) return http::error_from(body.error());
  auto v =
      domain::confirm_code(ctx, *id, json::string_or(*body, "code", ""), caller.actor("support"));
  if (!v) return verification_error(ctx, v.error(), "wrong_code", *id, caller.name);
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
  const bool ask_admin = req.path.ends_with("/ask-admin");
  auto changed =
      ask_admin
          ? domain::support_ask_admin(ctx, *id, *patch, json::string_or(*body, "reason", ""),
                                      caller.actor("support"), caller.scope)
          : domain::support_change_policy(ctx, *id, *patch, json::string_or(*body, "reason", ""),
                                          caller.actor("support"), caller.scope);
  if (!changed && changed.error().code == Code::kLocked && !ask_admin) {
    // Locked: not a dead end — the desk offers to ask an administrator.
    const std::string next = "/api/v1/support/verifications/" + std::to_string(*id) + "/ask-admin";
    return http::json_response(409,
                               bj::object{{"error", bj::object{{"code", "locked"},
                                                               {"message", changed.error().message},
                                                               {"ask_admin", next}}}});
  }
  if (!changed) return verification_error(ctx, changed.error(), "not_verified");
  bj::array terminals;
  for (const auto& s : *changed) terminals.push_back(bj::string(s));
  return http::json_response(200, bj::object{{"terminals", terminals}, {"asked_admin", ask_admin}});
}

}  // namespace

void add_support_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "POST", "/api/v1/merchants", P::kMerchant, post_merchant);
  add_route(router, ctx, "GET", "/api/v1/merchants", P::kSupport, find_merchants);
  add_route(router, ctx, "GET", "/api/v1/merchants/{id}", P::kSupport, get_merchant);
  add_route(router, ctx, "POST", "/api/v1/merchants/{id}/terminals", P::kMerchant,
            post_merchant_terminal);
  add_route(router, ctx, "PUT", "/api/v1/merchants/{id}/organisation", P::kMerchant,
            put_merchant_organisation);
  add_route(router, ctx, "GET", "/api/v1/support/tickets", P::kSupport, list_tickets);
  add_route(router, ctx, "GET", "/api/v1/support/tickets/{id}", P::kSupport, get_ticket);
  add_route(router, ctx, "POST", "/api/v1/support/tickets/{id}/notes", P::kSupport,
            post_ticket_note);
  add_route(router, ctx, "POST", "/api/v1/support/tickets/{id}/close", P::kSupport, close_ticket);
  add_route(router, ctx, "POST", "/api/v1/support/verifications", P::kSupport, post_verification);
  add_route(router, ctx, "POST", "/api/v1/support/verifications/{id}/code", P::kSupport, post_code);
  add_route(router, ctx, "POST", "/api/v1/support/verifications/{id}/policy", P::kSupport,
            post_support_policy);
  add_route(router, ctx, "POST", "/api/v1/support/verifications/{id}/ask-admin", P::kSupport,
            post_support_policy);
}

}  // namespace posfleet::api
