// posfleet server: the SQLite store's queries for roll-outs: what the server
// checked of a release's signatures, deployments counted and listed by
// release (migration 6's index), and the policy rows and group sizes the
// policy preview needs to count without visiting every terminal.
// Thread-safety: as SqliteStore.
#include <string>

#include "server/store/sql/sql_store.h"

#include "server/store/sql/deployment_sql.h"

namespace posfleet::store {

Status SqlStore::put_release_check(const ReleaseCheckRecord& r) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO release_checks (release_id, verified, threshold, key_ids) VALUES (?,?,?,?) "
      "ON CONFLICT (release_id) DO UPDATE SET verified = excluded.verified, "
      "threshold = excluded.threshold, key_ids = excluded.key_ids");
  s.bind_all(r.release_id, r.verified, r.threshold, r.trusted_key_ids_csv);
  return done(c, s, "release check");
}

Expected<std::optional<ReleaseCheckRecord>> SqlStore::release_check(std::int64_t release_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT release_id, verified, threshold, key_ids FROM release_checks WHERE release_id = ?");
  s.bind(release_id);
  if (s.step() != kRow) return std::optional<ReleaseCheckRecord>();
  return std::optional<ReleaseCheckRecord>(
      ReleaseCheckRecord{s.i64(0), s.i64(1) != 0, static_cast<int>(s.i64(2)), s.str(3)});
}

Status SqlStore::add_release_bytes(std::int64_t release_id, const ReleaseBytes& b) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO release_bytes (release_id, sent_bytes, full_bytes) VALUES (?,?,?) "
      "ON CONFLICT (release_id) DO UPDATE SET sent_bytes = release_bytes.sent_bytes + "
      "excluded.sent_bytes, full_bytes = release_bytes.full_bytes + excluded.full_bytes");
  s.bind_all(release_id, static_cast<std::int64_t>(b.sent), static_cast<std::int64_t>(b.full));
  return done(c, s, "release bytes");
}

Expected<ReleaseBytes> SqlStore::release_bytes(std::int64_t release_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT sent_bytes, full_bytes FROM release_bytes WHERE release_id = ?");
  s.bind(release_id);
  if (s.step() != kRow) return ReleaseBytes{};
  return ReleaseBytes{static_cast<std::uint64_t>(s.i64(0)), static_cast<std::uint64_t>(s.i64(1))};
}

Status SqlStore::add_zchunk_file(std::int64_t release_id, const std::string& sha256) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO zchunk_files (sha256, release_id) VALUES (?,?) ON CONFLICT DO NOTHING");
  s.bind_all(sha256, release_id);
  return done(c, s, "zchunk file");
}

Expected<bool> SqlStore::zchunk_file_listed(const std::string& sha256) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT 1 FROM zchunk_files WHERE sha256 = ? LIMIT 1");
  s.bind(sha256);
  return s.step() == kRow;
}

// The deployments of a release (?) of the terminals of a subtree ([?, ?)), read from the subtree's
// terminals by their organisation, then each one's deployments.
std::string subtree_deployments(const Connection& c) {
  return " FROM organisations o JOIN terminals t ON t.org_id = o.id JOIN deployments d ON "
         "d.terminal_id = t.id AND " +
         c.filter_only("d.release_id") + " = ? WHERE o.path >= ? AND o.path < ? ";
}

Expected<std::map<UpdateState, std::int64_t>> SqlStore::release_state_counts(
    std::int64_t release_id, const std::string& org_path) {
  POSFLEET_CONN(c);
  static const std::string sql = "SELECT " + update_state_sql() +
                                 " AS state, COUNT(*) FROM deployments d "
                                 "WHERE d.release_id = ? GROUP BY state";
  const std::string in_subtree = "SELECT " + update_state_sql() + " AS state, COUNT(*)" +
                                 subtree_deployments(c) + "GROUP BY state";
  auto s = c.prepare(org_path.empty() ? sql.c_str() : in_subtree.c_str());
  if (org_path.empty())
    s.bind(release_id);
  else
    s.bind_all(release_id, org_path, subtree_end(org_path));
  std::map<UpdateState, std::int64_t> out;
  for (auto state : kAllUpdateStates)
    if (state != UpdateState::kIdle) out[state] = 0;
  int rc;
  while ((rc = s.step()) == kRow) {
    auto state = parse_update_state(s.str(0));
    if (!state)
      return make_error(Code::kIo, "release state counts: a deployment in no known state");
    out[*state] += s.i64(1);
  }
  if (rc != kDone) return c.error("release state counts");
  return out;
}

const std::string kReleaseDeploymentsSql =
    std::string("SELECT ") + kDeploymentColumnsSql +
    ", t.serial FROM deployments d JOIN terminals t ON t.id = d.terminal_id "
    "WHERE d.release_id = ? ORDER BY d.id DESC LIMIT ?";

Expected<std::vector<DeploymentRow>> SqlStore::release_deployments(std::int64_t release_id,
                                                                   std::int64_t limit,
                                                                   const std::string& org_path) {
  POSFLEET_CONN(c);
  const std::string in_subtree = std::string("SELECT ") + kDeploymentColumnsSql + ", t.serial" +
                                 subtree_deployments(c) + "ORDER BY d.id DESC LIMIT ?";
  auto s = c.prepare(org_path.empty() ? kReleaseDeploymentsSql.c_str() : in_subtree.c_str());
  if (org_path.empty())
    s.bind_all(release_id, limit);
  else
    s.bind_all(release_id, org_path, subtree_end(org_path), limit);
  std::vector<DeploymentRow> out;
  int rc;
  while ((rc = s.step()) == kRow) {
    auto d = read_deployment(s);
    if (!d) return d.error();
    out.push_back({std::move(*d), s.str(kDeploymentColumnCount)});
  }
  if (rc != kDone) return c.error("release deployments");
  return out;
}

Expected<std::vector<PolicyRecord>> SqlStore::policies_of_scope(const std::string& scope) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT scope, scope_key, patch, revision, mode_revision FROM policies WHERE scope = ?");
  s.bind(scope);
  std::vector<PolicyRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back({s.str(0), s.str(1), s.str(2), s.i64(3), s.i64(4)});
  if (rc != kDone) return c.error("policies of scope");
  return out;
}

Expected<std::map<std::string, std::int64_t>> SqlStore::terminals_per_group() {
  POSFLEET_CONN(c);
  auto s =
      c.prepare("SELECT group_name, COUNT(*) FROM terminals WHERE retired = 0 GROUP BY group_name");
  std::map<std::string, std::int64_t> out;
  int rc;
  while ((rc = s.step()) == kRow) out[s.str(0)] = s.i64(1);
  if (rc != kDone) return c.error("terminals per group");
  return out;
}

Expected<std::map<SqlStore::PolicyPlace, std::int64_t>> SqlStore::terminals_per_place() {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT group_name, org_id, COUNT(*) FROM terminals WHERE retired = 0 GROUP BY group_name, "
      "org_id");
  std::map<PolicyPlace, std::int64_t> out;
  int rc;
  while ((rc = s.step()) == kRow) out[{s.str(0), s.i64(1)}] = s.i64(2);
  if (rc != kDone) return c.error("terminals per place");
  return out;
}

Expected<std::map<std::string, SqlStore::PolicyPlace>> SqlStore::places_of_terminal_policies() {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT p.scope_key, t.group_name, t.org_id FROM policies p JOIN terminals t ON t.serial = "
      "p.scope_key WHERE p.scope = 'terminal'");
  std::map<std::string, PolicyPlace> out;
  int rc;
  while ((rc = s.step()) == kRow) out[s.str(0)] = {s.str(1), s.i64(2)};
  if (rc != kDone) return c.error("places of terminal policies");
  return out;
}

}  // namespace posfleet::store
