#include "server/api/management_api.h"

#include <boost/json.hpp>

#include <map>
#include <set>

#include "core/clock.h"
#include "core/json.h"
#include "core/manifest.h"
#include "server/api/api_common.h"
#include "server/api/rollout_api.h"
#include "server/api/rollouts_api.h"
#include "server/api/terminal_filter.h"
#include "server/domain/audit.h"
#include "server/domain/deployments.h"
#include "server/domain/releases.h"
#include "server/domain/roots.h"
#include "server/domain/terminals.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

bj::object terminal_json(const store::TerminalRecord& t) {
  bj::value attrs = bj::object();
  if (auto a = json::parse(t.attributes_json); a) attrs = *a;
  return bj::object{{"serial", t.serial},
                    {"model", t.model},
                    {"installed_version", t.installed_version},
                    {"attributes", attrs},
                    {"group", t.group},
                    {"merchant_id", t.merchant_id},
                    {"created", format_utc(t.created)},
                    {"last_seen", utc_or_null(t.last_seen)},
                    {"retired", utc_or_null(t.retired)},
                    {"time_zone", t.time_zone}};  // its own; '' = the default
}

bj::array split_csv(const std::string& csv) {
  bj::array out;
  size_t pos = 0;
  while (pos <= csv.size() && !csv.empty()) {
    size_t end = csv.find(',', pos);
    if (end == std::string::npos) end = csv.size();
    out.push_back(bj::string(csv.substr(pos, end - pos)));
    pos = end + 1;
  }
  return out;
}

// What the console shows of a release: the signed manifest's components
// (with mandatory and depends), models, notes, expiry, security flag and
// deadline, and what was checked of its signatures.
bj::object release_json(domain::Context& ctx, const store::ReleaseRecord& r) {
  auto sm = SignedManifest::parse(r.manifest_json);
  bj::array comps;
  std::uint64_t size = 0;
  for (const auto& c : r.components) {
    bj::object o{{"name", c.name},     {"version", c.version}, {"filename", c.filename},
                 {"sha256", c.sha256}, {"length", c.length},   {"size", c.length}};
    if (sm)
      for (const auto& mc : sm->manifest.components)
        if (mc.name == c.name) {
          o["mandatory"] = mc.mandatory;
          o["depends"] = bj::value_from(mc.depends);
          bj::array deltas;  // the patches terminals on an earlier version download instead
          for (const auto& d : mc.deltas)
            deltas.push_back(bj::object{
                {"from_version", d.from_version}, {"filename", d.filename}, {"size", d.length}});
          o["deltas"] = std::move(deltas);
          if (mc.zchunk)  // chunks any earlier version fetches what it lacks from
            o["zchunk"] =
                bj::object{{"filename", mc.zchunk->filename}, {"size", mc.zchunk->length}};
        }
    size += c.length;
    comps.push_back(std::move(o));
  }
  bj::object o{{"id", r.id},
               {"version", r.version},
               {"models", split_csv(r.models_csv)},
               {"signed_by", split_csv(r.key_ids_csv)},
               {"expires", format_utc(r.expires)},
               {"security", r.security},
               {"security_deadline", utc_or_null(r.security_deadline)},
               {"rollback", sm && sm->manifest.rollback},
               {"created", format_utc(r.created)},
               {"size", size},
               {"components", comps},
               {"organisation", r.org_id}};
  if (auto m = json::parse(r.manifest_json); m && m->is_object())
    if (auto* s = m->get_object().if_contains("signed"); s && s->is_object())
      if (auto* notes = s->get_object().if_contains("notes")) o["notes"] = *notes;
  // Terminals always check signatures against their own keys; the server
  // checks at publish only when it was given release keys.
  bj::object signature{{"key_ids", split_csv(r.key_ids_csv)},
                       {"verified", false},
                       {"threshold", 0},
                       {"trusted_key_ids", bj::array()}};
  if (auto check = ctx.store.release_check(r.id); check && *check) {
    signature["verified"] = (*check)->verified;
    signature["threshold"] = (*check)->threshold;
    signature["trusted_key_ids"] = split_csv((*check)->trusted_key_ids_csv);
  }
  o["signature"] = std::move(signature);
  return o;
}

// An artifact upload's body goes straight into the artifact store, hashed as it arrives.
struct ArtifactSink final : http::BodySink {
  std::unique_ptr<store::ArtifactWriter> upload;
  Status write(std::string_view chunk) override { return upload->write(chunk); }
};

Expected<std::shared_ptr<http::BodySink>> open_artifact(domain::Context& ctx, Request& req,
                                                        const Caller&) {
  auto upload = ctx.artifacts.begin(req.param("sha256"));
  if (!upload) return upload.error();
  auto sink = std::make_shared<ArtifactSink>();
  sink->upload = std::move(*upload);
  return std::shared_ptr<http::BodySink>(std::move(sink));
}

Response put_artifact(domain::Context& ctx, Request& req, const Caller&) {
  auto* sink = dynamic_cast<ArtifactSink*>(req.sink.get());
  if (!sink)
    return http::error_response(500, "internal", "the upload was not received; send it again");
  auto d = domain::store_artifact(ctx, *sink->upload);
  req.sink.reset();  // a refused upload's temporary file is gone before the answer
  if (!d) return http::error_from(d.error());
  return http::json_response(201, bj::object{{"sha256", d->sha256}, {"size", d->size}});
}

Response get_artifact(domain::Context& ctx, Request& req, const Caller&) {
  auto a = ctx.store.artifact(req.param("sha256"));
  if (!a || !ctx.artifacts.contains(a->sha256))
    return http::error_response(404, "not_found", "artifact not uploaded");
  return http::json_response(200, bj::object{{"sha256", a->sha256}, {"size", a->size}});
}

Response post_release(domain::Context& ctx, Request& req, const Caller&) {
  auto r = domain::publish_release(ctx, req.body);
  if (!r) return http::error_from(r.error());
  return http::json_response(201, release_json(ctx, *r));
}

// POST /api/v1/roots: a signed root document (docs/formats/root.md), taken
// only if it chains from the latest one posfleetd has.
Response post_root(domain::Context& ctx, Request& req, const Caller& caller) {
  auto r = domain::publish_root(ctx, caller.actor(), req.body);
  if (!r) return http::error_from(r.error());
  return http::json_response(201, bj::object{{"version", r->version},
                                             {"published_at", format_utc(r->published_at)},
                                             {"published_by", r->published_by}});
}

// The releases the caller sees (organisations.h sees_release): all for the acquirer's users.
Response list_releases(domain::Context& ctx, Request&, const Caller& caller) {
  auto rs = ctx.store.list_releases();
  if (!rs) return http::error_from(rs.error());
  bj::array out;
  for (const auto& r : *rs) {
    auto seen = domain::sees_release(ctx, caller.scope, r);
    if (!seen) return http::error_from(seen.error());
    if (*seen) out.push_back(release_json(ctx, r));
  }
  return http::json_response(200, bj::object{{"releases", out}});
}

Response get_release(domain::Context& ctx, Request& req, const Caller& caller) {
  auto r = domain::release_in(ctx, caller.scope, req.param("version"));
  if (!r) return http::error_from(r.error());
  return http::json_response(200, release_json(ctx, *r));
}

// PUT /api/v1/releases/{version}/organisation: who receives the release — an organisation's
// subtree, or the whole fleet (the acquirer's organisation, 1). The acquirer's staff alone.
Response put_release_organisation(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  const auto* org = body->if_contains("organisation");
  if (!org || !org->is_int64() || org->get_int64() <= 0)
    return http::error_from(make_error(
        Code::kInvalidArgument, "organisation must be an organisation's id (1: the whole fleet)"));
  auto reason = json::optional_string(*body, "reason", "");
  if (!reason) return http::error_from(reason.error());
  auto r = domain::set_release_organisation(ctx, req.param("version"), org->get_int64(),
                                            caller.actor(), *reason);
  if (!r) return http::error_from(r.error());
  return http::json_response(200, release_json(ctx, *r));
}

Response post_terminal(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto t = domain::register_terminal_as(ctx, caller.actor(), json::string_or(*body, "serial", ""),
                                        json::string_or(*body, "model", ""),
                                        json::string_or(*body, "time_zone", ""));
  if (!t) return http::error_from(t.error());
  auto o = terminal_json(t->record);
  o["token"] = t->token;
  return http::json_response(201, o);
}

// A page of the filtered fleet in serial order: by offset (a page past the middle is read from
// the far end of the index, so no offset walks more than half the list), or after or before a
// serial (an index seek however deep: next_after and prev_before name the next and previous
// pages).
Response list_terminals(domain::Context& ctx, Request& req, const Caller& caller) {
  auto q = terminal_query(ctx, caller.scope, req.query);
  if (!q) return http::error_from(q.error());
  q->merchant_path = caller.scope.query_path();  // another's merchant is neither shown nor found
  auto total = ctx.store.count_terminals(*q);
  if (!total) return http::error_from(total.error());
  store::TerminalQuery page = *q;
  if (page.after.empty() && page.offset > *total / 2 && page.offset < *total) {
    page.from_end = true;
    page.offset = *total - q->offset - q->limit;
    if (page.offset < 0) {
      page.limit += page.offset;
      page.offset = 0;
    }
  }
  auto rows = ctx.store.query_terminals(page);
  if (!rows) return http::error_from(rows.error());
  bj::array out;
  // A merchant outside the caller's subtree is not named: each merchant organisation on the page
  // is checked once.
  std::map<std::int64_t, bool> held{{0, true}, {caller.scope.org_id, true}};
  for (const auto& r : *rows) {
    auto [at, fresh] = held.try_emplace(r.merchant_org, true);
    if (fresh && !caller.scope.whole_tree()) {
      auto path = domain::organisation_path(ctx.store, r.merchant_org);
      if (!path) return http::error_from(path.error());
      at->second = caller.scope.holds(*path);
    }
    out.push_back(terminal_row_json(r, at->second));
  }
  bj::object o{{"terminals", out}, {"total", *total}, {"offset", q->offset}, {"limit", q->limit}};
  if (!rows->empty()) {
    o["next_after"] = rows->back().terminal.serial;
    o["prev_before"] = rows->front().terminal.serial;
  }
  return http::json_response(200, o);
}

Response post_deployment(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  // Many terminals (a list, a group or a filter): rollout_api.h.
  if (!body->contains("terminal")) return deploy_many(ctx, *body, caller, false);
  auto release = json::optional_string(*body, "release", "");
  auto serial = json::optional_string(*body, "terminal", "");
  auto reason = json::optional_string(*body, "reason", "");
  for (const auto* field : {&release, &serial, &reason})
    if (!*field) return http::error_from(field->error());
  if (!caller.scope.whole_tree()) {  // another's terminal or release is as missing as none
    if (auto in = domain::terminal_in(ctx, caller.scope, *serial); !in)
      return http::error_from(in.error());
    if (auto seen = domain::release_in(ctx, caller.scope, *release); !seen)
      return http::error_from(seen.error());
  }
  auto d = domain::assign_release(ctx, *release, *serial, caller.actor(), *reason);
  if (!d) return http::error_from(d.error());
  auto v = domain::deployment_view(ctx, *d, true);
  if (!v) return http::error_from(v.error());
  return http::json_response(201, deployment_json(*v));
}

Response get_deployment(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "deployment");
  if (!id) return http::error_from(id.error());
  if (auto in = domain::deployment_in(ctx, caller.scope, *id); !in)
    return http::error_from(in.error());
  auto v = domain::deployment_view(ctx, *id);
  if (!v) return http::error_from(v.error());
  return http::json_response(200, deployment_json(*v));
}

// ?terminal=&release=&status=&result=&offset=&limit= (1-1000, default 50),
// newest first, with the number that match in all.
Response list_deployments(domain::Context& ctx, Request& req, const Caller& caller) {
  store::DeploymentQuery q;
  // A subtree's deployments: its terminals'. Another's terminal, named, is as missing as none.
  q.org_path = caller.scope.query_path();
  if (const auto serial = req.query_or("terminal", ""); !serial.empty() && !q.org_path.empty())
    if (auto in = domain::terminal_in(ctx, caller.scope, serial); !in)
      return http::error_from(in.error());
  if (auto status = req.query_or("status", ""); !status.empty()) {
    auto parsed = store::parse_deployment_status(status);
    if (!parsed) return http::error_from(parsed.error());
    q.status = *parsed;
  }
  if (auto result = req.query_or("result", ""); !result.empty()) {
    auto parsed = store::parse_deployment_result(result);
    if (!parsed) return http::error_from(parsed.error());
    q.result = *parsed;
  }
  auto offset = bounded_number(req.query_or("offset", ""), "offset", 0, 0, 1'000'000'000);
  auto limit = bounded_number(req.query_or("limit", ""), "limit", 50, 1, 1000);
  if (!offset) return http::error_from(offset.error());
  if (!limit) return http::error_from(limit.error());
  q.offset = *offset;
  q.limit = *limit;
  if (auto v = req.query_or("release", ""); !v.empty())  // one it does not see is missing
    if (auto seen = domain::release_in(ctx, caller.scope, v); !seen)
      return http::error_from(seen.error());
  auto page =
      domain::find_deployments(ctx, req.query_or("terminal", ""), req.query_or("release", ""), q);
  if (!page) return http::error_from(page.error());
  bj::array out;
  for (const auto& v : page->rows) out.push_back(deployment_json(v));
  return http::json_response(
      200,
      bj::object{
          {"deployments", out}, {"total", page->total}, {"offset", q.offset}, {"limit", q.limit}});
}

Response cancel_deployment(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "deployment");
  if (!id) return http::error_from(id.error());
  if (auto in = domain::deployment_in(ctx, caller.scope, *id); !in)
    return http::error_from(in.error());
  auto d = domain::request_cancel(ctx, *id, caller.actor());
  if (!d) return http::error_from(d.error());
  auto v = domain::deployment_view(ctx, *d, true);
  if (!v) return http::error_from(v.error());
  return http::json_response(200, deployment_json(*v));
}

}  // namespace

bj::object deployment_json(const domain::DeploymentView& v) {
  const auto& d = v.deployment;
  bj::object o{{"id", d.id},
               {"terminal", v.serial},
               {"release", v.version},
               {"status", store::to_string(d.status)},
               {"result", store::to_string(d.result)},
               {"message", d.message},
               {"created", format_utc(d.created)},
               {"updated", format_utc(d.updated)},
               {"phase", store::to_string(d.phase)},
               {"phase_since", d.phase_since},
               {"rollout_id", d.rollout_id}};
  if (!v.history) return o;
  bj::array history;
  for (const auto& s : *v.history) {
    bj::value details = bj::array();
    if (auto p = json::parse(s.details_json); p) details = *p;
    bj::object entry{{"time", format_utc(s.time)},
                     {"execution", s.execution},
                     {"result", s.result},
                     {"code", s.code},
                     {"details", details}};
    if (s.progress_of > 0)
      entry["progress"] = bj::object{{"cnt", s.progress_cnt}, {"of", s.progress_of}};
    history.push_back(std::move(entry));
  }
  o["history"] = std::move(history);
  return o;
}

void add_routes(http::Router& router, domain::Context& ctx) {
  router.add("GET", "/healthz", [](Request&) {
    return http::json_response(200, bj::object{{"status", "ok"}});
  });
  using P = Permission;
  add_upload_route(router, ctx, "PUT", "/api/v1/artifacts/{sha256}", P::kRelease, open_artifact,
                   put_artifact);
  add_route(router, ctx, "GET", "/api/v1/artifacts/{sha256}", P::kRead, get_artifact);
  add_route(router, ctx, "POST", "/api/v1/releases", P::kRelease, post_release,
            http::Work::kBlocking);
  add_route(router, ctx, "GET", "/api/v1/releases", P::kRead, list_releases);
  add_route(router, ctx, "POST", "/api/v1/roots", P::kRelease, post_root);
  add_route(router, ctx, "GET", "/api/v1/releases/{version}", P::kRead, get_release);
  add_route(router, ctx, "PUT", "/api/v1/releases/{version}/organisation", P::kRelease,
            put_release_organisation);
  add_route(router, ctx, "POST", "/api/v1/terminals", P::kTerminal, post_terminal);
  add_route(router, ctx, "GET", "/api/v1/terminals", P::kRead, list_terminals);
  // GET /api/v1/terminals/{serial}: console_api.cc (the terminal page's view).
  add_route(router, ctx, "POST", "/api/v1/deployments", P::kDeploy, post_deployment,
            http::Work::kBlocking);
  add_route(router, ctx, "GET", "/api/v1/deployments", P::kRead, list_deployments);
  add_route(router, ctx, "GET", "/api/v1/deployments/{id}", P::kRead, get_deployment);
  add_route(router, ctx, "POST", "/api/v1/deployments/{id}/cancel", P::kDeploy, cancel_deployment);
  add_rollouts_routes(router, ctx);  // rollouts_api.cc: staged rollouts and the kill switch
}

}  // namespace posfleet::api
