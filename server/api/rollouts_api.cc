// posfleet server: staged rollouts' routes (rollouts_api.h).
// Thread-safety: handlers are stateless.
#include "server/api/rollouts_api.h"

#include <boost/json.hpp>

#include <set>

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/api/terminal_filter.h"
#include "server/domain/rollouts/actions.h"
#include "server/domain/rollouts/engine.h"
#include "server/domain/rollouts/plan.h"

namespace posfleet::api {

namespace bj = boost::json;
namespace ro = domain::rollouts;
using http::Request;
using http::Response;

namespace {

Error invalid(const std::string& m) { return make_error(Code::kInvalidArgument, m); }

// kInvalidArgument naming the first field of `o` that is not one of `allowed`.
Status only_fields(const bj::object& o, std::initializer_list<const char*> allowed,
                   const char* what) {
  for (const auto& kv : o) {
    bool known = false;
    for (const char* a : allowed) known = known || kv.key() == a;
    if (known) continue;
    std::string list;
    for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
    return invalid(std::string(what) + " has the unknown field \"" + text::safe_echo(kv.key()) +
                   "\"; it may have " + list);
  }
  return ok_status();
}

bj::value time_or_null(std::int64_t t) { return t ? bj::value(t) : bj::value(nullptr); }

Expected<ro::Target> target_of(domain::Context& ctx, const bj::object& body,
                               const domain::Scope& scope) {
  const auto* v = body.if_contains("target");
  if (!v || !v->is_object())
    return invalid(
        "target must be {\"serials\": [...]}, {\"group\": \"g\"} or {\"filter\": {...}}");
  const auto& o = v->get_object();
  if (auto s = only_fields(o, {"serials", "group", "filter"}, "target"); !s) return s.error();
  if (o.size() != 1) return invalid("target must name exactly one of serials, group or filter");
  ro::Target t;
  if (const auto* s = o.if_contains("serials")) {
    if (!s->is_array()) return invalid("target.serials must be a list of serials");
    if (s->get_array().size() > ro::kMaxSerials)
      return invalid("target.serials may list at most " + std::to_string(ro::kMaxSerials) +
                     " serials");
    t.serials.emplace();
    for (const auto& e : s->get_array()) {
      if (!e.is_string()) return invalid("target.serials must be serials (text)");
      t.serials->emplace_back(e.get_string());
    }
  } else if (const auto* g = o.if_contains("group")) {
    if (!g->is_string() || g->get_string().empty())
      return invalid("target.group must be a group name");
    t.group = std::string(g->get_string());
  } else {
    const auto& f = o.at("filter");
    if (!f.is_object()) return invalid("target.filter must be an object of terminal filter fields");
    // Within the caller's subtree (an organisation it names must be of it, else 404).
    auto q = terminal_query(ctx, scope, f.get_object());
    if (!q) return q.error();
    t.filter = *q;
    t.filter_json = f;
    if (f.get_object().contains("not_seen_days") && q->online && !*q->online)
      t.offline_seconds = unix_now() - q->online_since;
  }
  return t;
}

// The plan a body names, made by the caller's organisation: its terminals alone are members, and
// the release must be one it sees (another's is "no release V").
Expected<ro::Plan> plan_of(domain::Context& ctx, const bj::object& body, const Caller& caller) {
  if (auto s = only_fields(
          body,
          {"release", "target", "waves", "offline_days", "start_at", "start", "name", "reason"},
          "the rollout");
      !s)
    return s.error();
  ro::Plan p;
  auto release = json::get_string(body, "release");
  if (!release) return invalid("release must be a release version");
  p.release = *release;
  if (auto seen = domain::release_in(ctx, caller.scope, p.release); !seen) return seen.error();
  p.org_id = caller.scope.org_id;
  auto target = target_of(ctx, body, caller.scope);
  if (!target) return target.error();
  p.target = std::move(*target);
  const auto* waves = body.if_contains("waves");
  if (!waves || !waves->is_array() || waves->get_array().empty())
    return invalid("waves must list at least one wave: {\"percent\": n} or {\"group\": g}");
  if (waves->get_array().size() > ro::kMaxWaves)
    return invalid("at most " + std::to_string(ro::kMaxWaves) + " waves");
  for (std::size_t i = 0; i < waves->get_array().size(); ++i) {
    auto w = ro::WaveSpec::from_json(waves->get_array()[i], i);
    if (!w) return w.error();
    p.waves.push_back(*w);
  }
  if (const auto* d = body.if_contains("offline_days")) {
    if (!d->is_int64()) return invalid("offline_days must be a whole number from 1 to 365");
    p.offline_days = d->get_int64();
  }
  if (const auto* s = body.if_contains("start_at"); s && !s->is_null()) {
    if (!s->is_int64() || s->get_int64() < 0)
      return invalid("start_at must be unix seconds or null");
    p.start_at = s->get_int64();
  }
  if (const auto* s = body.if_contains("start")) {
    if (!s->is_bool()) return invalid("start must be true or false");
    p.start = s->get_bool();
  }
  auto name = json::optional_string(body, "name", "");
  if (!name) return invalid("name must be text");
  p.name = *name;
  auto reason = json::optional_string(body, "reason", "");
  if (!reason) return invalid("reason must be text");
  p.reason = *reason;
  return p;
}

bj::object progress_json(const ro::RolloutView& v) {
  return bj::object{{"total", v.total}, {"success", v.success}, {"failed", v.failed}};
}

bj::object row_json(const ro::RolloutView& v) {
  const auto& r = v.rollout;
  return bj::object{{"id", r.id},
                    {"name", r.name},
                    {"release", v.release},
                    {"target", v.target.shown()},
                    {"created_by", r.created_by},
                    {"created", r.created},
                    {"start_at", time_or_null(r.start_at)},
                    {"started", time_or_null(r.started)},
                    {"ended", time_or_null(r.ended)},
                    {"state", r.state},
                    {"state_reason", r.state_reason},
                    {"current_wave", r.current_wave},
                    {"offline_days", r.offline_days},
                    {"waves", static_cast<std::int64_t>(v.waves.size())},
                    {"progress", progress_json(v)}};
}

bj::object counts_json(const store::PhaseCounts& c) {
  bj::object o;
  for (const auto& [k, n] : c) o[k] = n;
  return o;
}

bj::object full_json(const ro::RolloutView& v) {
  bj::object o = row_json(v);
  bj::array waves;
  for (const auto& w : v.waves)
    waves.push_back(
        bj::object{{"index", w.wave.index},
                   {"spec", w.spec.to_json()},
                   {"state", w.wave.state},
                   {"terminals", w.wave.terminals},
                   {"started", time_or_null(w.wave.started)},
                   {"soak_until", time_or_null(w.wave.soak_until)},
                   {"approved_by", w.wave.approved_by.empty() ? bj::value(nullptr)
                                                              : bj::value(w.wave.approved_by)},
                   {"approved_at", time_or_null(w.wave.approved_at)},
                   {"finished", time_or_null(w.wave.finished)},
                   {"counts", counts_json(w.counts)}});
  o["waves"] = std::move(waves);
  return o;
}

Response rollout_response(domain::Context& ctx, std::int64_t id, int status, const Caller& caller) {
  auto v = ro::rollout_view(ctx, id);
  if (!v) return http::error_from(v.error());
  bj::object o = full_json(*v);
  // What the release's downloads sent so far, against full downloads (delta patches save the
  // difference): every deployment of the release counts, this rollout's and others' — the
  // fleet's, so the acquirer's alone.
  if (!caller.scope.whole_tree()) return http::json_response(status, o);
  auto bytes = ctx.store.release_bytes(v->rollout.release_id);
  if (!bytes) return http::error_from(bytes.error());
  o["release_bytes"] = bj::object{{"sent", bytes->sent}, {"full", bytes->full}};
  return http::json_response(status, o);
}

Response post_preview(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto plan = plan_of(ctx, *body, caller);
  if (!plan) return http::error_from(plan.error());
  auto p = ro::preview(ctx, *plan);
  if (!p) return http::error_from(p.error());
  bj::array waves;
  for (const auto& w : p->waves) {
    bj::value groups = nullptr;
    if (w.groups) {
      bj::array g;
      for (const auto& name : *w.groups) g.push_back(bj::string(name));
      groups = std::move(g);
    }
    waves.push_back(bj::object{
        {"index", w.index},
        {"terminals", w.terminals},
        {"groups", groups},
        {"percent", w.percent ? bj::value(*w.percent) : bj::value(nullptr)},
        {"can_start_at", w.can_start_at ? bj::value(*w.can_start_at) : bj::value(nullptr)},
        {"frozen_until", w.frozen_until ? bj::value(*w.frozen_until) : bj::value(nullptr)}});
  }
  bj::object excluded;
  for (const auto& [k, n] : p->excluded) excluded[k] = n;
  return http::json_response(
      200, bj::object{{"total", p->total}, {"waves", std::move(waves)}, {"excluded", excluded}});
}

Response post_rollout(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto plan = plan_of(ctx, *body, caller);
  if (!plan) return http::error_from(plan.error());
  auto r = ro::create_rollout(ctx, *plan, caller.actor());
  if (!r) return http::error_from(r.error());
  return rollout_response(ctx, r->id, 201, caller);
}

Response get_rollouts(domain::Context& ctx, Request& req, const Caller& caller) {
  auto limit = bounded_number(req.query_or("limit", ""), "limit", 50, 1, 500);
  if (!limit) return http::error_from(limit.error());
  auto offset = bounded_number(req.query_or("offset", ""), "offset", 0, 0, 1000000000);
  if (!offset) return http::error_from(offset.error());
  if (auto v = req.query_or("release", ""); !v.empty())  // one it does not see is missing
    if (auto seen = domain::release_in(ctx, caller.scope, v); !seen)
      return http::error_from(seen.error());
  auto page = ro::list_rollouts(ctx, req.query_or("state", ""), req.query_or("release", ""),
                                *offset, *limit, caller.scope.query_path());
  if (!page) return http::error_from(page.error());
  bj::array rows;
  for (const auto& v : page->rows) {
    if (!caller.scope.whole_tree())  // one of a release given away since is no longer its
      if (auto seen = domain::release_in(ctx, caller.scope, v.release); !seen) continue;
    rows.push_back(row_json(v));
  }
  return http::json_response(200,
                             bj::object{{"rollouts", std::move(rows)}, {"total", page->total}});
}

// The rollout named in the path, of the caller's subtree (another's is "no rollout N").
Expected<std::int64_t> rollout_id(domain::Context& ctx, const Request& req, const Caller& caller) {
  auto id = positive_id(req.param("id"), "rollout");
  if (!id) return id.error();
  if (auto in = domain::rollout_in(ctx, caller.scope, *id); !in) return in.error();
  return *id;
}

Response get_rollout(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = rollout_id(ctx, req, caller);
  if (!id) return http::error_from(id.error());
  return rollout_response(ctx, *id, 200, caller);
}

Response get_history(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = rollout_id(ctx, req, caller);
  if (!id) return http::error_from(id.error());
  auto samples = ro::rollout_history(ctx, *id);
  if (!samples) return http::error_from(samples.error());
  bj::array out;
  for (const auto& s : *samples) {
    auto counts = json::parse(s.counts_json);
    out.push_back(bj::object{{"time", s.time},
                             {"wave", s.wave},
                             {"counts", counts ? *counts : bj::value(bj::object{})}});
  }
  return http::json_response(200, bj::object{{"samples", std::move(out)}});
}

Response get_terminals(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = rollout_id(ctx, req, caller);
  if (!id) return http::error_from(id.error());
  store::RolloutMemberQuery q;
  q.rollout_id = *id;
  if (auto w = req.query_or("wave", ""); !w.empty()) {
    auto wave = bounded_number(w, "wave", 0, 0, static_cast<std::int64_t>(ro::kMaxWaves) - 1);
    if (!wave) return http::error_from(wave.error());
    q.wave = *wave;
  }
  q.phase = req.query_or("phase", "");
  if (!q.phase.empty() && q.phase != "unreachable" && q.phase != "pending" && q.phase != "skipped")
    if (auto p = store::parse_deployment_phase(q.phase); !p)
      return http::error_from(invalid(
          "phase must be a deployment phase (scheduled, waiting_window, downloading, installing, "
          "success, failed, rolled_back, timed_out, declined, canceled), unreachable, pending or "
          "skipped"));
  auto limit = bounded_number(req.query_or("limit", ""), "limit", 50, 1, 1000);
  if (!limit) return http::error_from(limit.error());
  auto offset = bounded_number(req.query_or("offset", ""), "offset", 0, 0, 1000000000);
  if (!offset) return http::error_from(offset.error());
  q.limit = *limit;
  q.offset = *offset;
  auto page = ro::rollout_terminals(ctx, q);
  if (!page) return http::error_from(page.error());
  bj::array rows;
  for (const auto& m : page->rows)
    rows.push_back(bj::object{
        {"serial", m.serial},
        {"wave", m.wave},
        {"phase", m.phase},
        {"phase_since", time_or_null(m.phase_since)},
        {"message", m.message},
        {"deployment_id", m.deployment_id ? bj::value(m.deployment_id) : bj::value(nullptr)}});
  return http::json_response(200,
                             bj::object{{"terminals", std::move(rows)}, {"total", page->total}});
}

// The {"reason": "…"} body of an action (empty body: no reason).
Expected<std::string> reason_of(const Request& req) {
  if (text::trim(req.body).empty()) return std::string();
  auto body = body_object(req);
  if (!body) return body.error();
  if (auto s = only_fields(*body, {"reason"}, "the body"); !s) return s.error();
  auto reason = json::optional_string(*body, "reason", "");
  if (!reason) return invalid("reason must be text");
  return *reason;
}

template <ro::Action A>
Response post_action(domain::Context& ctx, Request& req, const Caller& caller) {
  auto id = rollout_id(ctx, req, caller);
  if (!id) return http::error_from(id.error());
  auto reason = reason_of(req);
  if (!reason) return http::error_from(reason.error());
  auto r = ro::act(ctx, *id, A, caller.actor(), *reason);
  if (!r) return http::error_from(r.error());
  return rollout_response(ctx, r->id, 200, caller);
}

Response post_stop(domain::Context& ctx, Request& req, const Caller& caller) {
  auto reason = reason_of(req);
  if (!reason) return http::error_from(reason.error());
  auto out = ro::stop_release(ctx, req.param("version"), *reason, caller.actor());
  if (!out) return http::error_from(out.error());
  return http::json_response(200, bj::object{{"release", out->release},
                                             {"rollouts_stopped", out->rollouts_stopped},
                                             {"deployments_canceled", out->deployments_canceled}});
}

Response delete_stop(domain::Context& ctx, Request& req, const Caller& caller) {
  auto reason = reason_of(req);
  if (!reason) return http::error_from(reason.error());
  if (auto s = ro::lift_release_stop(ctx, req.param("version"), *reason, caller.actor()); !s)
    return http::error_from(s.error());
  return http::json_response(200,
                             bj::object{{"release", req.param("version")}, {"stopped", false}});
}

}  // namespace

Expected<bj::array> stopped_releases_json(domain::Context& ctx) {
  auto stops = ro::stopped_releases(ctx);
  if (!stops) return stops.error();
  bj::array out;
  for (const auto& s : *stops)
    out.push_back(
        bj::object{{"version", s.version}, {"reason", s.reason}, {"by", s.by}, {"at", s.at}});
  return out;
}

void add_rollouts_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "POST", "/api/v1/rollouts/preview", P::kDeploy, post_preview,
            http::Work::kBlocking);
  add_route(router, ctx, "POST", "/api/v1/rollouts", P::kDeploy, post_rollout,
            http::Work::kBlocking);
  add_route(router, ctx, "GET", "/api/v1/rollouts", P::kRead, get_rollouts);
  add_route(router, ctx, "GET", "/api/v1/rollouts/{id}", P::kRead, get_rollout);
  add_route(router, ctx, "GET", "/api/v1/rollouts/{id}/history", P::kRead, get_history);
  add_route(router, ctx, "GET", "/api/v1/rollouts/{id}/terminals", P::kRead, get_terminals);
  add_route(router, ctx, "POST", "/api/v1/rollouts/{id}/start", P::kDeploy,
            post_action<ro::Action::kStart>, http::Work::kBlocking);
  add_route(router, ctx, "POST", "/api/v1/rollouts/{id}/pause", P::kDeploy,
            post_action<ro::Action::kPause>);
  add_route(router, ctx, "POST", "/api/v1/rollouts/{id}/resume", P::kDeploy,
            post_action<ro::Action::kResume>, http::Work::kBlocking);
  add_route(router, ctx, "POST", "/api/v1/rollouts/{id}/cancel", P::kDeploy,
            post_action<ro::Action::kCancel>, http::Work::kBlocking);
  add_route(router, ctx, "POST", "/api/v1/rollouts/{id}/approve", P::kDeploy,
            post_action<ro::Action::kApprove>, http::Work::kBlocking);
  add_route(router, ctx, "POST", "/api/v1/rollouts/{id}/retry", P::kDeploy,
            post_action<ro::Action::kRetry>, http::Work::kBlocking);
  add_route(router, ctx, "POST", "/api/v1/releases/{version}/stop", P::kRelease, post_stop,
            http::Work::kBlocking);
  add_route(router, ctx, "DELETE", "/api/v1/releases/{version}/stop", P::kAdmin, delete_stop);
}

}  // namespace posfleet::api
