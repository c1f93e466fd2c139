#include "server/api/terminal_control_api.h"

#include <boost/json.hpp>

#include "server/api/api_common.h"
#include "server/domain/organisations.h"
#include "server/domain/terminal_actions.h"
#include "server/domain/terminal_lock.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

// A lock as people see it: never its code or its check.
bj::object lock_json(const std::string& serial, const store::TerminalLockRecord& l) {
  return bj::object{{"serial", serial},
                    {"id", l.id},
                    {"locked", l.state == "locked"},
                    {"state", l.state},
                    {"reason", l.reason},
                    {"locked_by", l.locked_by},
                    {"locked_at", utc_or_null(l.locked_at)},
                    {"ended_at", utc_or_null(l.ended_at)},
                    {"ended_by", l.ended_by},
                    {"ended_how", l.ended_how},
                    {"code_issued_at", utc_or_null(l.code_issued_at)},
                    {"code_issued_by", l.code_issued_by}};
}

Response get_lock(domain::Context& ctx, Request& req, const Caller& caller) {
  auto t = domain::terminal_in(ctx, caller.scope, req.param("serial"));
  if (!t) return http::error_from(t.error());
  auto l = domain::terminal_lock_of(ctx, *t);
  if (!l && l.error().code == Code::kNotFound)
    return http::json_response(
        200, bj::object{{"serial", t->serial}, {"locked", false}, {"state", nullptr}});
  if (!l) return http::error_from(l.error());
  return http::json_response(200, lock_json(t->serial, *l));
}

Response post_lock(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto reason = text_field(*body, "reason");
  if (!reason) return http::error_from(reason.error());
  auto l = domain::lock_terminal(ctx, caller.scope, req.param("serial"), *reason, caller.actor());
  if (!l) return http::error_from(l.error());
  return http::json_response(201, lock_json(req.param("serial"), *l));
}

Response post_release(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto reason = text_field(*body, "reason");
  if (!reason) return http::error_from(reason.error());
  auto l = domain::release_terminal_lock(ctx, caller.scope, req.param("serial"), *reason,
                                         caller.actor());
  if (!l) return http::error_from(l.error());
  return http::json_response(200, lock_json(req.param("serial"), *l));
}

Response post_unlock_code(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "verification id");
  if (!id) return http::error_from(id.error());
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto serial = text_field(*body, "serial");
  if (!serial) return http::error_from(serial.error());
  auto reason = text_field(*body, "reason");
  if (!reason) return http::error_from(reason.error());
  if (auto t = domain::terminal_in(ctx, caller.scope, *serial); !t)  // a subtree's own
    return http::error_from(t.error());
  auto code = domain::issue_unlock_code(ctx, *id, *serial, *reason, caller.actor("support"));
  if (!code) return http::error_from(code.error());
  auto r = http::json_response(200, bj::object{{"serial", *serial}, {"code", *code}});
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

bj::object action_json(const store::TerminalActionRecord& a) {
  return bj::object{{"id", a.id},
                    {"kind", a.kind},
                    {"reason", a.reason},
                    {"requested_by", a.requested_by},
                    {"requested_at", utc_or_null(a.requested_at)},
                    {"state", a.state},
                    {"done_at", utc_or_null(a.done_at)},
                    {"detail", a.detail},
                    {"bundle_size", a.bundle_size}};
}

Response post_action(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto kind = text_field(*body, "kind");
  if (!kind) return http::error_from(kind.error());
  auto reason = text_field(*body, "reason");
  if (!reason) return http::error_from(reason.error());
  auto a = domain::request_action(ctx, caller.scope, req.param("serial"), *kind, *reason,
                                  caller.actor());
  if (!a) return http::error_from(a.error());
  return http::json_response(201, action_json(*a));
}

Response list_actions(domain::Context& ctx, Request& req, const Caller& caller) {
  auto all = domain::actions_of(ctx, caller.scope, req.param("serial"));
  if (!all) return http::error_from(all.error());
  bj::array out;
  for (const auto& a : *all) out.push_back(action_json(a));
  return http::json_response(200, bj::object{{"serial", req.param("serial")}, {"actions", out}});
}

Response get_bundle(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "action id");
  if (!id) return http::error_from(id.error());
  auto b = domain::download_bundle(ctx, caller.scope, req.param("serial"), *id, caller.actor());
  if (!b) return http::error_from(b.error());
  Response r;
  r.status = 200;
  r.body = std::move(*b);
  r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  r.headers.push_back(
      {"Content-Disposition", "attachment; filename=\"logs-" + std::to_string(*id) + ".txt\""});
  r.headers.push_back({"Cache-Control", "no-store"});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  return r;
}

}  // namespace

void add_terminal_control_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "GET", "/api/v1/terminals/{serial}/lock", P::kRead, get_lock);
  add_route(router, ctx, "POST", "/api/v1/terminals/{serial}/lock", P::kControl, post_lock);
  add_route(router, ctx, "POST", "/api/v1/terminals/{serial}/lock/release", P::kControl,
            post_release);
  add_route(router, ctx, "GET", "/api/v1/terminals/{serial}/actions", P::kRead, list_actions);
  add_route(router, ctx, "POST", "/api/v1/terminals/{serial}/actions", P::kControl, post_action);
  add_route(router, ctx, "GET", "/api/v1/terminals/{serial}/actions/{id}/bundle", P::kControl,
            get_bundle);
  add_route(router, ctx, "POST", "/api/v1/support/verifications/{id}/unlock-code", P::kSupport,
            post_unlock_code);
}

}  // namespace posfleet::api
