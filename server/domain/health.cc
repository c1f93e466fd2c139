#include "server/domain/health.h"

#include <algorithm>

#include "core/health.h"

namespace posfleet::domain {

bool HealthReports::report(const store::HealthRecord& r, std::int64_t min_gap) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = recent_.try_emplace(r.terminal_id, r.time);
  if (!fresh) {
    if (r.time - it->second < min_gap) return false;
    it->second = r.time;
  }
  pending_[r.terminal_id] = r;
  gap_ = min_gap;
  newest_ = std::max(newest_, r.time);
  return true;
}

Status HealthReports::flush(store::Store& store, std::int64_t history_seconds) {
  std::unordered_map<std::int64_t, store::HealthRecord> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
    // Forget terminals whose last report is older than the gap: the map stays the size of the
    // reports of the last gap's seconds, not of the fleet.
    std::erase_if(recent_, [&](const auto& e) { return newest_ - e.second >= gap_; });
  }
  if (batch.empty()) return ok_status();
  std::vector<const store::HealthRecord*> rows;
  for (const auto& e : batch) rows.push_back(&e.second);
  std::sort(rows.begin(), rows.end(),
            [](const auto* a, const auto* b) { return a->terminal_id < b->terminal_id; });
  auto st = store.transact([&](store::Tx& tx) -> Status {
    for (const auto* r : rows)
      if (auto s = tx.record_health(*r, history_seconds); !s) return s;
    return ok_status();
  });
  if (!st) {
    std::lock_guard lock(mu_);
    for (auto& [id, r] : batch) pending_.try_emplace(id, std::move(r));  // a newer one wins
  }
  return st;
}

std::size_t HealthReports::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

std::string receive_health(Context& ctx, const store::TerminalRecord& t, std::string_view json,
                           std::int64_t now) {
  auto sample = health::parse(json, now);
  if (!sample) return sample.error().message;
  const store::HealthRecord r{t.id,
                              now,
                              sample->to_json(),
                              sample->low_storage(),
                              sample->weak_signal(),
                              sample->low_battery()};
  if (!ctx.health) {
    if (auto s = ctx.store.record_health(r, ctx.health_history_seconds); !s)
      return "not kept: " + s.error().message;
    return "";
  }
  // At most one report a terminal in half its interval (and never more than one in 30 s): a
  // terminal sending with every poll writes no more than one that keeps to the interval.
  const std::int64_t gap = std::clamp<std::int64_t>(ctx.health_every_seconds / 2, 0, 30);
  ctx.health->report(r, gap);
  return "";
}

Expected<HealthView> terminal_health(Context& ctx, const store::TerminalRecord& t, int days,
                                     std::int64_t now) {
  HealthView v;
  auto latest = ctx.store.latest_health(t.id);
  if (!latest) return latest.error();
  v.latest = *latest;
  auto history = ctx.store.health_history(t.id, now - std::int64_t{days} * 86400, kMaxHistoryRows);
  if (!history) return history.error();
  v.history = std::move(*history);
  return v;
}

Expected<std::int64_t> prune_health(Context& ctx, std::int64_t now, std::int64_t step) {
  return ctx.store.prune_health_history(now - std::int64_t{ctx.health_retention_days} * 86400,
                                        step);
}

}  // namespace posfleet::domain
