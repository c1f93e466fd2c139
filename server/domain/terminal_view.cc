#include "server/domain/terminal_view.h"

#include <boost/json.hpp>

#include <algorithm>

#include "core/clock.h"
#include "core/json.h"

namespace posfleet::domain {

int online_window_seconds(const Context& ctx) {
  // At least a minute: the poll records a terminal's last contact only once a
  // last_seen_step_seconds, so a shorter window would flicker.
  return std::max(3 * ctx.poll_seconds, 60);
}

int last_seen_step_seconds(const Context& ctx) {
  // A third of the online window: a terminal polling at its interval P (the window is 3P) is
  // stored at most P + W/3 + a batch (10 s) behind its last contact, under 3P for any P > 10 s,
  // so it never shows offline between two polls. A fleet whose terminals poll faster than the
  // step writes last_seen once a step, not once a poll, however many terminals it has.
  return std::max(online_window_seconds(ctx) / 3, 10);
}

Expected<store::FleetOverview> fleet_overview(Context& ctx, std::int64_t now,
                                              const std::string& org_path) {
  constexpr std::int64_t kDay = 86400;
  const std::int64_t first_day = now - now % kDay - (kOutcomeDays - 1) * kDay;
  const std::int64_t online_since = now - online_window_seconds(ctx);
  auto o = org_path.empty() ? ctx.store.overview(online_since, first_day, now)
                            : ctx.store.subtree_overview(org_path, online_since, first_day, now);
  if (!o) return o.error();
  std::vector<store::DayOutcomes> days;
  size_t next = 0;
  for (int i = 0; i < kOutcomeDays; ++i) {
    const std::string day = format_utc(first_day + i * kDay).substr(0, 10);
    while (next < o->outcomes.size() && o->outcomes[next].day < day)
      ++next;  // before the window: none expected
    if (next < o->outcomes.size() && o->outcomes[next].day == day)
      days.push_back(o->outcomes[next++]);
    else
      days.push_back({day, 0, 0, 0});
  }
  o->outcomes = std::move(days);
  return o;
}

Slots slots_from_attributes(const std::string& attributes_json) {
  Slots s;
  auto v = json::parse(attributes_json);
  if (!v || !v->is_object()) return s;
  const auto& o = v->get_object();
  s.active = json::string_or(o, "slot_active", "");
  s.booted = json::string_or(o, "slot_booted", "");
  s.a_version = json::string_or(o, "slot_a_version", "");
  s.b_version = json::string_or(o, "slot_b_version", "");
  s.reported = !s.active.empty();
  return s;
}

Progress update_progress(const store::DeploymentRecord& d,
                         const std::vector<store::ActionStatusRecord>& history) {
  Progress p;
  p.active = store::is_open(d.status);
  p.time = d.created;
  for (const auto& s : history) {
    p.time = s.time;
    if (auto lines = json::parse(s.details_json);
        lines && lines->is_array() && !lines->get_array().empty())
      if (const auto& last = lines->get_array().back(); last.is_string())
        p.line = std::string(last.get_string());
    if (s.progress_of > 0) {
      p.bytes = s.progress_cnt;
      p.total = s.progress_of;
    }
  }
  if (p.total > 0) p.percent = static_cast<int>(100 * p.bytes / p.total);
  if (store::update_state_of(d.status, d.result) == store::UpdateState::kSuccess) p.percent = 100;
  return p;
}

store::UpdateState update_state(const std::optional<store::DeploymentRecord>& newest) {
  return newest ? store::update_state_of(newest->status, newest->result)
                : store::UpdateState::kIdle;
}

}  // namespace posfleet::domain
