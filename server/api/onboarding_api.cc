// posfleet server: applying for a terminal over HTTP (domain/onboarding.h).
//
// Public, no log-in (limited per address): the model catalogue, phone codes,
// submitting an application, its status, and enrolling a terminal with its
// activation code. Staff (permission kOnboard): the review queue, re-running
// the verification provider, approve, reject, shipping.
// No response carries a full resident ID, card or phone number.
// Thread-safety: handlers are stateless over the Context.
#include "server/api/onboarding_api.h"

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "server/api/api_common.h"
#include "server/api/request_text.h"
#include "server/domain/audit.h"
#include "server/domain/device_ca.h"
#include "server/domain/onboarding.h"
#include "server/domain/rate_limit.h"
#include "server/domain/secrets.h"
#include "server/http/media_type.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

bj::value parsed(const std::string& text) {
  auto v = json::parse(text);
  return v ? *v : bj::value(nullptr);
}

bj::array csv_array(const std::string& csv) {
  bj::array out;
  for (size_t pos = 0; pos < csv.size();) {
    auto comma = csv.find(',', pos);
    if (comma == std::string::npos) comma = csv.size();
    out.push_back(bj::string(csv.substr(pos, comma - pos)));
    pos = comma + 1;
  }
  return out;
}

// What staff see: masked numbers, the provider's answers, the decisions.
bj::object application_json(const store::ApplicationRecord& a) {
  return bj::object{{"id", a.id},
                    {"number", a.number},
                    {"kind", a.kind},
                    {"legal_name", a.legal_name},
                    {"resident_id", a.resident_id_masked},
                    {"business_name", a.business_name},
                    {"credit_code", a.credit_code},
                    {"phone", domain::mask(a.phone, 3, 4)},
                    {"card", a.card_masked},
                    {"bank", a.bank},
                    {"address", a.address},
                    {"model", a.model},
                    {"status", a.status},
                    {"checks", parsed(a.checks_json)},
                    {"reason", a.reason},
                    {"reviewer", a.reviewer},
                    {"carrier", a.carrier},
                    {"tracking", a.tracking},
                    {"serials", csv_array(a.serials_csv)},
                    {"merchant_id", a.merchant_id},
                    {"organisation", a.org_id},
                    {"created", format_utc(a.created)},
                    {"updated", format_utc(a.updated)}};
}

// What the applicant sees with the number and phone.
bj::object status_json(const store::ApplicationRecord& a) {
  bj::object o{{"number", a.number},
               {"status", a.status},
               {"model", a.model},
               {"created", format_utc(a.created)},
               {"updated", format_utc(a.updated)}};
  if (a.status == "rejected") o["reason"] = a.reason;
  if (!a.carrier.empty()) {
    o["carrier"] = a.carrier;
    o["tracking"] = a.tracking;
  }
  return o;
}

// Public routes: limited per address, and only JSON bodies (a cross-site form
// cannot send application/json without the browser asking first). The
// listener already refuses any other body with 415; this also refuses a
// request without one.
Expected<bj::object> public_body(domain::Context& ctx, const Request& req) {
  if (ctx.public_limit) {
    auto allowed = ctx.public_limit->allow(client_address(ctx, req), unix_now());
    if (!allowed) return allowed.error().with_context("counting requests from your address");
    if (!*allowed)
      return make_error(Code::kTooManyRequests,
                        "too many requests from your address; wait a minute and try again");
  }
  if (!http::media_type_is(req.header("content-type"), "application", "json"))
    return make_error(Code::kInvalidArgument, "send the request as application/json");
  return body_object(req);
}

Response refused(const Error& e) {
  if (e.code == Code::kTooManyRequests) {
    auto r = http::error_response(429, "too_many_attempts", e.message);
    r.headers.push_back({"Retry-After", "60"});
    return r;
  }
  // A wrong code is the applicant's mistake, not a lost session.
  if (e.code == Code::kUnauthorized) return http::error_response(400, "wrong_code", e.message);
  return http::error_from(e);
}

Response get_catalogue(domain::Context& ctx, Request&) {
  bj::array models;
  for (const auto& m : domain::terminal_catalogue(ctx))
    models.push_back(bj::object{{"id", m.id},
                                {"kind", m.kind},
                                {"name_zh", m.name_zh},
                                {"name_en", m.name_en},
                                {"text_zh", m.text_zh},
                                {"text_en", m.text_en}});
  return http::json_response(200, bj::object{{"models", models}});
}

Response post_phone_code(domain::Context& ctx, Request& req) {
  auto body = public_body(ctx, req);
  if (!body) return refused(body.error());
  auto c = domain::send_phone_code(ctx, json::string_or(*body, "phone", ""));
  if (!c) return refused(c.error());
  return http::json_response(201,
                             bj::object{{"id", c->id}, {"expires_in", domain::kPhoneCodeSeconds}});
}

Response post_phone_code_confirm(domain::Context& ctx, Request& req) {
  auto body = public_body(ctx, req);
  if (!body) return refused(body.error());
  auto id = positive_id(req.param("id"), "code");
  if (!id) return http::error_from(id.error());
  if (auto s = domain::confirm_phone_code(ctx, *id, json::string_or(*body, "code", "")); !s)
    return refused(s.error());
  return http::json_response(200, bj::object{{"verified", true}});
}

Response post_application(domain::Context& ctx, Request& req) {
  auto body = public_body(ctx, req);
  if (!body) return refused(body.error());
  domain::ApplicationInput in;
  in.kind = json::string_or(*body, "kind", "");
  in.legal_name = json::string_or(*body, "legal_name", "");
  in.resident_id = json::string_or(*body, "resident_id", "");
  in.business_name = json::string_or(*body, "business_name", "");
  in.credit_code = json::string_or(*body, "credit_code", "");
  in.phone = json::string_or(*body, "phone", "");
  if (auto* v = body->if_contains("phone_code_id"); v && v->is_int64())
    in.phone_code_id = v->get_int64();
  in.card = json::string_or(*body, "card", "");
  in.bank = json::string_or(*body, "bank", "");
  in.address = json::string_or(*body, "address", "");
  in.model = json::string_or(*body, "model", "");
  auto r = domain::submit_application(ctx, in);
  if (!r) return refused(r.error());
  if (!r->errors.empty()) {
    bj::object fields;
    for (const auto& [field, why] : r->errors) fields[field] = why;
    return http::json_response(
        400, bj::object{{"error", bj::object{{"code", "invalid_argument"},
                                             {"message", "some fields need correcting"},
                                             {"fields", fields}}}});
  }
  return http::json_response(201, status_json(r->record));
}

Response post_status(domain::Context& ctx, Request& req) {
  auto body = public_body(ctx, req);
  if (!body) return refused(body.error());
  auto a = domain::application_status(ctx, json::string_or(*body, "number", ""),
                                      json::string_or(*body, "phone", ""));
  if (!a) return refused(a.error());
  return http::json_response(200, status_json(*a));
}

Response post_enroll(domain::Context& ctx, Request& req) {
  auto body = public_body(ctx, req);
  if (!body) return refused(body.error());
  auto e = domain::enroll_terminal(ctx, json::string_or(*body, "code", ""),
                                   json::string_or(*body, "serial", ""),
                                   json::string_or(*body, "model", ""), client_address(ctx, req),
                                   json::string_or(*body, "csr", ""));
  if (!e) return refused(e.error());
  bj::object o{{"serial", e->terminal.serial},
               {"model", e->terminal.model},
               {"tenant", e->terminal.tenant},
               {"token", e->token}};
  // With a CSR: the terminal's certificate and the CA that issued it (to check
  // it against; the server's own TLS certificate is checked with ca_bundle).
  if (e->certificate) {
    o["certificate"] = e->certificate->pem;
    o["device_ca"] = ctx.device_ca->cert_pem();
  }
  return http::json_response(200, o);
}

Response list_applications(domain::Context& ctx, Request& req, const Caller& caller) {
  const auto status = req.query_or("status", "");
  std::optional<domain::ApplicationStatus> wanted;
  if (!status.empty()) {
    auto parsed = domain::application_status_named(status);
    if (!parsed) return http::error_from(parsed.error());
    wanted = *parsed;
  }
  auto rows = domain::list_applications(ctx, wanted, caller.scope.query_path());
  if (!rows) return http::error_from(rows.error());
  bj::array out;
  for (const auto& a : *rows) out.push_back(application_json(a));
  return http::json_response(200, bj::object{{"applications", out}});
}

Response get_application(domain::Context& ctx, Request& req, const Caller&) {
  auto id = positive_id(req.param("id"), "application");
  if (!id) return http::error_from(id.error());
  auto d = domain::application_detail(ctx, *id);
  if (!d) return http::error_from(d.error());
  auto o = application_json(d->record);
  bj::array activations;
  for (const auto& act : d->activations)
    activations.push_back(
        bj::object{{"serial", act.serial},
                   {"expires", format_utc(act.expires)},
                   {"replaced", act.used < 0},
                   {"used", act.used > 0 ? bj::value(format_utc(act.used)) : bj::value(nullptr)}});
  o["activations"] = std::move(activations);
  return http::json_response(200, o);
}

// Gives a submitted application to an organisation of the caller's subtree, whose staff review it.
Response put_application_organisation(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "application");
  if (!id) return http::error_from(id.error());
  auto to = organisation_choice(req);
  if (!to) return http::error_from(to.error());
  auto a = domain::give_application(ctx, caller.scope, *id, to->organisation, to->reason,
                                    caller.actor());
  if (!a) return http::error_from(a.error());
  return http::json_response(200, application_json(*a));
}

Response post_verify(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "application");
  if (!id) return http::error_from(id.error());
  auto a = domain::reverify_application(ctx, *id, caller.actor());
  if (!a) return http::error_from(a.error());
  return http::json_response(200, application_json(*a));
}

Response post_approve(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "application");
  if (!id) return http::error_from(id.error());
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  std::vector<std::string> serials;
  if (auto* v = body->if_contains("serials"); v && v->is_array())
    for (const auto& s : v->as_array())
      if (s.is_string() && !s.get_string().empty()) serials.emplace_back(s.get_string());
  auto r = domain::approve_application(ctx, *id, serials, json::string_or(*body, "reason", ""),
                                       caller.actor());
  if (!r) return http::error_from(r.error());
  bj::array codes;
  for (const auto& [serial, code] : r->codes)
    codes.push_back(bj::object{{"serial", serial}, {"code", code}});
  auto o = application_json(r->record);
  o["activation_codes"] = std::move(codes);
  return http::json_response(200, o);
}

Response post_activation_code(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "application");
  if (!id) return http::error_from(id.error());
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  const auto serial = json::string_or(*body, "serial", "");
  auto code = domain::reissue_activation(ctx, *id, serial, json::string_or(*body, "reason", ""),
                                         caller.actor());
  if (!code) return http::error_from(code.error());
  return http::json_response(201, bj::object{{"serial", serial}, {"code", *code}});
}

Response post_reject(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "application");
  if (!id) return http::error_from(id.error());
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto a =
      domain::reject_application(ctx, *id, json::string_or(*body, "reason", ""), caller.actor());
  if (!a) return http::error_from(a.error());
  return http::json_response(200, application_json(*a));
}

Response post_shipping(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "application");
  if (!id) return http::error_from(id.error());
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto a = domain::record_shipping(ctx, *id, json::string_or(*body, "carrier", ""),
                                   json::string_or(*body, "tracking", ""), caller.actor());
  if (!a) return http::error_from(a.error());
  return http::json_response(200, application_json(*a));
}

}  // namespace

void add_onboarding_routes(http::Router& router, domain::Context& ctx) {
  auto pub = [&](const char* method, const std::string& path,
                 Response (*f)(domain::Context&, Request&)) {
    router.add(
        method, path,
        [&ctx, f](Request& r) {
          const domain::AuditAddress where(client_address(ctx, r));  // on its audit entries
          if (auto s = check_request_text(r); !s) return http::error_from(s.error());
          return f(ctx, r);
        },
        http::Work::kBlocking);
  };
  pub("GET", "/api/v1/public/catalogue", get_catalogue);
  pub("POST", "/api/v1/public/phone-codes", post_phone_code);
  pub("POST", "/api/v1/public/phone-codes/{id}/confirm", post_phone_code_confirm);
  pub("POST", "/api/v1/public/applications", post_application);
  pub("POST", "/api/v1/public/applications/status", post_status);
  pub("POST", "/api/v1/public/enroll", post_enroll);
  using P = Permission;
  add_route(router, ctx, "GET", "/api/v1/applications", P::kOnboard, list_applications);
  add_route(router, ctx, "GET", "/api/v1/applications/{id}", P::kOnboard, get_application);
  add_route(router, ctx, "PUT", "/api/v1/applications/{id}/organisation", P::kOnboard,
            put_application_organisation);
  add_route(router, ctx, "POST", "/api/v1/applications/{id}/verify", P::kOnboard, post_verify);
  add_route(router, ctx, "POST", "/api/v1/applications/{id}/approve", P::kOnboard, post_approve,
            http::Work::kBlocking);
  add_route(router, ctx, "POST", "/api/v1/applications/{id}/reject", P::kOnboard, post_reject);
  add_route(router, ctx, "POST", "/api/v1/applications/{id}/activation-codes", P::kOnboard,
            post_activation_code);
  add_route(router, ctx, "POST", "/api/v1/applications/{id}/shipping", P::kOnboard, post_shipping);
}

}  // namespace posfleet::api
