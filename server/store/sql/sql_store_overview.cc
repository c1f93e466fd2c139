// posfleet server: the SQLite backend's aggregates for the console's overview
// page, and a terminal's tickets for its detail page.
//
// Each figure is one indexed aggregate. The terminals in service, their
// versions and their effective modes (policy_mode_sql.h) come from
// terminal_tally (migration 22), a few rows however large the fleet; the
// online count is a range of an index that holds last_seen and retired (on PostgreSQL, of the
// seconds in terminals_seen); each security release's pending terminals are a row of
// release_pending (migration 25).
// Thread-safety: as SqliteStore.
#include <string>

#include "core/policy.h"
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {

std::int64_t& mode_slot(FleetOverview& o, const std::string& mode) {
  if (mode == "manual") return o.mode_manual;
  if (mode == "never") return o.mode_never;
  return o.mode_auto;
}

// A row of (model, installed_version, effective_mode, count), in model and version order, added
// to the overview's versions and modes; its count.
std::int64_t add_terminals(FleetOverview& o, Stmt& s) {
  const std::int64_t n = s.i64(3);
  mode_slot(o, s.str(2)) += n;
  const std::string model = s.str(0), version = s.str(1);
  if (o.versions.empty() || o.versions.back().model != model ||
      o.versions.back().version != version)
    o.versions.push_back({model, version, 0});
  o.versions.back().count += n;
  return n;
}

// The terminals in service: how many, of each model and version, of each effective mode.
Status tally(Connection& c, FleetOverview& o, std::int64_t& in_service) {
  auto s = c.prepare(
      "SELECT model, installed_version, effective_mode, n FROM terminal_tally "
      "WHERE retired = 0 AND n > 0 ORDER BY model, installed_version");
  in_service = 0;
  int rc;
  while ((rc = s.step()) == kRow) in_service += add_terminals(o, s);
  if (rc != kDone) return c.error("overview: terminals in service");
  return ok_status();
}

}  // namespace

Expected<FleetOverview> SqlStore::overview(std::int64_t online_since, std::int64_t outcomes_since,
                                           std::int64_t now) {
  POSFLEET_CONN(c);
  FleetOverview o;
  // Retired terminals (migration 11) count nowhere on the overview.
  std::int64_t in_service = 0;
  if (auto st = tally(c, o, in_service); !st) return st.error();
  {
    // PostgreSQL sums the window's seconds in terminals_seen (pg_schema.cc); SQLite counts the
    // index range, quick enough there.
    auto s = c.prepare(keeps_seen_seconds()
                           ? "SELECT COALESCE(SUM(n), 0) FROM terminals_seen "
                             "WHERE second >= ? AND retired = 0"
                           : "SELECT COUNT(*) FROM terminals WHERE last_seen >= ? AND retired = 0");
    s.bind(online_since);
    if (s.step() != kRow) return c.error("overview: online");
    o.online = s.i64(0);
    o.offline = in_service - o.online;
  }
  {
    // Kept per day as deployments end (migration 22's deployment_days). Rolled back: the
    // terminal reported a failed health check or boot loop (core/result.h kHealthCheck,
    // kBootFailed) and went back to its slot.
    static_assert(
        static_cast<int>(Code::kHealthCheck) == 31 && static_cast<int>(Code::kBootFailed) == 32,
        "deployment_days counts codes 31 and 32 as rolled back (migration 22)");
    auto s = c.prepare(
        "SELECT day, ok, failed, rolled FROM deployment_days WHERE day >= ? "
        "AND ok + failed + rolled > 0 ORDER BY day");
    s.bind(outcomes_since / 86400);
    int rc;
    while ((rc = s.step()) == kRow)
      o.outcomes.push_back({date_text(civil_from_days(s.i64(0))), s.i64(1), s.i64(2), s.i64(3)});
    if (rc != kDone) return c.error("overview: outcomes");
  }
  {
    // Pending: terminals in service whose newest deployment is of the release and not
    // canceled, and that do not run its version yet (the terminal filter's `pending`), as
    // release_pending keeps them (migration 25).
    auto s = c.prepare(
        "SELECT r.version, r.security_deadline, COALESCE((SELECT p.n FROM release_pending p"
        " WHERE p.release_id = r.id), 0) "
        "FROM releases r WHERE r.security = 1 AND r.security_deadline > ? ORDER BY "
        "r.security_deadline, r.version");
    s.bind(now);
    int rc;
    while ((rc = s.step()) == kRow) o.security.push_back({s.str(0), s.i64(1), s.i64(2)});
    if (rc != kDone) return c.error("overview: security deadlines");
  }
  return o;
}

// A reseller's overview: the same figures over the terminals of its subtree, from their rows (the
// tallies are the whole fleet's). The subtree is one range of the organisations' path index and
// its terminals one lookup each of terminals_org; a reseller of a few thousand terminals reads
// a few thousand rows.
Expected<FleetOverview> SqlStore::subtree_overview(const std::string& org_path,
                                                   std::int64_t online_since,
                                                   std::int64_t outcomes_since, std::int64_t now) {
  POSFLEET_CONN(c);
  FleetOverview o;
  const std::string in_subtree =
      " t.org_id IN (SELECT id FROM organisations WHERE path >= ? AND path < ?)";
  const std::string end = subtree_end(org_path);
  {
    const std::string sql =
        "SELECT t.model, t.installed_version, t.effective_mode, COUNT(*), "
        "SUM(CASE WHEN t.last_seen >= ? THEN 1 ELSE 0 END) FROM terminals t WHERE t.retired = 0 "
        "AND" +
        in_subtree + " GROUP BY t.model, t.installed_version, t.effective_mode " +
        "ORDER BY t.model, t.installed_version";
    auto s = c.prepare(sql.c_str());
    s.bind_all(online_since, org_path, end);
    std::int64_t in_service = 0;
    int rc;
    while ((rc = s.step()) == kRow) {
      in_service += add_terminals(o, s);
      o.online += s.i64(4);
    }
    if (rc != kDone) return c.error("overview: the subtree's terminals");
    o.offline = in_service - o.online;
  }
  {
    // Ended deployments of the subtree's terminals by the day they ended, as deployment_days
    // counts them for the fleet (migration 22).
    const std::string sql =
        "SELECT d.updated / 86400 AS day, "
        "SUM(CASE WHEN d.result = 'success' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN d.result != 'success' AND NOT EXISTS (SELECT 1 FROM action_status a "
        "WHERE a.deployment_id = d.id AND a.code IN (31, 32)) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN d.result != 'success' AND EXISTS (SELECT 1 FROM action_status a WHERE "
        "a.deployment_id = d.id AND a.code IN (31, 32)) THEN 1 ELSE 0 END) "
        // From the subtree's terminals to each one's deployments (not from every deployment
        // that ended to its terminal): SQLite takes the CROSS JOIN's order, and filter_only
        // keeps it off the index of ended deployments (db.h).
        "FROM terminals t CROSS JOIN deployments d WHERE d.terminal_id = t.id AND " +
        c.filter_only("d.status") + " = 'finished' AND " + c.filter_only("d.updated") +
        " >= ? AND" + in_subtree + " GROUP BY d.updated / 86400 ORDER BY day";
    auto s = c.prepare(sql.c_str());
    s.bind_all(outcomes_since, org_path, end);
    int rc;
    while ((rc = s.step()) == kRow)
      o.outcomes.push_back({date_text(civil_from_days(s.i64(0))), s.i64(1), s.i64(2), s.i64(3)});
    if (rc != kDone) return c.error("overview: the subtree's outcomes");
  }
  {
    // Each security release's pending terminals of the subtree (the terminal filter's
    // `pending`).
    const std::string sql =
        "SELECT r.version, r.security_deadline, (SELECT COUNT(*) FROM terminals t WHERE "
        "t.retired = 0 AND " +
        c.filter_only("t.newest_release_id") +
        " = r.id AND t.update_state != 'canceled' AND "
        "t.installed_version != r.version AND" +
        in_subtree +
        ") FROM releases r WHERE r.security = 1 AND r.security_deadline > ? ORDER BY "
        "r.security_deadline, r.version";
    auto s = c.prepare(sql.c_str());
    s.bind_all(org_path, end, now);
    int rc;
    while ((rc = s.step()) == kRow) o.security.push_back({s.str(0), s.i64(1), s.i64(2)});
    if (rc != kDone) return c.error("overview: the subtree's security deadlines");
  }
  return o;
}

Expected<std::vector<TicketRecord>> SqlStore::tickets_of_terminal(std::int64_t terminal_id,
                                                                  std::int64_t limit) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, terminal_id, serial, version, policy, message, status, note, created, updated "
      "FROM tickets "
      "WHERE terminal_id = ? ORDER BY id DESC LIMIT ?");
  s.bind_all(terminal_id, limit);
  std::vector<TicketRecord> out;
  int rc;
  while ((rc = s.step()) == kRow)
    out.push_back({s.i64(0), s.i64(1), s.str(2), s.str(3), s.str(4), s.str(5), s.str(6), s.str(7),
                   s.i64(8), s.i64(9)});
  if (rc != kDone) return c.error("tickets of terminal");
  return out;
}

}  // namespace posfleet::store
