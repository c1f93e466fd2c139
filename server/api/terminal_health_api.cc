#include "server/api/terminal_health_api.h"

#include <boost/json.hpp>

#include <algorithm>

#include "core/clock.h"
#include "core/json.h"
#include "server/api/api_common.h"
#include "server/domain/health.h"
#include "server/domain/organisations.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

// One report: its time and the sample's fields (kept as the server wrote them).
bj::object report_json(const store::HealthRecord& r) {
  bj::object o;
  if (auto v = json::parse(r.sample_json); v && v->is_object()) o = std::move(v->get_object());
  o["time"] = format_utc(r.time);
  if (const auto* sale = o.if_contains("last_sale"); sale && sale->is_int64())
    o["last_sale"] = format_utc(sale->get_int64());  // times travel as UTC text, as elsewhere
  return o;
}

Response get_health(domain::Context& ctx, Request& req, const Caller& caller) {
  // A week by default, or the whole history when less is kept.
  const std::string days_text =
      req.query_or("days", std::to_string(std::min(7, ctx.health_retention_days)));
  int days = 0;
  if (days_text.empty() || days_text.size() > 4 ||
      days_text.find_first_not_of("0123456789") != std::string::npos ||
      (days = std::stoi(days_text)) < 1 || days > ctx.health_retention_days)
    return http::error_from(
        make_error(Code::kInvalidArgument, "days must be a whole number from 1 to " +
                                               std::to_string(ctx.health_retention_days) +
                                               " (the history is kept that long)"));
  auto t = domain::terminal_in(ctx, caller.scope, req.param("serial"));
  if (!t) return http::error_from(t.error());
  auto v = domain::terminal_health(ctx, *t, days, unix_now());
  if (!v) return http::error_from(v.error());
  bj::value latest = nullptr;
  if (v->latest) {
    bj::object o = report_json(*v->latest);
    o["low_storage"] = v->latest->low_storage;
    o["weak_signal"] = v->latest->weak_signal;
    o["low_battery"] = v->latest->low_battery;
    latest = std::move(o);
  }
  bj::array history;
  for (const auto& r : v->history) history.push_back(report_json(r));
  return http::json_response(200, bj::object{{"serial", t->serial},
                                             {"last_seen", utc_or_null(t->last_seen)},
                                             {"every_seconds", ctx.health_every_seconds},
                                             {"history_seconds", ctx.health_history_seconds},
                                             {"retention_days", ctx.health_retention_days},
                                             {"days", days},
                                             {"latest", std::move(latest)},
                                             {"history", std::move(history)}});
}

}  // namespace

void add_terminal_health_routes(http::Router& router, domain::Context& ctx) {
  add_route(router, ctx, "GET", "/api/v1/terminals/{serial}/health", Permission::kRead, get_health);
}

}  // namespace posfleet::api
