// posfleet server: the SQL store's limits area (store/limits_store.h): one row per event, a key's
// window one range of the (key, time) index.
// Thread-safety: as SqlStore.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {
Expected<std::int64_t> count_in(Connection& c, const std::string& key, std::int64_t since) {
  auto s = c.prepare("SELECT COUNT(*) FROM limit_events WHERE key = ? AND time > ?");
  s.bind_all(key, since);
  if (s.step() != kRow) return c.error("limit events");
  return s.i64(0);
}
}  // namespace

Expected<std::int64_t> SqlStore::count_limit_events(const std::string& key, std::int64_t since) {
  POSFLEET_CONN(c);
  return count_in(c, key, since);
}

Status SqlStore::add_limit_event(const std::string& key, std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare("INSERT INTO limit_events (key, time) VALUES (?, ?)");
  s.bind_all(key, now);
  return done(c, s, "limit event");
}

Expected<bool> SqlStore::take_limit_event(const std::string& key, std::int64_t since,
                                          std::int64_t now, std::int64_t max) {
  POSFLEET_CONN(c);
  // The count and the insert in one transaction (SQLite: the write lock from the start;
  // PostgreSQL: the servers' transaction lock), so two servers never both take the last one.
  if (auto st = c.begin(); !st) return st.error();
  auto n = count_in(c, key, since);
  if (!n) {
    c.rollback();
    return n.error();
  }
  if (*n >= max) {
    c.rollback();
    return false;
  }
  auto s = c.prepare("INSERT INTO limit_events (key, time) VALUES (?, ?)");
  s.bind_all(key, now);
  if (auto st = done(c, s, "limit event"); !st) {
    c.rollback();
    return st.error();
  }
  if (auto st = c.commit(); !st) return st.error();
  return true;
}

Status SqlStore::clear_limit_events(const std::string& key) {
  POSFLEET_CONN(c);
  auto s = c.prepare("DELETE FROM limit_events WHERE key = ?");
  s.bind_all(key);
  return done(c, s, "limit events");
}

Expected<std::int64_t> SqlStore::prune_limit_events(std::int64_t before, std::int64_t limit) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "DELETE FROM limit_events WHERE id IN (SELECT id FROM limit_events WHERE time <= ? "
      "ORDER BY time LIMIT ?)");
  s.bind_all(before, limit);
  if (auto st = done(c, s, "limit events"); !st) return st.error();
  return c.changes();
}

}  // namespace posfleet::store
