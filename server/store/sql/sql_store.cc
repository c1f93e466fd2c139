#include "server/store/sql/sql_store.h"

#include "server/store/sql/deployment_sql.h"

#include <string>

namespace posfleet::store {

namespace {

// The columns read_terminal reads, in order, from a terminals table aliased `t`.
#define POSFLEET_TERMINAL_COLUMNS                                                        \
  "t.id, t.tenant, t.serial, t.model, t.token_hash, t.installed_version, t.attributes, " \
  "t.created, t.last_seen, t.group_name, t.merchant_id, t.retired, t.retired_reason, "   \
  "t.time_zone, t.org_id"
constexpr int kTerminalColumnCount = 15;
constexpr const char* kTerminalCols = "SELECT " POSFLEET_TERMINAL_COLUMNS " FROM terminals t ";

const std::string kDeploymentCols =
    std::string("SELECT ") + kDeploymentColumnsSql + " FROM deployments d ";

}  // namespace

TerminalRecord read_terminal(Stmt& s) {
  return TerminalRecord{s.i64(0),  s.str(1),  s.str(2),  s.str(3),  s.str(4),
                        s.str(5),  s.str(6),  s.i64(7),  s.i64(8),  s.str(9),
                        s.i64(10), s.i64(11), s.str(12), s.str(13), s.i64(14)};
}

Status done(Connection& c, Stmt& s, const char* what) {
  if (s.step() != kDone) return c.error(what);
  return ok_status();
}

const char* terminal_columns() { return kTerminalCols; }

Status recount_terminal_tally(Connection& c) {
  auto clear = c.prepare("DELETE FROM terminal_tally");
  if (auto st = done(c, clear, "clearing the tally"); !st) return st;
  auto count = c.prepare(
      "INSERT INTO terminal_tally (model, installed_version, effective_mode, retired, n) "
      "SELECT model, installed_version, effective_mode, CASE WHEN retired = 0 THEN 0 ELSE 1 END, "
      "COUNT(*) FROM terminals GROUP BY model, installed_version, effective_mode, "
      "CASE WHEN retired = 0 THEN 0 ELSE 1 END");
  return done(c, count, "counting the tally");
}

Expected<std::vector<DeploymentRecord>> read_deployments(Connection& c, Stmt& s, const char* what) {
  std::vector<DeploymentRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) {
    auto d = read_deployment(s);
    if (!d) return d.error();
    out.push_back(std::move(*d));
  }
  if (rc != kDone) return c.error(what);
  return out;
}

Expected<Connection*> SqlStore::conn() {
  // Each thread remembers its connection to the store it used last, so the
  // common case takes no lock. Store ids are never reused.
  thread_local std::uint64_t cached_store = 0;
  thread_local Connection* cached = nullptr;
  if (cached_store == id_) return cached;
  std::lock_guard lock(mu_);
  auto& slot = conns_[std::this_thread::get_id()];
  if (!slot) {
    auto c = open_connection();
    if (!c) return c.error();
    slot = std::move(*c);
  }
  cached_store = id_;
  cached = slot.get();
  return cached;
}

namespace {

// Runs `work` in the transaction just begun on `c`, and ends it.
Status finish(Connection& c, Tx& tx, const std::function<Status(Tx& tx)>& work) {
  Status st = ok_status();
  try {
    st = work(tx);
  } catch (...) {
    c.rollback();
    throw;
  }
  if (!st) {
    c.rollback();
    return st;
  }
  return c.commit();
}

}  // namespace

Status SqlStore::transact(const std::function<Status(Tx& tx)>& work) {
  // Every method runs on this thread's connection, so `*this` is the
  // transaction for as long as `work` runs.
  POSFLEET_CONN(c);
  if (auto b = c.begin(); !b) return b;
  return finish(c, *this, work);
}

Status SqlStore::transact_terminal(std::int64_t terminal_id,
                                   const std::function<Status(Tx& tx)>& work) {
  POSFLEET_CONN(c);
  const bool nested = c.in_transaction();
  for (int attempt = 1;; ++attempt) {
    if (auto b = c.begin_terminal(terminal_id); !b) return b;
    Status st = finish(c, *this, work);
    if (st || nested || attempt == 3 || !c.retryable()) return st;
  }
}

Expected<std::int64_t> SqlStore::insert_terminal(const TerminalRecord& t) {
  POSFLEET_CONN(c);
  if (auto b = c.begin(); !b) return b.error();
  auto s = c.prepare(
      "INSERT INTO terminals (tenant, serial, model, token_hash, created, time_zone) VALUES "
      "(?,?,?,?,?,?)");
  s.bind_all(t.tenant, t.serial, t.model, t.token_hash, t.created, t.time_zone);
  if (s.step() != kDone) {
    auto e = c.error("terminal " + t.serial);
    c.rollback();
    return e;
  }
  const std::int64_t id = c.last_insert_id();
  // A policy may name the serial before the terminal registers.
  if (auto st = refresh_effective_modes(c, false, "id = ?", id); !st) {
    c.rollback();
    return st.error();
  }
  if (auto e = c.commit(); !e) return e.error();
  return id;
}

Expected<TerminalRecord> SqlStore::terminal_by_serial(const std::string& tenant,
                                                      const std::string& serial) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kTerminalCols) + "WHERE tenant = ? AND serial = ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(tenant, serial);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no terminal with serial " + serial);
  return read_terminal(s);
}

Expected<PollingTerminal> SqlStore::polling_terminal(const std::string& tenant,
                                                     const std::string& serial) {
  POSFLEET_CONN(c);
  // The terminal and its newest deployment in one statement: one read of one
  // moment, one round trip. The newest is the only one that can be open
  // (open_deployment); the same index seek as there.
  static const std::string sql =
      std::string("SELECT " POSFLEET_TERMINAL_COLUMNS ", ") + kDeploymentColumnsSql +
      " FROM terminals t LEFT JOIN deployments d ON d.id = (SELECT id FROM deployments WHERE "
      "terminal_id = t.id ORDER BY id DESC LIMIT 1) WHERE t.tenant = ? AND t.serial = ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(tenant, serial);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no terminal with serial " + serial);
  PollingTerminal p{read_terminal(s), std::nullopt};
  if (s.i64(kTerminalColumnCount) != 0) {  // ids start at 1; NULL (no deployment) reads 0
    auto d = read_deployment(s, kTerminalColumnCount);
    if (!d) return d.error();
    if (is_open(d->status)) p.open = std::move(*d);
  }
  return p;
}

Expected<TerminalRecord> SqlStore::terminal_by_id(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kTerminalCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no terminal " + std::to_string(id));
  return read_terminal(s);
}

Expected<std::vector<TerminalRecord>> SqlStore::list_terminals(std::int64_t offset,
                                                               std::int64_t limit) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kTerminalCols) + "ORDER BY id LIMIT ? OFFSET ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(limit, offset);
  std::vector<TerminalRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_terminal(s));
  if (rc != kDone) return c.error("list terminals");
  return out;
}

Status SqlStore::touch_terminal(std::int64_t id, std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE terminals SET last_seen = ? WHERE id = ?");
  s.bind_all(now, id);
  return done(c, s, "touch terminal");
}

namespace {
// One chunk of last_seen writes: UPDATE … FROM a VALUES list of `rows` (terminal id, time)
// pairs (a CTE: SQLite has no column list on a FROM subquery's alias). With `in_id_order`
// (PostgreSQL) their rows are locked first, in the order of their ids: every server's chunks
// then lock shared terminals in the same order and wait on each other instead of deadlocking
// (a join's plan locks them in whatever order it reads them: a hash join in the table's). The
// lock is FOR NO KEY UPDATE, what the UPDATE itself takes: FOR UPDATE would also wait for the
// key-share locks of every insert that references a terminal (a rollout's members, a
// deployment) and, with a transaction inserting many of those in another order, deadlock.
std::string touch_terminals_sql(std::size_t rows, bool in_id_order) {
  std::string sql = "WITH v(id, seen) AS (VALUES ";
  for (std::size_t i = 0; i < rows; ++i)
    sql += i ? ",(CAST(? AS BIGINT),CAST(? AS BIGINT))" : "(CAST(? AS BIGINT),CAST(? AS BIGINT))";
  sql += ")";
  if (in_id_order)
    return sql +
           ", locked AS MATERIALIZED (SELECT t.id, v.seen FROM terminals t JOIN v ON t.id = v.id"
           " WHERE t.last_seen < v.seen ORDER BY t.id FOR NO KEY UPDATE OF t)"
           " UPDATE terminals SET last_seen = locked.seen FROM locked"
           " WHERE terminals.id = locked.id AND terminals.last_seen < locked.seen";
  return sql +
         " UPDATE terminals SET last_seen = v.seen FROM v WHERE terminals.id = v.id AND "
         "terminals.last_seen < v.seen";
}
}  // namespace

Status SqlStore::touch_terminals(const std::vector<std::pair<std::int64_t, std::int64_t>>& seen) {
  POSFLEET_CONN(c);
  // Chunks of 256, 128, … 1 rows: nine statement texts, each prepared once per connection,
  // none with more parameters than either database takes.
  const bool in_id_order = locks_rows();
  const auto chunks = [](bool in_id_order) {
    std::vector<std::string> t;
    for (std::size_t n = 1; n <= 256; n *= 2) t.push_back(touch_terminals_sql(n, in_id_order));
    return t;
  };
  static const std::vector<std::string> texts[2] = {chunks(false), chunks(true)};
  std::size_t at = 0;
  while (at < seen.size()) {
    std::size_t k = texts[in_id_order].size() - 1;
    while ((std::size_t{1} << k) > seen.size() - at) --k;
    const std::size_t n = std::size_t{1} << k;
    // Each chunk is its own statement. Should one still be undone as a deadlock (with a
    // transaction that locks the same terminals another way): run it again, up to three
    // times; inside a caller's transaction the whole of it is lost.
    for (int attempt = 1;; ++attempt) {
      auto s = c.prepare(texts[in_id_order][k].c_str());
      for (std::size_t i = at; i < at + n; ++i) s.bind(seen[i].first).bind(seen[i].second);
      auto st = done(c, s, "touch terminals");
      if (st) break;
      if (c.in_transaction() || attempt == 3 || !c.retryable()) return st;
    }
    at += n;
  }
  return ok_status();
}

Status SqlStore::set_terminal_attributes(std::int64_t id, const std::string& json) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE terminals SET attributes = ? WHERE id = ?");
  s.bind_all(json, id);
  return done(c, s, "terminal attributes");
}

Status SqlStore::set_installed_version(std::int64_t id, const std::string& version) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE terminals SET installed_version = ? WHERE id = ?");
  s.bind_all(version, id);
  return done(c, s, "terminal version");
}

Status SqlStore::put_artifact(const ArtifactRecord& a) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO artifacts (sha256, sha1, md5, size) VALUES (?,?,?,?) ON CONFLICT DO NOTHING");
  s.bind_all(a.sha256, a.sha1, a.md5, a.size);
  return done(c, s, "artifact");
}

Expected<ArtifactRecord> SqlStore::artifact(const std::string& sha256) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT sha256, sha1, md5, size FROM artifacts WHERE sha256 = ?");
  s.bind(sha256);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no artifact " + sha256);
  return ArtifactRecord{s.str(0), s.str(1), s.str(2), static_cast<std::uint64_t>(s.i64(3))};
}

Expected<std::int64_t> SqlStore::insert_release(ReleaseRecord& r) {
  POSFLEET_CONN(c);
  if (auto b = c.begin(); !b) return b.error();
  auto fail = [&](Error e) -> Expected<std::int64_t> {
    c.rollback();
    return e;
  };
  {
    auto s = c.prepare(
        "INSERT INTO releases (version, manifest, models, key_ids, expires, security, created, "
        "org_id) VALUES (?,?,?,?,?,?,?,?)");
    s.bind_all(r.version, r.manifest_json, r.models_csv, r.key_ids_csv, r.expires, r.security,
               r.created, r.org_id);
    if (s.step() != kDone) return fail(c.error("release " + r.version));
  }
  r.id = c.last_insert_id();
  for (auto& comp : r.components) {
    auto s = c.prepare(
        "INSERT INTO components (release_id, name, version, filename, sha256, length) VALUES "
        "(?,?,?,?,?,?)");
    s.bind_all(r.id, comp.name, comp.version, comp.filename, comp.sha256, comp.length);
    if (s.step() != kDone) return fail(c.error("component " + comp.name));
    comp.id = c.last_insert_id();
    comp.release_id = r.id;
  }
  if (auto e = c.commit(); !e) return e.error();
  return r.id;
}

Expected<std::vector<ComponentRecord>> SqlStore::components_of(Connection& c,
                                                               std::int64_t release_id) {
  auto s = c.prepare(
      "SELECT id, release_id, name, version, filename, sha256, length FROM components WHERE "
      "release_id = ? ORDER BY id");
  s.bind(release_id);
  std::vector<ComponentRecord> out;
  int rc;
  while ((rc = s.step()) == kRow)
    out.push_back({s.i64(0), s.i64(1), s.str(2), s.str(3), s.str(4), s.str(5),
                   static_cast<std::uint64_t>(s.i64(6))});
  if (rc != kDone) return c.error("components of");
  return out;
}

Expected<ReleaseRecord> SqlStore::release_where(const char* sql, const std::string& key) {
  POSFLEET_CONN(c);
  ReleaseRecord r;
  {
    auto s = c.prepare(sql);
    s.bind(key);
    if (s.step() != kRow) return make_error(Code::kNotFound, "no release " + key);
    r = ReleaseRecord{s.i64(0), s.str(1),      s.str(2), s.str(3), s.str(4), s.i64(5),
                      s.i64(6), s.i64(7) != 0, {},       s.i64(8), s.i64(9)};
  }
  auto comps = components_of(c, r.id);
  if (!comps) return comps.error();
  r.components = std::move(*comps);
  return r;
}

Expected<ReleaseRecord> SqlStore::release_by_version(const std::string& version) {
  return release_where(
      "SELECT id, version, manifest, models, key_ids, expires, created, security, "
      "security_deadline, org_id FROM releases "
      "WHERE version = ?",
      version);
}

Expected<ReleaseRecord> SqlStore::release_by_id(std::int64_t id) {
  return release_where(
      "SELECT id, version, manifest, models, key_ids, expires, created, security, "
      "security_deadline, org_id FROM releases "
      "WHERE id = CAST(? AS INTEGER)",
      std::to_string(id));
}

Expected<std::vector<ReleaseRecord>> SqlStore::list_releases() {
  std::vector<std::int64_t> ids;
  {
    POSFLEET_CONN(c);
    auto s = c.prepare("SELECT id FROM releases ORDER BY id");
    int rc;
    while ((rc = s.step()) == kRow) ids.push_back(s.i64(0));
    if (rc != kDone) return c.error("list releases");
  }
  std::vector<ReleaseRecord> out;
  for (auto id : ids) {
    auto r = release_by_id(id);
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

Expected<ComponentRecord> SqlStore::component(std::int64_t id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, release_id, name, version, filename, sha256, length FROM components WHERE id = "
      "?");
  s.bind(id);
  if (s.step() != kRow)
    return make_error(Code::kNotFound, "no software module " + std::to_string(id));
  return ComponentRecord{s.i64(0),
                         s.i64(1),
                         s.str(2),
                         s.str(3),
                         s.str(4),
                         s.str(5),
                         static_cast<std::uint64_t>(s.i64(6))};
}

Expected<std::int64_t> SqlStore::insert_deployment(const DeploymentRecord& d) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO deployments (terminal_id, release_id, status, result, message, created, "
      "updated, rollout_id, phase, phase_since) VALUES (?,?,?,?,?,?,?,?,?,?)");
  s.bind_all(d.terminal_id, d.release_id, to_string(d.status), to_string(d.result), d.message,
             d.created, d.updated, d.rollout_id, to_string(d.phase),
             d.phase_since ? d.phase_since : d.created);
  if (s.step() != kDone) return c.error("deployment");
  return c.last_insert_id();
}

Expected<DeploymentRecord> SqlStore::deployment(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kDeploymentCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no deployment " + std::to_string(id));
  return read_deployment(s);
}

Expected<std::optional<DeploymentRecord>> SqlStore::open_deployment(std::int64_t terminal_id) {
  POSFLEET_CONN(c);
  // A terminal has at most one open deployment and it is always its newest
  // (domain/deployments.h), so the newest row answers; one index seek.
  static const std::string sql =
      std::string(kDeploymentCols) + "WHERE terminal_id = ? ORDER BY id DESC LIMIT 1";
  auto s = c.prepare(sql.c_str());
  s.bind(terminal_id);
  if (s.step() != kRow) return std::optional<DeploymentRecord>();
  auto d = read_deployment(s);
  if (!d) return d.error();
  if (!is_open(d->status)) return std::optional<DeploymentRecord>();
  return std::optional<DeploymentRecord>(std::move(*d));
}

Expected<std::vector<DeploymentRecord>> SqlStore::list_deployments(
    std::optional<std::int64_t> terminal_id, std::int64_t limit) {
  POSFLEET_CONN(c);
  static const std::string by_terminal =
      std::string(kDeploymentCols) + "WHERE terminal_id = ? ORDER BY id DESC LIMIT ?";
  static const std::string all = std::string(kDeploymentCols) + "ORDER BY id DESC LIMIT ?";
  auto s = c.prepare(terminal_id ? by_terminal.c_str() : all.c_str());
  if (terminal_id) s.bind(*terminal_id);
  s.bind(limit);
  return read_deployments(c, s);
}

namespace {

// The WHERE clause of a DeploymentQuery; each condition matches an index
// (terminal, release, or status) or is left out.
std::string deployment_where(const Connection& c, const DeploymentQuery& q) {
  // Within a subtree its terminals' deployments are read by the terminal index, and the other
  // conditions check each (db.h filter_only: a release's 65 ms against 0.8 ms on SQLite).
  const auto col = [&](const char* column) {
    return q.org_path.empty() ? std::string(column) : c.filter_only(column);
  };
  std::string w = "WHERE 1 = 1";
  if (q.terminal_id) w += " AND terminal_id = ?";
  if (q.release_id) w += " AND " + col("release_id") + " = ?";
  if (q.status) w += " AND " + col("status") + " = ?";
  if (q.result) w += " AND " + col("result") + " = ?";
  // A subtree's: its terminals by the organisation index, its organisations one path range.
  if (!q.org_path.empty())
    w += " AND terminal_id IN (SELECT id FROM terminals WHERE org_id IN (SELECT id FROM "
         "organisations WHERE path >= ? AND path < ?))";
  return w;
}

void bind_deployment_query(Stmt& s, const DeploymentQuery& q) {
  if (q.terminal_id) s.bind(q.terminal_id);
  if (q.release_id) s.bind(q.release_id);
  if (q.status) s.bind(to_string(*q.status));
  if (q.result) s.bind(to_string(*q.result));
  if (!q.org_path.empty()) s.bind_all(q.org_path, subtree_end(q.org_path));
}

}  // namespace

Expected<std::vector<DeploymentRecord>> SqlStore::query_deployments(const DeploymentQuery& q) {
  POSFLEET_CONN(c);
  const std::string sql =
      std::string(kDeploymentCols) + deployment_where(c, q) + " ORDER BY id DESC LIMIT ? OFFSET ?";
  auto s = c.prepare(sql.c_str());
  bind_deployment_query(s, q);
  s.bind_all(q.limit, q.offset);
  return read_deployments(c, s);
}

Expected<std::int64_t> SqlStore::count_deployments(const DeploymentQuery& q) {
  POSFLEET_CONN(c);
  const std::string sql = "SELECT COUNT(*) FROM deployments " + deployment_where(c, q);
  auto s = c.prepare(sql.c_str());
  bind_deployment_query(s, q);
  if (s.step() != kRow) return c.error("deployments");
  return s.i64(0);
}

Status SqlStore::update_deployment(const DeploymentRecord& d) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE deployments SET status = ?, result = ?, message = ?, updated = ?, phase = ?, "
      "phase_since = ? WHERE id = ?");
  s.bind_all(to_string(d.status), to_string(d.result), d.message, d.updated, to_string(d.phase),
             d.phase_since, d.id);
  return done(c, s, "deployment");
}

Expected<bool> SqlStore::update_deployment_if(const DeploymentRecord& d,
                                              DeploymentStatus expected_status) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE deployments SET status = ?, result = ?, message = ?, updated = ?, phase = ?, "
      "phase_since = ? WHERE id = ? AND status = ?");
  s.bind_all(to_string(d.status), to_string(d.result), d.message, d.updated, to_string(d.phase),
             d.phase_since, d.id, to_string(expected_status));
  if (s.step() != kDone) return c.error("deployment");
  return c.changes() == 1;
}

Status SqlStore::append_action_status(const ActionStatusRecord& a) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO action_status (deployment_id, time, execution, result, code, details, "
      "progress_cnt, progress_of) "
      "VALUES (?,?,?,?,?,?,?,?)");
  s.bind_all(a.deployment_id, a.time, a.execution, a.result, a.code, a.details_json, a.progress_cnt,
             a.progress_of);
  return done(c, s, "action status");
}

Expected<std::vector<ActionStatusRecord>> SqlStore::action_history(std::int64_t deployment_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, deployment_id, time, execution, result, details, code, progress_cnt, progress_of "
      "FROM action_status "
      "WHERE deployment_id = ? ORDER BY id");
  s.bind(deployment_id);
  std::vector<ActionStatusRecord> out;
  int rc;
  while ((rc = s.step()) == kRow)
    out.push_back({s.i64(0), s.i64(1), s.i64(2), s.str(3), s.str(4), s.str(5),
                   static_cast<int>(s.i64(6)), s.i64(7), s.i64(8)});
  if (rc != kDone) return c.error("action history");
  return out;
}

Expected<bool> SqlStore::release_assigned(std::int64_t terminal_id, std::int64_t release_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT 1 FROM deployments WHERE terminal_id = ? AND release_id = ? LIMIT 1");
  s.bind_all(terminal_id, release_id);
  return s.step() == kRow;
}

}  // namespace posfleet::store
