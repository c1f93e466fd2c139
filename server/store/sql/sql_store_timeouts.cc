// posfleet server: the SQLite backend's timeouts area (store/timeouts_store.h).
// Thread-safety: as SqliteStore.
#include "server/store/sql/deployment_sql.h"
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

Expected<DeploymentTimeouts> SqlStore::deployment_timeouts() {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT waiting_seconds, downloading_seconds, installing_seconds FROM deployment_timeouts "
      "WHERE id = 1");
  const int rc = s.step();
  if (rc == kDone) return DeploymentTimeouts{};  // never set: the defaults
  if (rc != kRow) return c.error("deployment timeouts");
  return DeploymentTimeouts{s.i64(0), s.i64(1), s.i64(2)};
}

Status SqlStore::set_deployment_timeouts(const DeploymentTimeouts& t) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO deployment_timeouts (id, waiting_seconds, downloading_seconds, "
      "installing_seconds) VALUES (1,?,?,?) ON CONFLICT(id) DO UPDATE SET waiting_seconds = "
      "excluded.waiting_seconds, downloading_seconds = excluded.downloading_seconds, "
      "installing_seconds = excluded.installing_seconds");
  s.bind_all(t.waiting_seconds, t.downloading_seconds, t.installing_seconds);
  return done(c, s, "deployment timeouts");
}

Expected<std::vector<DeploymentRecord>> SqlStore::deployments_in_phase_before(DeploymentPhase phase,
                                                                              std::int64_t before,
                                                                              std::int64_t limit) {
  POSFLEET_CONN(c);
  // Each open status is one range of the index (status, phase, phase_since); the union is
  // ordered by phase_since and cut at `limit`.
  static const std::string sql = std::string("SELECT ") + kDeploymentColumnsSql +
                                 " FROM deployments d WHERE d.status IN ('scheduled', "
                                 "'running', 'canceling') AND d.phase = ? AND d.phase_since < ? "
                                 "ORDER BY d.phase_since, d.id LIMIT ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(std::string(to_string(phase)), before, limit);
  return read_deployments(c, s, "deployments in phase");
}

}  // namespace posfleet::store
