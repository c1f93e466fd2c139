#include "server/api/management_api.h"

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "server/domain/deployments.h"
#include "server/domain/releases.h"
#include "server/domain/terminals.h"
#include "server/domain/tokens.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

template <typename F>
http::Handler authed(domain::Context& ctx, F f) {
  return [&ctx, f](Request& req) -> Response {
    const std::string auth = req.header("authorization");
    constexpr std::string_view kScheme = "Bearer ";
    if (auth.compare(0, kScheme.size(), kScheme) != 0 ||
        !ctx.store.api_token(domain::hash_token(std::string_view(auth).substr(kScheme.size()))))
      return http::error_response(401, "unauthorized",
                                  "send \"Authorization: Bearer <token>\" with a management API token");
    return f(req);
  };
}

bj::object terminal_json(const store::TerminalRecord& t) {
  bj::value attrs = bj::object();
  if (auto a = json::parse(t.attributes_json); a) attrs = *a;
  return bj::object{{"serial", t.serial},
                    {"model", t.model},
                    {"installed_version", t.installed_version},
                    {"attributes", attrs},
                    {"created", format_utc(t.created)},
                    {"last_seen", t.last_seen ? bj::value(format_utc(t.last_seen)) : bj::value(nullptr)}};
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

bj::object release_json(const store::ReleaseRecord& r) {
  bj::array comps;
  for (const auto& c : r.components)
    comps.push_back(bj::object{{"name", c.name}, {"version", c.version}, {"filename", c.filename},
                               {"sha256", c.sha256}, {"length", c.length}});
  bj::object o{{"id", r.id},
               {"version", r.version},
               {"models", split_csv(r.models_csv)},
               {"signed_by", split_csv(r.key_ids_csv)},
               {"expires", format_utc(r.expires)},
               {"security", r.security},
               {"created", format_utc(r.created)},
               {"components", comps}};
  if (auto m = json::parse(r.manifest_json); m && m->is_object())
    if (auto* s = m->get_object().if_contains("signed"); s && s->is_object())
      if (auto* notes = s->get_object().if_contains("notes")) o["notes"] = *notes;
  return o;
}

Expected<bj::object> deployment_json(domain::Context& ctx, const store::DeploymentRecord& d, bool with_history) {
  auto t = ctx.store.terminal_by_id(d.terminal_id);
  if (!t) return t.error();
  auto r = ctx.store.release_by_id(d.release_id);
  if (!r) return r.error();
  bj::object o{{"id", d.id},
               {"terminal", t->serial},
               {"release", r->version},
               {"status", d.status},
               {"result", d.result},
               {"message", d.message},
               {"created", format_utc(d.created)},
               {"updated", format_utc(d.updated)}};
  if (with_history) {
    auto h = ctx.store.action_history(d.id);
    if (!h) return h.error();
    bj::array history;
    for (const auto& s : *h) {
      bj::value details = bj::array();
      if (auto p = json::parse(s.details_json); p) details = *p;
      history.push_back(bj::object{{"time", format_utc(s.time)}, {"execution", s.execution}, {"result", s.result},
                                   {"code", s.code}, {"details", details}});
    }
    o["history"] = std::move(history);
  }
  return o;
}

Expected<bj::object> body_object(const Request& req) {
  auto v = json::parse(req.body);
  if (!v || !v->is_object()) return make_error(Code::kParse, "request body must be a JSON object");
  return v->get_object();
}

Expected<std::int64_t> id_of(const std::string& text) {
  try {
    size_t used = 0;
    auto v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return make_error(Code::kNotFound, "no deployment " + text);
}

Response put_artifact(domain::Context& ctx, Request& req) {
  auto d = domain::store_artifact(ctx, req.param("sha256"), req.body);
  if (!d) return http::error_from(d.error());
  return http::json_response(201, bj::object{{"sha256", d->sha256}, {"size", d->size}});
}

Response get_artifact(domain::Context& ctx, Request& req) {
  auto a = ctx.store.artifact(req.param("sha256"));
  if (!a || !ctx.artifacts.contains(a->sha256)) return http::error_response(404, "not_found", "artifact not uploaded");
  return http::json_response(200, bj::object{{"sha256", a->sha256}, {"size", a->size}});
}

Response post_release(domain::Context& ctx, Request& req) {
  auto r = domain::publish_release(ctx, req.body);
  if (!r) return http::error_from(r.error());
  return http::json_response(201, release_json(*r));
}

Response list_releases(domain::Context& ctx, Request&) {
  auto rs = ctx.store.list_releases();
  if (!rs) return http::error_from(rs.error());
  bj::array out;
  for (const auto& r : *rs) out.push_back(release_json(r));
  return http::json_response(200, bj::object{{"releases", out}});
}

Response get_release(domain::Context& ctx, Request& req) {
  auto r = ctx.store.release_by_version(req.param("version"));
  if (!r) return http::error_from(r.error());
  return http::json_response(200, release_json(*r));
}

Response post_terminal(domain::Context& ctx, Request& req) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto t = domain::register_terminal(ctx, json::string_or(*body, "serial", ""), json::string_or(*body, "model", ""));
  if (!t) return http::error_from(t.error());
  auto o = terminal_json(t->record);
  o["token"] = t->token;
  return http::json_response(201, o);
}

Response list_terminals(domain::Context& ctx, Request& req) {
  std::int64_t offset = 0, limit = 100;
  try {
    offset = std::max<std::int64_t>(0, std::stoll(req.query_or("offset", "0")));
    limit = std::clamp<std::int64_t>(std::stoll(req.query_or("limit", "100")), 1, 1000);
  } catch (const std::exception&) {
    return http::error_response(400, "invalid_argument", "offset and limit must be numbers");
  }
  auto ts = ctx.store.list_terminals(offset, limit);
  if (!ts) return http::error_from(ts.error());
  bj::array out;
  for (const auto& t : *ts) out.push_back(terminal_json(t));
  return http::json_response(200, bj::object{{"terminals", out}, {"offset", offset}, {"limit", limit}});
}

Response get_terminal(domain::Context& ctx, Request& req) {
  auto t = ctx.store.terminal_by_serial(ctx.tenant, req.param("serial"));
  if (!t) return http::error_from(t.error());
  auto o = terminal_json(*t);
  auto ds = ctx.store.list_deployments(t->id, 20);
  if (!ds) return http::error_from(ds.error());
  bj::array deployments;
  for (const auto& d : *ds)
    if (auto j = deployment_json(ctx, d, false); j) deployments.push_back(*j);
  o["deployments"] = std::move(deployments);
  return http::json_response(200, o);
}

Response post_deployment(domain::Context& ctx, Request& req) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto d = domain::assign_release(ctx, json::string_or(*body, "release", ""), json::string_or(*body, "terminal", ""));
  if (!d) return http::error_from(d.error());
  auto j = deployment_json(ctx, *d, true);
  if (!j) return http::error_from(j.error());
  return http::json_response(201, *j);
}

Response get_deployment(domain::Context& ctx, Request& req) {
  auto id = id_of(req.param("id"));
  if (!id) return http::error_from(id.error());
  auto d = ctx.store.deployment(*id);
  if (!d) return http::error_from(d.error());
  auto j = deployment_json(ctx, *d, true);
  if (!j) return http::error_from(j.error());
  return http::json_response(200, *j);
}

Response list_deployments(domain::Context& ctx, Request& req) {
  std::optional<std::int64_t> terminal;
  if (auto serial = req.query_or("terminal", ""); !serial.empty()) {
    auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
    if (!t) return http::error_from(t.error());
    terminal = t->id;
  }
  auto ds = ctx.store.list_deployments(terminal, 100);
  if (!ds) return http::error_from(ds.error());
  bj::array out;
  for (const auto& d : *ds)
    if (auto j = deployment_json(ctx, d, false); j) out.push_back(*j);
  return http::json_response(200, bj::object{{"deployments", out}});
}

Response cancel_deployment(domain::Context& ctx, Request& req) {
  auto id = id_of(req.param("id"));
  if (!id) return http::error_from(id.error());
  auto d = domain::request_cancel(ctx, *id);
  if (!d) return http::error_from(d.error());
  auto j = deployment_json(ctx, *d, true);
  if (!j) return http::error_from(j.error());
  return http::json_response(200, *j);
}

}  // namespace

void add_routes(http::Router& router, domain::Context& ctx) {
  router.add("GET", "/healthz", [](Request&) { return http::json_response(200, bj::object{{"status", "ok"}}); });
  auto route = [&](const char* method, const char* path, Response (*f)(domain::Context&, Request&),
                   http::Work work = http::Work::kQuick) {
    router.add(method, path, authed(ctx, [&ctx, f](Request& r) { return f(ctx, r); }), work);
  };
  route("PUT", "/api/v1/artifacts/{sha256}", put_artifact, http::Work::kBlocking);
  route("GET", "/api/v1/artifacts/{sha256}", get_artifact);
  route("POST", "/api/v1/releases", post_release, http::Work::kBlocking);
  route("GET", "/api/v1/releases", list_releases);
  route("GET", "/api/v1/releases/{version}", get_release);
  route("POST", "/api/v1/terminals", post_terminal);
  route("GET", "/api/v1/terminals", list_terminals);
  route("GET", "/api/v1/terminals/{serial}", get_terminal);
  route("POST", "/api/v1/deployments", post_deployment);
  route("GET", "/api/v1/deployments", list_deployments);
  route("GET", "/api/v1/deployments/{id}", get_deployment);
  route("POST", "/api/v1/deployments/{id}/cancel", cancel_deployment);
}

}  // namespace posfleet::api
