// posfleet server: the store's health area (store/health_store.h), written once in SQL for both
// backends.
// Thread-safety: as SqlStore.
#include <algorithm>

#include "server/store/sql/sql_store.h"

namespace posfleet::store {

Status SqlStore::record_health(const HealthRecord& r, std::int64_t history_seconds) {
  POSFLEET_CONN(c);
  auto last = c.prepare("SELECT history_at FROM terminal_health WHERE terminal_id = ?");
  last.bind(r.terminal_id);
  const int rc = last.step();
  if (rc != kRow && rc != kDone) return c.error("terminal health");
  std::int64_t history_at = rc == kRow ? last.i64(0) : 0;
  if (rc == kDone || r.time - history_at >= history_seconds) {
    auto h =
        c.prepare("INSERT INTO terminal_health_history (terminal_id, time, sample) VALUES (?,?,?)");
    h.bind_all(r.terminal_id, r.time, r.sample_json);
    if (h.step() != kDone) return c.error("terminal health history");
    history_at = r.time;
  }
  auto s = c.prepare(
      "INSERT INTO terminal_health (terminal_id, time, history_at, low_storage, weak_signal, "
      "low_battery, sample) VALUES (?,?,?,?,?,?,?) ON CONFLICT (terminal_id) DO UPDATE SET "
      "time = excluded.time, history_at = excluded.history_at, low_storage = "
      "excluded.low_storage, weak_signal = excluded.weak_signal, low_battery = "
      "excluded.low_battery, sample = excluded.sample");
  s.bind_all(r.terminal_id, r.time, history_at, std::int64_t{r.low_storage},
             std::int64_t{r.weak_signal}, std::int64_t{r.low_battery}, r.sample_json);
  return done(c, s, "terminal health");
}

Expected<std::optional<HealthRecord>> SqlStore::latest_health(std::int64_t terminal_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT time, sample, low_storage, weak_signal, low_battery FROM terminal_health WHERE "
      "terminal_id = ?");
  s.bind(terminal_id);
  const int rc = s.step();
  if (rc == kDone) return std::optional<HealthRecord>();
  if (rc != kRow) return c.error("terminal health");
  return std::optional<HealthRecord>(
      HealthRecord{terminal_id, s.i64(0), s.str(1), s.i64(2) != 0, s.i64(3) != 0, s.i64(4) != 0});
}

Expected<std::vector<HealthRecord>> SqlStore::health_history(std::int64_t terminal_id,
                                                             std::int64_t since,
                                                             std::int64_t limit) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT time, sample FROM terminal_health_history WHERE terminal_id = ? AND time >= ? "
      "ORDER BY time DESC, id DESC LIMIT ?");
  s.bind_all(terminal_id, since, limit);
  std::vector<HealthRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(HealthRecord{terminal_id, s.i64(0), s.str(1)});
  if (rc != kDone) return c.error("terminal health history");
  std::reverse(out.begin(), out.end());
  return out;
}

Expected<std::int64_t> SqlStore::prune_health_history(std::int64_t before, std::int64_t limit) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "DELETE FROM terminal_health_history WHERE id IN (SELECT id FROM terminal_health_history "
      "WHERE time < ? ORDER BY time LIMIT ?)");
  s.bind_all(before, limit);
  if (s.step() != kDone) return c.error("terminal health history");
  return static_cast<std::int64_t>(c.changes());
}

}  // namespace posfleet::store
