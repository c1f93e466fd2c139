// posfleet server: the SQLite backend's leases area (store/leases_store.h).
// Thread-safety: as SqliteStore.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

Expected<bool> SqlStore::take_lease(const std::string& name, const std::string& owner,
                                    std::int64_t now, std::int64_t until) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO leases (name, owner, until) VALUES (?,?,?) ON CONFLICT(name) DO UPDATE SET "
      "owner = excluded.owner, until = excluded.until WHERE leases.owner = excluded.owner OR "
      "leases.until < ?");
  s.bind_all(name, owner, until, now);
  if (s.step() != kDone) return c.error("lease " + name);
  return c.changes() == 1;
}

Status SqlStore::release_lease(const std::string& name, const std::string& owner) {
  POSFLEET_CONN(c);
  auto s = c.prepare("DELETE FROM leases WHERE name = ? AND owner = ?");
  s.bind_all(name, owner);
  return done(c, s, "lease");
}

}  // namespace posfleet::store
