#include "server/api/organisations_api.h"

#include <boost/json.hpp>

#include <algorithm>

#include "server/api/api_common.h"
#include "server/domain/organisations.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

bj::object organisation_json(const store::OrganisationRecord& o) {
  return bj::object{{"id", o.id},
                    {"parent", o.parent_id ? bj::value(o.parent_id) : bj::value(nullptr)},
                    {"kind", o.kind},
                    {"name", o.name},
                    // How far below the root: the path holds one "/" more per level.
                    {"depth", std::count(o.path.begin(), o.path.end(), '/') - 2},
                    {"created_by", o.created_by},
                    {"created", utc_or_null(o.created)}};
}

Response list_organisations(domain::Context& ctx, Request& req, const Caller& caller) {
  auto limit = bounded_number(req.query_or("limit", ""), "limit", 1000, 1, 10000);
  if (!limit) return http::error_from(limit.error());
  auto views = domain::list_organisations(ctx, caller.scope, *limit);
  if (!views) return http::error_from(views.error());
  bj::array out;
  for (const auto& v : *views) {
    auto o = organisation_json(v.org);
    o["terminals"] = v.terminals;
    out.push_back(std::move(o));
  }
  return http::json_response(200, bj::object{{"own", caller.scope.org_id}, {"organisations", out}});
}

Response get_organisation(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "organisation id");
  if (!id) return http::error_from(id.error());
  auto o = domain::organisation_in(ctx, caller.scope, *id);
  if (!o) return http::error_from(o.error());
  return http::json_response(200, organisation_json(*o));
}

Response post_organisation(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  domain::OrganisationInput in;
  auto name = text_field(*body, "name");
  if (!name) return http::error_from(name.error());
  auto kind = text_field(*body, "kind");
  if (!kind) return http::error_from(kind.error());
  auto parent = id_field(*body, "parent", "an organisation's id");
  if (!parent) return http::error_from(parent.error());
  in.name = std::move(*name);
  in.kind = std::move(*kind);
  in.parent = *parent;
  auto o = domain::create_organisation(ctx, caller.scope, in, caller.actor());
  if (!o) return http::error_from(o.error());
  return http::json_response(201, organisation_json(*o));
}

Response put_terminal_organisation(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto to = id_field(*body, "organisation", "an organisation's id");
  if (!to) return http::error_from(to.error());
  if (*to == 0)
    return http::error_from(
        make_error(Code::kInvalidArgument, "send {\"organisation\": <id>, \"reason\": \"...\"}"));
  auto reason = text_field(*body, "reason");
  if (!reason) return http::error_from(reason.error());
  const bool may_change_locks =
      role_allows(caller.role, Permission::kLock) && caller.scope.whole_tree();
  auto m = domain::move_terminal(ctx, caller.scope, req.param("serial"), *to, caller.actor(),
                                 *reason, may_change_locks);
  if (!m) return http::error_from(m.error());
  return http::json_response(200, bj::object{{"serial", m->terminal.serial},
                                             {"organisation", organisation_json(m->to)},
                                             {"from", organisation_json(m->from)}});
}

}  // namespace

void add_organisations_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "GET", "/api/v1/organisations", P::kRead, list_organisations);
  add_route(router, ctx, "POST", "/api/v1/organisations", P::kAdmin, post_organisation);
  add_route(router, ctx, "GET", "/api/v1/organisations/{id}", P::kRead, get_organisation);
  add_route(router, ctx, "PUT", "/api/v1/terminals/{serial}/organisation", P::kTerminal,
            put_terminal_organisation);
}

}  // namespace posfleet::api
