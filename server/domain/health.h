// posfleet server: terminals' health (docs/health.md). A terminal sends its health with a poll
// (core/health.h: battery, storage, network and signal, uptime, app versions, its last sale's
// time); receive_health() checks it and queues it. HealthReports gathers the reports of a
// second for one transaction (as LastSeen does the polls' times) and keeps no more than one a
// terminal in `min_gap` seconds, however often a terminal sends. Each report becomes the
// terminal's latest, and a history row when its last is at least --health-history-seconds
// older; prune_health() drops history past --health-retention-days, in bounded steps.
// Memory: one entry per terminal that reported in the last min_gap seconds, and one per report
// not yet written (at most a second's).
// Thread-safety: HealthReports' methods may be called from any thread; the functions as
// Context.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"

namespace posfleet::domain {

class HealthReports {
 public:
  // Queues `r`; false (dropped) when its terminal's last report was less than `min_gap`
  // seconds before it.
  bool report(const store::HealthRecord& r, std::int64_t min_gap);
  // Writes what gathered, in one transaction; on failure keeps it for the next.
  Status flush(store::Store& store, std::int64_t history_seconds);
  std::size_t pending() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, store::HealthRecord> pending_;
  std::unordered_map<std::int64_t, std::int64_t> recent_;  // terminal → its last report's time
  std::int64_t gap_ = 0, newest_ = 0;
};

// What terminal `t` sent with its poll at `now`: "" when taken (or dropped as too soon after
// its last), else why it was refused (the poll itself is answered either way).
std::string receive_health(Context& ctx, const store::TerminalRecord& t, std::string_view json,
                           std::int64_t now);

// A terminal's health as people read it: its latest report and the history of the last `days`
// days (at most kMaxHistoryRows, the newest), oldest first.
inline constexpr std::int64_t kMaxHistoryRows = 5000;
struct HealthView {
  std::optional<store::HealthRecord> latest;
  std::vector<store::HealthRecord> history;
};
Expected<HealthView> terminal_health(Context& ctx, const store::TerminalRecord& t, int days,
                                     std::int64_t now);

// Drops history rows past the retention, at most `step` a call; how many it dropped.
Expected<std::int64_t> prune_health(Context& ctx, std::int64_t now, std::int64_t step = 10000);

}  // namespace posfleet::domain
