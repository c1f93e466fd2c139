#include "server/api/console_api.h"

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "server/api/api_common.h"
#include "server/api/management_api.h"
#include "server/api/rollouts_api.h"
#include "server/domain/terminal_view.h"
#include "server/domain/time_zones.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

// GET /api/v1/overview: the fleet in figures, every one of them a filter of
// the terminal list (docs/console.md).
Response get_overview(domain::Context& ctx, Request&, const Caller& caller) {
  // A reseller's or merchant's user: the figures of its subtree alone.
  auto o = domain::fleet_overview(ctx, unix_now(), caller.scope.query_path());
  if (!o) return http::error_from(o.error());
  bj::array versions, outcomes, security;
  for (const auto& v : o->versions)
    versions.push_back(bj::object{{"model", v.model}, {"version", v.version}, {"count", v.count}});
  for (const auto& d : o->outcomes)
    outcomes.push_back(bj::object{{"day", d.day},
                                  {"success", d.success},
                                  {"failed", d.failed},
                                  {"rolled_back", d.rolled_back}});
  // A reseller's or merchant's user: the releases it sees alone (organisations.h sees_release).
  auto seen = [&](const std::string& version) -> Expected<bool> {
    if (caller.scope.whole_tree()) return true;
    auto r = domain::release_in(ctx, caller.scope, version);
    if (!r && r.error().code == Code::kNotFound) return false;
    if (!r) return r.error();
    return true;
  };
  for (const auto& s : o->security) {
    auto shown = seen(s.version);
    if (!shown) return http::error_from(shown.error());
    if (*shown)
      security.push_back(bj::object{
          {"version", s.version}, {"deadline", format_utc(s.deadline)}, {"pending", s.pending}});
  }
  auto all_stopped = stopped_releases_json(ctx);  // the kill switch (rollouts_api.h)
  if (!all_stopped) return http::error_from(all_stopped.error());
  bj::array stopped;
  for (const auto& s : *all_stopped) {
    auto shown = seen(std::string(s.at("version").as_string()));
    if (!shown) return http::error_from(shown.error());
    if (*shown) stopped.push_back(s);
  }
  return http::json_response(
      200, bj::object{{"online", o->online},
                      {"offline", o->offline},
                      {"online_window_seconds", domain::online_window_seconds(ctx)},
                      {"versions", std::move(versions)},
                      {"outcomes", std::move(outcomes)},
                      {"modes", bj::object{{"auto", o->mode_auto},
                                           {"manual", o->mode_manual},
                                           {"never", o->mode_never}}},
                      {"security", std::move(security)},
                      {"stopped_releases", std::move(stopped)}});
}

bj::object slots_json(const domain::Slots& s) {
  return bj::object{{"reported", s.reported},
                    {"active", s.active},
                    {"booted", s.booted},
                    {"a", bj::object{{"version", s.a_version}}},
                    {"b", bj::object{{"version", s.b_version}}}};
}

// GET /api/v1/terminals/{serial}: one terminal with what its page shows —
// slots and update progress as it reports them, its merchant, deployments
// with their status history, notifications sent to it and its tickets. Its
// policy and policy history come from GET /api/v1/policy?terminal=.
Response get_terminal(domain::Context& ctx, Request& req, const Caller& caller) {
  auto t = ctx.store.terminal_by_serial(ctx.tenant, req.param("serial"));
  if (!t) return http::error_from(t.error());
  const auto now = unix_now();
  bj::value attrs = bj::object();
  if (auto a = json::parse(t->attributes_json); a) attrs = *a;
  // Its merchant, if the caller's subtree holds it too.
  auto shown = domain::sees_merchant(ctx, caller.scope, t->merchant_id);
  if (!shown) return http::error_from(shown.error());
  std::string merchant;
  if (t->merchant_id && *shown)
    if (auto m = ctx.store.merchant(t->merchant_id); m) merchant = m->legal_name;
  bj::object o{{"serial", t->serial},
               {"model", t->model},
               {"installed_version", t->installed_version},
               {"attributes", attrs},
               {"group", t->group},
               {"merchant_id", *shown ? t->merchant_id : 0},
               {"merchant", merchant},
               {"organisation", t->org_id},
               {"created", format_utc(t->created)},
               {"last_seen", utc_or_null(t->last_seen)},
               {"online", !t->retired && t->last_seen >= now - domain::online_window_seconds(ctx)},
               {"retired", utc_or_null(t->retired)},
               {"retired_reason", t->retired_reason},
               {"slots", slots_json(domain::slots_from_attributes(t->attributes_json))}};
  // The zone its window and freeze dates are read in, and where it comes from (time_zones.h).
  auto zone = domain::effective_zone(ctx.store, *t);
  if (!zone) return http::error_from(zone.error());
  o["time_zone"] = zone->tz;
  o["time_zone_source"] = domain::to_string(zone->source);

  auto ds = ctx.store.list_deployments(t->id, 20);
  if (!ds) return http::error_from(ds.error());
  bj::array deployments;
  for (const auto& d : *ds) {
    auto v = domain::deployment_view(ctx, d, true);
    if (!v) return http::error_from(v.error());
    deployments.push_back(deployment_json(*v));
  }
  o["state"] = store::to_string(
      domain::update_state(ds->empty() ? std::nullopt : std::optional(ds->front())));
  o["progress"] = nullptr;
  if (!ds->empty()) {
    const auto& newest = ds->front();
    auto history = ctx.store.action_history(newest.id);
    if (!history) return http::error_from(history.error());
    const auto p = domain::update_progress(newest, *history);
    const auto& release = deployments.front().as_object().at("release");
    o["progress"] = bj::object{{"deployment", newest.id},
                               {"release", release},
                               {"status", store::to_string(newest.status)},
                               {"result", store::to_string(newest.result)},
                               {"phase", store::to_string(newest.phase)},
                               {"phase_since", newest.phase_since},
                               {"percent", p.percent},
                               {"bytes", p.bytes},
                               {"total", p.total},
                               {"line", p.line},
                               {"time", format_utc(p.time)},
                               {"active", p.active}};
  }
  o["deployments"] = std::move(deployments);

  auto ns = ctx.store.notifications(t->id, 0, 100);
  if (!ns) return http::error_from(ns.error());
  bj::array notes;
  for (const auto& n : *ns)
    notes.push_back(bj::object{{"id", n.id},
                               {"kind", n.kind},
                               {"time", format_utc(n.time)},
                               {"text", bj::object{{"zh-CN", n.text_zh}, {"en", n.text_en}}}});
  o["notifications"] = std::move(notes);

  auto ts = ctx.store.tickets_of_terminal(t->id, 50);
  if (!ts) return http::error_from(ts.error());
  bj::array tickets;
  for (const auto& k : *ts)
    tickets.push_back(bj::object{{"id", k.id},
                                 {"status", k.status},
                                 {"message", k.message},
                                 {"note", k.note},
                                 {"version", k.version},
                                 {"created", format_utc(k.created)},
                                 {"updated", format_utc(k.updated)}});
  o["tickets"] = std::move(tickets);
  return http::json_response(200, o);
}

}  // namespace

void add_console_routes(http::Router& router, domain::Context& ctx) {
  add_route(router, ctx, "GET", "/api/v1/overview", Permission::kRead, get_overview);
  add_route(router, ctx, "GET", "/api/v1/terminals/{serial}", Permission::kRead, get_terminal);
}

}  // namespace posfleet::api
