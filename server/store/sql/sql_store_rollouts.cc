// posfleet server: the SQLite backend's staged-rollouts area (store/rollouts_store.h). A member's
// phase is its deployment's, read through the rollout_members index and the deployments' primary
// key; an ended deployment whose phase no feedback set is counted by its outcome.
// Thread-safety: as SqliteStore.
#include <algorithm>
#include <string>

#include "server/store/sql/sql_store.h"

#include "server/store/sql/deployment_sql.h"

namespace posfleet::store {

namespace {

constexpr const char* kRolloutCols =
    "SELECT id, name, release_id, target, waves, state, state_reason, current_wave, created_by, "
    "created, start_at, started, ended, offline_days, last_sample, last_counts, org_id FROM "
    "rollouts ";

RolloutRecord read_rollout(Stmt& s) {
  RolloutRecord r;
  r.id = s.i64(0);
  r.name = s.str(1);
  r.release_id = s.i64(2);
  r.target_json = s.str(3);
  r.waves_json = s.str(4);
  r.state = s.str(5);
  r.state_reason = s.str(6);
  r.current_wave = s.i64(7);
  r.created_by = s.str(8);
  r.created = s.i64(9);
  r.start_at = s.i64(10);
  r.started = s.i64(11);
  r.ended = s.i64(12);
  r.offline_days = s.i64(13);
  r.last_sample = s.i64(14);
  r.last_counts = s.str(15);
  r.org_id = s.i64(16);
  return r;
}

// The phase a member's deployment `d` is counted in (see rollouts_store.h).
constexpr const char* kPhaseSql =
    "CASE WHEN d.status = 'finished' AND d.phase IN ('scheduled', 'waiting_window', "
    "'downloading', 'installing') THEN (CASE WHEN d.result = 'success' THEN 'success' ELSE "
    "'failed' END) WHEN d.status = 'canceled' AND d.phase IN ('scheduled', 'waiting_window', "
    "'downloading', 'installing') THEN 'canceled' WHEN d.status = 'running' AND d.phase = "
    "'scheduled' THEN 'downloading' ELSE d.phase END";

// Member rows with their phase word (`ph`), for a rollout (?1) and a seen-after time (?2).
const std::string kMemberPhaseSql =
    std::string(
        "SELECT m.wave AS wave, t.serial AS serial, m.deployment_id AS deployment_id, "
        "CASE WHEN m.deployment_id = 0 THEN (CASE WHEN m.skipped = '' THEN 'pending' WHEN "
        "m.skipped = 'already_installed' THEN 'success' ELSE 'skipped' END) "
        "WHEN d.status = 'scheduled' AND t.last_seen < w.started AND t.last_seen < ?2 THEN "
        "'unreachable' ELSE ") +
    kPhaseSql +
    " END AS ph, COALESCE(d.phase_since, 0) AS since, COALESCE(d.message, m.skipped) AS msg "
    "FROM rollout_members m JOIN rollout_waves w ON w.rollout_id = m.rollout_id AND w.idx = "
    "m.wave JOIN terminals t ON t.id = m.terminal_id LEFT JOIN deployments d ON d.id = "
    "m.deployment_id WHERE m.rollout_id = ?1";

Status bind_done(Connection& c, Stmt& s, const char* what) { return done(c, s, what); }

// The rollouts of the organisations whose path lies in [?from, ?from+1), or every one when that
// path is empty.
std::string rollouts_of_subtree(int from) {
  const std::string a = "?" + std::to_string(from), b = "?" + std::to_string(from + 1);
  return "(" + a + " = '' OR org_id IN (SELECT id FROM organisations WHERE path >= " + a +
         " AND path < " + b + "))";
}

}  // namespace

Expected<std::int64_t> SqlStore::insert_rollout(const RolloutRecord& r) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO rollouts (name, release_id, target, waves, state, state_reason, current_wave, "
      "created_by, created, start_at, started, ended, offline_days, last_sample, last_counts, "
      "org_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind_all(r.name, r.release_id, r.target_json, r.waves_json, r.state, r.state_reason,
             r.current_wave, r.created_by, r.created, r.start_at, r.started, r.ended,
             r.offline_days, r.last_sample, r.last_counts, r.org_id);
  if (s.step() != kDone) return c.error("rollout " + r.name);
  return c.last_insert_id();
}

Expected<RolloutRecord> SqlStore::rollout(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kRolloutCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no rollout " + std::to_string(id));
  return read_rollout(s);
}

Status SqlStore::update_rollout(const RolloutRecord& r) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE rollouts SET name = ?, state = ?, state_reason = ?, current_wave = ?, start_at = ?, "
      "started = ?, ended = ?, last_sample = ?, last_counts = ? WHERE id = ?");
  s.bind_all(r.name, r.state, r.state_reason, r.current_wave, r.start_at, r.started, r.ended,
             r.last_sample, r.last_counts, r.id);
  return bind_done(c, s, "rollout");
}

Expected<std::vector<RolloutRecord>> SqlStore::query_rollouts(const std::string& state,
                                                              std::int64_t release_id,
                                                              std::int64_t offset,
                                                              std::int64_t limit,
                                                              const std::string& org_path) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kRolloutCols) +
                                 "WHERE (?1 = '' OR state = ?1) AND (?2 = 0 OR release_id = ?2) "
                                 "AND " +
                                 rollouts_of_subtree(5) + " ORDER BY id DESC LIMIT ?3 OFFSET ?4";
  auto s = c.prepare(sql.c_str());
  s.bind_all(state, release_id, limit, offset, org_path, subtree_end(org_path));
  std::vector<RolloutRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_rollout(s));
  if (rc != kDone) return c.error("rollouts");
  return out;
}

Expected<std::int64_t> SqlStore::count_rollouts(const std::string& state, std::int64_t release_id,
                                                const std::string& org_path) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string(
          "SELECT COUNT(*) FROM rollouts WHERE (?1 = '' OR state = ?1) AND (?2 = 0 OR "
          "release_id = ?2) AND ") +
      rollouts_of_subtree(3);
  auto s = c.prepare(sql.c_str());
  s.bind_all(state, release_id, org_path, subtree_end(org_path));
  if (s.step() != kRow) return c.error("count rollouts");
  return s.i64(0);
}

Expected<std::vector<std::int64_t>> SqlStore::rollouts_in_states(
    const std::vector<std::string>& states) {
  POSFLEET_CONN(c);
  std::vector<std::int64_t> out;
  for (const auto& state : states) {
    auto q = c.prepare("SELECT id FROM rollouts WHERE state = ? ORDER BY id");
    q.bind(state);
    int rc;
    while ((rc = q.step()) == kRow) out.push_back(q.i64(0));
    if (rc != kDone) return c.error("rollouts in states");
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status SqlStore::insert_rollout_waves(const std::vector<RolloutWaveRecord>& waves) {
  POSFLEET_CONN(c);
  for (const auto& w : waves) {
    auto s = c.prepare(
        "INSERT INTO rollout_waves (rollout_id, idx, spec, state, terminals, started, soak_until, "
        "approved_by, approved_at, finished, failed_base) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    s.bind_all(w.rollout_id, w.index, w.spec_json, w.state, w.terminals, w.started, w.soak_until,
               w.approved_by, w.approved_at, w.finished, w.failed_base);
    if (auto st = bind_done(c, s, "rollout wave"); !st) return st;
  }
  return ok_status();
}

Expected<std::vector<RolloutWaveRecord>> SqlStore::rollout_waves(std::int64_t rollout_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT rollout_id, idx, spec, state, terminals, started, soak_until, approved_by, "
      "approved_at, finished, failed_base FROM rollout_waves WHERE rollout_id = ? ORDER BY idx");
  s.bind(rollout_id);
  std::vector<RolloutWaveRecord> out;
  int rc;
  while ((rc = s.step()) == kRow)
    out.push_back({s.i64(0), s.i64(1), s.str(2), s.str(3), s.i64(4), s.i64(5), s.i64(6), s.str(7),
                   s.i64(8), s.i64(9), s.i64(10)});
  if (rc != kDone) return c.error("rollout waves");
  return out;
}

Status SqlStore::update_rollout_wave(const RolloutWaveRecord& w) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE rollout_waves SET state = ?, terminals = ?, started = ?, soak_until = ?, "
      "approved_by = ?, approved_at = ?, finished = ?, failed_base = ? WHERE rollout_id = ? AND "
      "idx = ?");
  s.bind_all(w.state, w.terminals, w.started, w.soak_until, w.approved_by, w.approved_at,
             w.finished, w.failed_base, w.rollout_id, w.index);
  return bind_done(c, s, "rollout wave");
}

Status SqlStore::insert_rollout_members(std::int64_t rollout_id,
                                        const std::vector<RolloutMemberRecord>& members) {
  POSFLEET_CONN(c);
  for (const auto& m : members) {
    auto s = c.prepare(
        "INSERT INTO rollout_members (rollout_id, terminal_id, wave, deployment_id, skipped) "
        "VALUES (?,?,?,?,?)");
    s.bind_all(rollout_id, m.terminal_id, m.wave, m.deployment_id, m.skipped);
    if (s.step() != kDone) return c.error("rollout member");
  }
  return ok_status();
}

Expected<std::vector<RolloutMemberRecord>> SqlStore::unassigned_members(std::int64_t rollout_id,
                                                                        std::int64_t wave,
                                                                        std::int64_t limit) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT terminal_id, wave, deployment_id, skipped FROM rollout_members WHERE rollout_id = ? "
      "AND wave = ? AND deployment_id = 0 AND skipped = '' ORDER BY terminal_id LIMIT ?");
  s.bind_all(rollout_id, wave, limit);
  std::vector<RolloutMemberRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back({s.i64(0), s.i64(1), s.i64(2), s.str(3)});
  if (rc != kDone) return c.error("unassigned members");
  return out;
}

Expected<std::vector<RolloutMemberRecord>> SqlStore::members_in_phases(
    std::int64_t rollout_id, std::int64_t last_wave, const std::vector<std::string>& phases) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string("SELECT m.terminal_id, m.wave, m.deployment_id, m.skipped, ") + kPhaseSql +
      " AS ph FROM rollout_members m JOIN deployments d ON d.id = m.deployment_id WHERE "
      "m.rollout_id = ? AND m.wave <= ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(rollout_id, last_wave);
  std::vector<RolloutMemberRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) {
    const std::string ph = s.str(4);
    for (const auto& p : phases)
      if (p == ph) {
        out.push_back({s.i64(0), s.i64(1), s.i64(2), s.str(3)});
        break;
      }
  }
  if (rc != kDone) return c.error("members in phases");
  return out;
}

Status SqlStore::set_member_deployment(std::int64_t rollout_id, std::int64_t terminal_id,
                                       std::int64_t deployment_id, const std::string& skipped) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE rollout_members SET deployment_id = ?, skipped = ? WHERE rollout_id = ? AND "
      "terminal_id = ?");
  s.bind_all(deployment_id, skipped, rollout_id, terminal_id);
  return bind_done(c, s, "rollout member");
}

Expected<std::map<std::int64_t, PhaseCounts>> SqlStore::rollout_wave_counts(
    std::int64_t rollout_id, std::int64_t seen_after) {
  POSFLEET_CONN(c);
  static const std::string sql =
      "SELECT wave, ph, COUNT(*) FROM (" + kMemberPhaseSql + ") members GROUP BY wave, ph";
  auto s = c.prepare(sql.c_str());
  s.bind_all(rollout_id, seen_after);
  std::map<std::int64_t, PhaseCounts> out;
  int rc;
  while ((rc = s.step()) == kRow) out[s.i64(0)][s.str(1)] += s.i64(2);
  if (rc != kDone) return c.error("rollout counts");
  return out;
}

Expected<PhaseCounts> SqlStore::rollout_wave_count(std::int64_t rollout_id, std::int64_t wave,
                                                   std::int64_t seen_after) {
  POSFLEET_CONN(c);
  // The wave's members from the index (rollout_id, wave, …), not the whole rollout's.
  static const std::string sql =
      "SELECT ph, COUNT(*) FROM (" + kMemberPhaseSql + " AND m.wave = ?3) members GROUP BY ph";
  auto s = c.prepare(sql.c_str());
  s.bind_all(rollout_id, seen_after, wave);
  PhaseCounts out;
  int rc;
  while ((rc = s.step()) == kRow) out[s.str(0)] += s.i64(1);
  if (rc != kDone) return c.error("rollout wave counts");
  return out;
}

namespace {
const std::string kMemberFilterSql = " WHERE (?3 < 0 OR wave = ?3) AND (?4 = '' OR ph = ?4)";
}

Expected<std::vector<RolloutMemberRow>> SqlStore::rollout_members(const RolloutMemberQuery& q) {
  POSFLEET_CONN(c);
  static const std::string sql = "SELECT wave, serial, deployment_id, ph, since, msg FROM (" +
                                 kMemberPhaseSql + ") members" + kMemberFilterSql +
                                 " ORDER BY wave, serial LIMIT ?5 OFFSET ?6";
  auto s = c.prepare(sql.c_str());
  s.bind_all(q.rollout_id, q.seen_after, q.wave.value_or(-1), q.phase, q.limit, q.offset);
  std::vector<RolloutMemberRow> out;
  int rc;
  while ((rc = s.step()) == kRow)
    out.push_back({s.str(1), s.i64(0), s.i64(2), s.str(3), s.i64(4), s.str(5)});
  if (rc != kDone) return c.error("rollout members");
  return out;
}

Expected<std::int64_t> SqlStore::count_rollout_members(const RolloutMemberQuery& q) {
  POSFLEET_CONN(c);
  static const std::string sql =
      "SELECT COUNT(*) FROM (" + kMemberPhaseSql + ") members" + kMemberFilterSql;
  auto s = c.prepare(sql.c_str());
  s.bind_all(q.rollout_id, q.seen_after, q.wave.value_or(-1), q.phase);
  if (s.step() != kRow) return c.error("count rollout members");
  return s.i64(0);
}

Status SqlStore::insert_rollout_sample(std::int64_t rollout_id, const RolloutSampleRecord& r,
                                       std::int64_t cap) {
  POSFLEET_CONN(c);
  {
    auto s = c.prepare(
        "INSERT INTO rollout_samples (rollout_id, time, wave, counts) VALUES "
        "(?,?,?,?)");
    s.bind_all(rollout_id, r.time, r.wave, r.counts_json);
    if (auto st = bind_done(c, s, "rollout sample"); !st) return st;
  }
  auto s = c.prepare(
      "DELETE FROM rollout_samples WHERE rollout_id = ?1 AND id <= (SELECT id FROM "
      "rollout_samples WHERE rollout_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)");
  s.bind_all(rollout_id, cap);
  return bind_done(c, s, "rollout samples");
}

Expected<std::vector<RolloutSampleRecord>> SqlStore::rollout_samples(std::int64_t rollout_id) {
  POSFLEET_CONN(c);
  auto s =
      c.prepare("SELECT time, wave, counts FROM rollout_samples WHERE rollout_id = ? ORDER BY id");
  s.bind(rollout_id);
  std::vector<RolloutSampleRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back({s.i64(0), s.i64(1), s.str(2)});
  if (rc != kDone) return c.error("rollout samples");
  return out;
}

Status SqlStore::put_release_stop(const ReleaseStopRecord& r) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO release_stops (release_id, reason, by, at) VALUES (?,?,?,?) "
      "ON CONFLICT (release_id) DO UPDATE SET reason = excluded.reason, by = excluded.by, "
      "at = excluded.at");
  s.bind_all(r.release_id, r.reason, r.by, r.at);
  return bind_done(c, s, "release stop");
}

Expected<bool> SqlStore::delete_release_stop(std::int64_t release_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("DELETE FROM release_stops WHERE release_id = ?");
  s.bind(release_id);
  if (s.step() != kDone) return c.error("release stop");
  return c.changes() == 1;
}

namespace {
constexpr const char* kStopCols =
    "SELECT s.release_id, r.version, s.reason, s.by, s.at FROM release_stops s JOIN releases r "
    "ON r.id = s.release_id ";
}

Expected<std::optional<ReleaseStopRecord>> SqlStore::release_stop(std::int64_t release_id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kStopCols) + "WHERE s.release_id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(release_id);
  const int rc = s.step();
  if (rc == kDone) return std::optional<ReleaseStopRecord>();
  if (rc != kRow) return c.error("release stop");
  return std::optional<ReleaseStopRecord>(
      ReleaseStopRecord{s.i64(0), s.str(1), s.str(2), s.str(3), s.i64(4)});
}

Expected<std::vector<ReleaseStopRecord>> SqlStore::release_stops() {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kStopCols) + "ORDER BY s.at DESC";
  auto s = c.prepare(sql.c_str());
  std::vector<ReleaseStopRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back({s.i64(0), s.str(1), s.str(2), s.str(3), s.i64(4)});
  if (rc != kDone) return c.error("release stops");
  return out;
}

Expected<std::vector<DeploymentRecord>> SqlStore::open_deployments_of_release(
    std::int64_t release_id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string("SELECT ") + kDeploymentColumnsSql +
                                 " FROM deployments d WHERE d.release_id = ? AND d.status IN "
                                 "('scheduled', 'running', 'canceling') ORDER BY d.id";
  auto s = c.prepare(sql.c_str());
  s.bind(release_id);
  return read_deployments(c, s, "open deployments of release");
}

Expected<std::vector<std::int64_t>> SqlStore::unfetched_deployments_of_rollout(
    std::int64_t rollout_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id FROM deployments WHERE rollout_id = ? AND status = 'scheduled' ORDER BY id");
  s.bind(rollout_id);
  std::vector<std::int64_t> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(s.i64(0));
  if (rc != kDone) return c.error("unfetched deployments of rollout");
  return out;
}

}  // namespace posfleet::store
