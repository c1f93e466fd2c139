#include "server/api/freezes_api.h"

#include <boost/json.hpp>

#include <tuple>

#include "core/json.h"
#include "server/api/api_common.h"
#include "server/domain/freezes.h"
#include "server/domain/organisations.h"
#include "server/domain/time_zones.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

bj::object freeze_json(const store::FreezeRecord& f) {
  return bj::object{{"id", f.id},
                    {"scope", f.scope},
                    {"group", f.scope == "group" ? bj::value(f.group) : bj::value(nullptr)},
                    {"from", f.from},
                    {"to", f.to},
                    {"reason", f.reason},
                    {"security", f.security},
                    {"created_by", f.created_by},
                    {"created", f.created}};
}

namespace {

Response list_freezes(domain::Context& ctx, Request&, const Caller&) {
  auto fs = domain::list_freezes(ctx);
  if (!fs) return http::error_from(fs.error());
  bj::array out;
  for (const auto& f : *fs) out.push_back(freeze_json(f));
  return http::json_response(200, bj::object{{"freezes", std::move(out)}});
}

Response post_freeze(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  domain::FreezeInput in;
  for (auto [key, out, fallback] :
       {std::tuple{"scope", &in.scope, "fleet"}, std::tuple{"group", &in.group, ""},
        std::tuple{"from", &in.from, ""}, std::tuple{"to", &in.to, ""},
        std::tuple{"reason", &in.reason, ""}, std::tuple{"security", &in.security, "hold"}}) {
    auto v = text_field(*body, key, fallback);
    if (!v) return http::error_from(v.error());
    *out = std::move(*v);
  }
  // A group named without a scope means that group.
  if (!body->contains("scope") && !in.group.empty()) in.scope = "group";
  auto f = domain::create_freeze(ctx, in, caller.actor());
  if (!f) return http::error_from(f.error());
  return http::json_response(201, freeze_json(*f));
}

Response delete_freeze(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "freeze id");
  if (!id) return http::error_from(id.error());
  std::string reason;
  if (!req.body.empty()) {
    auto body = body_object(req);
    if (!body) return http::error_from(body.error());
    auto r = text_field(*body, "reason");
    if (!r) return http::error_from(r.error());
    reason = std::move(*r);
  }
  auto f = domain::delete_freeze(ctx, *id, caller.actor(), reason);
  if (!f) return http::error_from(f.error());
  return http::json_response(200, freeze_json(*f));
}

// The body of a time-zone change: {"time_zone": "Asia/Urumqi" or "" for the default, "reason"}.
struct ZoneBody {
  std::string tz, reason;
};
Expected<ZoneBody> zone_body(const Request& req) {
  auto body = body_object(req);
  if (!body) return body.error();
  const auto* v = body->if_contains("time_zone");
  if (!v || !v->is_string())
    return make_error(
        Code::kInvalidArgument,
        "send {\"time_zone\": \"Asia/Urumqi\"} (an IANA zone), or \"\" for the default");
  auto reason = text_field(*body, "reason");
  if (!reason) return reason.error();
  return ZoneBody{std::string(v->get_string()), *reason};
}

Response put_time_zone(domain::Context& ctx, Request& req, const Caller& caller) {
  auto b = zone_body(req);
  if (!b) return http::error_from(b.error());
  auto c =
      domain::set_terminal_time_zone(ctx, req.param("serial"), b->tz, caller.actor(), b->reason);
  if (!c) return http::error_from(c.error());
  return http::json_response(200, bj::object{{"serial", c->terminal.serial},
                                             {"time_zone", c->effective.tz},
                                             {"time_zone_source", to_string(c->effective.source)},
                                             {"own_time_zone", c->terminal.time_zone}});
}

Response put_merchant_time_zone(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "merchant");
  if (!id) return http::error_from(id.error());
  auto b = zone_body(req);
  if (!b) return http::error_from(b.error());
  // The merchant's zone is that of every terminal of it: a reseller sets it only when they are all
  // its own.
  if (!caller.scope.whole_tree()) {
    auto terminals = ctx.store.terminals_of_merchant(*id);
    if (!terminals) return http::error_from(terminals.error());
    for (const auto& t : *terminals) {
      auto held = domain::holds_terminal(ctx, caller.scope, t);
      if (!held) return http::error_from(held.error());
      if (!*held)
        return http::error_from(make_error(
            Code::kForbidden, "merchant " + std::to_string(*id) +
                                  " also has terminals outside your organisation, whose update "
                                  "windows its time zone sets; ask the acquirer's staff"));
    }
  }
  if (auto s = domain::set_merchant_time_zone(ctx, *id, b->tz, caller.actor(), b->reason); !s)
    return http::error_from(s.error());
  return http::json_response(200, bj::object{{"id", *id}, {"time_zone", b->tz}});
}

}  // namespace

void add_freezes_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "GET", "/api/v1/freezes", P::kRead, list_freezes);
  add_route(router, ctx, "POST", "/api/v1/freezes", P::kAdmin, post_freeze);
  add_route(router, ctx, "DELETE", "/api/v1/freezes/{id}", P::kAdmin, delete_freeze);
  add_route(router, ctx, "PUT", "/api/v1/terminals/{serial}/time-zone", P::kAdmin, put_time_zone);
  add_route(router, ctx, "PUT", "/api/v1/merchants/{id}/time-zone", P::kAdmin,
            put_merchant_time_zone);
}

}  // namespace posfleet::api
