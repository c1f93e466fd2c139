#include "server/api/rollout_api.h"

#include <boost/json.hpp>

#include <set>

#include "core/clock.h"
#include "core/json.h"
#include "server/api/terminal_filter.h"
#include "server/domain/audit.h"
#include "server/domain/deployments.h"
#include "server/domain/policy_bulk.h"
#include "server/domain/rollout.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

Response invalid(const std::string& message) {
  return http::error_response(400, "invalid_argument", message);
}

// The body's "patch": the policy fields to set (core/policy.h).
Expected<PolicyPatch> patch_of(const bj::object& body) {
  auto* p = body.if_contains("patch");
  if (!p || !p->is_object())
    return make_error(Code::kInvalidArgument, "patch must be an object of policy fields to set");
  return PolicyPatch::from_json(p->get_object());
}

// The body's "filter" (terminal_filter.h), required.
// Within the caller's subtree (an organisation named in it must lie there).
Expected<store::TerminalQuery> filter_of(domain::Context& ctx, const bj::object& body,
                                         const domain::Scope& scope) {
  auto* f = body.if_contains("filter");
  if (!f || !f->is_object())
    return make_error(Code::kInvalidArgument, "filter must be an object of terminal filter fields");
  return terminal_query(ctx, scope, f->get_object());
}

Response post_policy_preview(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto patch = patch_of(*body);
  if (!patch) return http::error_from(patch.error());
  Expected<domain::PolicyPreview> p = domain::PolicyPreview{};
  if (body->contains("filter")) {
    auto q = filter_of(ctx, *body, caller.scope);
    if (!q) return http::error_from(q.error());
    p = domain::preview_terminals(ctx, *q, *patch);
  } else {
    const std::string scope = json::string_or(*body, "scope", "");
    const std::string key = scope == "fleet" ? "" : json::string_or(*body, "key", "");
    p = domain::preview_scope(ctx, scope, key, *patch);
  }
  if (!p) return http::error_from(p.error());
  return http::json_response(
      200, bj::object{{"in_scope", p->in_scope}, {"changing", p->changing}, {"locked", p->locked}});
}

Response post_policy_bulk(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto patch = patch_of(*body);
  if (!patch) return http::error_from(patch.error());
  if ((patch->locked || patch->lock_reason) && !role_allows(caller.role, Permission::kLock))
    return http::error_from(
        make_error(Code::kForbidden, "only an administrator may lock or unlock a policy"));
  auto q = filter_of(ctx, *body, caller.scope);
  if (!q) return http::error_from(q.error());
  // The domain checks the reason, the lock's reason and each terminal's lock.
  auto out =
      domain::bulk_policy(ctx, *q, *patch, caller.actor(), json::string_or(*body, "reason", ""));
  if (!out) return http::error_from(out.error());
  return http::json_response(
      200,
      bj::object{{"matched", out->matched}, {"applied", out->applied}, {"refused", out->refused}});
}

// What a deployment or cancel request names (domain/rollout.h TargetSpec); the body's
// "filter" is kept as text for the audit entry.
Expected<domain::TargetSpec> target_spec(domain::Context& ctx, const bj::object& body,
                                         const domain::Scope& scope, std::string* filter_json) {
  domain::TargetSpec spec;
  spec.scope = scope;
  if (auto* list = body.if_contains("terminals")) {
    if (!list->is_array() || list->get_array().empty())
      return make_error(Code::kInvalidArgument, "terminals must list at least one serial");
    spec.serials.emplace();
    for (const auto& v : list->get_array()) {
      if (!v.is_string())
        return make_error(Code::kInvalidArgument, "terminals must be serials (text)");
      spec.serials->emplace_back(v.get_string());
    }
  } else if (auto g = json::string_or(body, "group", ""); !g.empty()) {
    spec.group = g;
  } else if (body.contains("filter")) {
    auto f = filter_of(ctx, body, scope);
    if (!f) return f.error();
    spec.filter = *f;
    *filter_json = json::serialize(body.at("filter"));
  }
  return spec;
}

Response post_deployment_preview(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  if (auto serial = json::string_or(*body, "terminal", ""); !serial.empty()) {
    (*body)["terminals"] = bj::array{bj::string(serial)};
    body->erase("terminal");
  }
  return deploy_many(ctx, *body, caller, true);
}

// A reseller's or merchant's user: its subtree's deployments of a release it sees, without the
// fleet's download bytes.
Response get_progress(domain::Context& ctx, Request& req, const Caller& caller) {
  auto r = domain::release_in(ctx, caller.scope, req.param("version"));
  if (!r) return http::error_from(r.error());
  std::int64_t limit = 50;
  try {
    limit = std::clamp<std::int64_t>(std::stoll(req.query_or("limit", "50")), 1, 1000);
  } catch (const std::exception&) {
    return invalid("limit must be a whole number from 1 to 1000");
  }
  auto p = domain::release_progress(ctx, *r, limit, caller.scope.query_path());
  if (!p) return http::error_from(p.error());
  bj::object counts;
  std::int64_t total = 0;
  for (const auto& [state, n] : p->counts) {
    counts[store::to_string(state)] = n;
    total += n;
  }
  bj::array rows;
  for (const auto& row : p->newest) {
    const auto& d = row.row.deployment;
    rows.push_back(
        bj::object{{"id", d.id},
                   {"terminal", row.row.serial},
                   {"state", store::to_string(row.state)},
                   {"status", store::to_string(d.status)},
                   {"result", store::to_string(d.result)},
                   {"message", d.message},
                   {"percent", row.percent ? bj::value(*row.percent) : bj::value(nullptr)},
                   {"updated", format_utc(d.updated)},
                   {"phase", store::to_string(d.phase)},
                   {"phase_since", d.phase_since},
                   {"rollout_id", d.rollout_id}});
  }
  bj::object out{
      {"release", r->version}, {"counts", counts}, {"total", total}, {"deployments", rows}};
  if (caller.scope.whole_tree())  // the fleet's downloads
    out["bytes"] = bj::object{{"sent", p->bytes.sent}, {"full", p->bytes.full}};
  return http::json_response(200, out);
}

// One sentence for people (the CLI prints it): what was created and why the
// others were skipped.
std::string summary(const std::string& version, const domain::AssignOutcome& out,
                    const bj::object& skipped) {
  static const std::pair<const char*, const char*> kWhy[] = {
      {"already_installed", "already run this release"},
      {"already_open", "already have an open deployment of it"},
      {"installing", "are past downloading another release (deploy again when they finish)"},
      {"busy", "have an open deployment of a newer or equal release"},
      {"wrong_model", "are of a model the release is not for"},
      {"other_organisation", "are not of the organisation the release is for"},
      {"unknown_terminal", "are not registered"}};
  std::string text = "created " + std::to_string(out.created) + " deployment(s) of " + version;
  if (out.replaced)
    text += ", replacing " + std::to_string(out.replaced) + " open deployment(s) of older releases";
  for (const auto& [key, why] : kWhy)
    if (auto n = json::get_int(skipped, key); n && *n > 0)
      text += "; skipped " + std::to_string(*n) + " that " + why;
  return text;
}

Response post_bulk_cancel(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  const std::string version = json::string_or(*body, "release", "");
  if (!version.empty())
    if (auto seen = domain::release_in(ctx, caller.scope, version); !seen)
      return http::error_from(seen.error());
  std::string filter_json;
  auto spec = target_spec(ctx, *body, caller.scope, &filter_json);
  if (!spec) return http::error_from(spec.error());
  const bool named =
      body->contains("terminals") || body->contains("group") || body->contains("filter");
  if (!named) {
    if (version.empty())
      return invalid("name what to cancel: release, and/or terminals, group or filter");
    spec->pending = version;  // every terminal the release is pending on
  }
  auto out = domain::cancel_many(ctx, version, *spec, filter_json, caller.actor(),
                                 json::string_or(*body, "reason", ""));
  if (!out) return http::error_from(out.error());
  bj::object skipped;
  for (const auto& [why, n] : out->skipped) skipped[why] = n;
  bj::array ids;
  for (auto id : out->ids) ids.push_back(id);
  return http::json_response(
      200, bj::object{{"release", version.empty() ? bj::value(nullptr) : bj::value(version)},
                      {"matched", out->matched},
                      {"canceled", out->canceled},
                      {"skipped", skipped},
                      {"deployments", ids}});
}

}  // namespace

Response deploy_many(domain::Context& ctx, const bj::object& body, const Caller& caller,
                     bool dry_run) {
  const std::string version = json::string_or(body, "release", "");
  if (version.empty()) return invalid("choose the release to deploy");
  if (auto seen = domain::release_in(ctx, caller.scope, version); !seen)
    return http::error_from(seen.error());
  std::string filter_json;
  auto spec = target_spec(ctx, body, caller.scope, &filter_json);
  if (!spec) return http::error_from(spec.error());
  auto out = domain::assign_many(ctx, version, *spec, filter_json, dry_run, caller.actor(),
                                 json::string_or(body, "reason", ""));
  if (!out) return http::error_from(out.error());
  bj::object skipped;
  for (const auto& [why, n] : out->skipped) skipped[why] = n;
  bj::array ids;
  for (auto id : out->ids) ids.push_back(id);
  bj::object reply{{"release", version},      {"matched", out->matched},
                   {"created", out->created}, {"replaced", out->replaced},
                   {"skipped", skipped},      {"deployments", ids},
                   {"dry_run", dry_run},      {"summary", summary(version, *out, skipped)}};
  return http::json_response(dry_run ? 200 : 201, reply);
}

void add_rollout_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "POST", "/api/v1/policy/preview", P::kRead, post_policy_preview);
  add_route(router, ctx, "POST", "/api/v1/policy/bulk", P::kPolicy, post_policy_bulk,
            http::Work::kBlocking);
  add_route(router, ctx, "POST", "/api/v1/deployments/preview", P::kRead, post_deployment_preview);
  add_route(router, ctx, "POST", "/api/v1/deployments/cancel", P::kDeploy, post_bulk_cancel,
            http::Work::kBlocking);
  add_route(router, ctx, "GET", "/api/v1/releases/{version}/progress", P::kRead, get_progress);
}

}  // namespace posfleet::api
