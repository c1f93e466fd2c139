// posfleet server: the SQLite backend's filtered terminal list.
//
// One statement per combination of filters (each filter adds one condition),
// so the prepared-statement cache stays small and SQLite can use the indexes
// of migration 5. The effective mode is computed in SQL the same way
// core/policy layers scopes: terminal over group over fleet over "auto".
//
// At 100,000 terminals (bench/console/run.sh) the conditions avoid work per
// terminal: they test the terminal's own columns against sets SQLite builds
// once per statement (merchants whose name matches, groups and terminals with
// a given mode, terminals whose newest deployment is in a given state). The
// page is chosen on the terminals table alone and only its rows are joined
// with merchants and policies for display; a count needs no join at all.
// Thread-safety: as SqliteStore.
#include <string>

#include "server/store/sqlite/deployment_sql.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::store {

namespace {

constexpr const char* kJoins =
    " LEFT JOIN merchants m ON m.id = t.merchant_id"
    " LEFT JOIN policies tp ON tp.scope = 'terminal' AND tp.scope_key = t.serial"
    " LEFT JOIN policies gp ON gp.scope = 'group' AND gp.scope_key = t.group_name AND t.group_name "
    "!= ''"
    " LEFT JOIN policies fp ON fp.scope = 'fleet' AND fp.scope_key = ''";

// A mode set below a locked scope does not count (core/policy.h).
constexpr const char* kMode =
    "COALESCE(CASE WHEN COALESCE(json_extract(fp.patch, '$.locked'), 0) OR "
    "COALESCE(json_extract(gp.patch, '$.locked'), 0)"
    " THEN NULL ELSE json_extract(tp.patch, '$.mode') END,"
    " CASE WHEN COALESCE(json_extract(fp.patch, '$.locked'), 0) THEN NULL ELSE "
    "json_extract(gp.patch, '$.mode') END,"
    " json_extract(fp.patch, '$.mode'), 'auto')";

// `mode` = ? as sets: a terminal with a mode of its own has that one; any
// other has its group's, or else the fleet's, or else auto (bound three times).
#define POSFLEET_FLEET_MODE                                                                 \
  "COALESCE((SELECT json_extract(patch, '$.mode') FROM policies WHERE scope = 'fleet' AND " \
  "scope_key = ''), 'auto')"
#define POSFLEET_MODE_IS                                                                           \
  "(t.serial IN (SELECT scope_key FROM policies WHERE scope = 'terminal' AND json_extract(patch, " \
  "'$.mode') = ?)"                                                                                 \
  " OR (t.serial NOT IN (SELECT scope_key FROM policies WHERE scope = 'terminal'"                  \
  " AND json_extract(patch, '$.mode') IS NOT NULL)"                                                \
  " AND (t.group_name IN (SELECT scope_key FROM policies WHERE scope = 'group' AND scope_key != "  \
  "''"                                                                                             \
  " AND json_extract(patch, '$.mode') = ?)"                                                        \
  " OR (t.group_name NOT IN (SELECT scope_key FROM policies WHERE scope = 'group' AND scope_key "  \
  "!= ''"                                                                                          \
  " AND json_extract(patch, '$.mode') IS NOT NULL)"                                                \
  " AND " POSFLEET_FLEET_MODE " = ?))))"
constexpr const char* kModeIs = POSFLEET_MODE_IS;
// The same when some groups are locked: their terminals have the group's mode
// (or the fleet's), whatever their own (bound four times).
constexpr const char* kModeIsWithLockedGroups =
    "(t.group_name IN (SELECT scope_key FROM policies WHERE scope = 'group' AND scope_key != ''"
    " AND json_extract(patch, '$.locked') AND COALESCE(json_extract(patch, "
    "'$.mode'), " POSFLEET_FLEET_MODE
    ") = ?)"
    " OR (t.group_name NOT IN (SELECT scope_key FROM policies WHERE scope = 'group' AND scope_key "
    "!= ''"
    " AND json_extract(patch, '$.locked')) AND " POSFLEET_MODE_IS "))";
#undef POSFLEET_MODE_IS
#undef POSFLEET_FLEET_MODE

// The locks that decide how the mode filter reads (core/policy.h: under a
// lock the locked scope's mode applies). Read once per query, so the common
// case — no locks — keeps the plain filter.
struct Locks {
  bool fleet = false;
  std::string fleet_mode = "auto";
  bool groups = false;
};

Expected<Locks> locks_of(Connection& c) {
  Locks l;
  auto s = c.prepare(
      "SELECT scope, COALESCE(json_extract(patch, '$.mode'), 'auto') FROM policies "
      "WHERE scope IN ('fleet', 'group') AND json_extract(patch, '$.locked') AND (scope = 'group') "
      "= (scope_key != '')");
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    if (s.str(0) == "fleet") {
      l.fleet = true;
      l.fleet_mode = s.str(1);
    } else {
      l.groups = true;
    }
  }
  if (rc != SQLITE_DONE) return c.error("policy locks");
  return l;
}

// The WHERE clause for `q`, and a binder for its parameters in the same order.
std::string where_clause(const TerminalQuery& q, const Locks& locks) {
  std::string w = " WHERE 1";
  if (!q.text.empty())
    w += " AND (t.serial LIKE ? ESCAPE '\\' OR t.merchant_id IN"
         " (SELECT id FROM merchants WHERE legal_name LIKE ? ESCAPE '\\'))";
  if (!q.model.empty()) w += " AND t.model = ?";
  if (!q.version.empty()) w += " AND t.installed_version = ?";
  if (!q.group.empty()) w += " AND t.group_name = ?";
  if (q.merchant_id) w += " AND t.merchant_id = ?";
  if (q.online) w += *q.online ? " AND t.last_seen >= ?" : " AND t.last_seen < ?";
  if (q.retired) w += *q.retired ? " AND t.retired != 0" : " AND t.retired = 0";
  if (!q.mode.empty()) {
    if (locks.fleet)
      w += locks.fleet_mode == q.mode ? "" : " AND 0";  // one mode for all
    else
      w += std::string(" AND ") + (locks.groups ? kModeIsWithLockedGroups : kModeIs);
  }
  // The update state (deployment_sql.h): idle is no deployment at all.
  if (q.state == UpdateState::kIdle) {
    w += " AND t.id NOT IN (SELECT terminal_id FROM deployments)";
  } else if (q.state) {
    // Deployments in the state (few, from the index), each kept only if no
    // newer one of its terminal exists.
    w += std::string(" AND t.id IN (SELECT d.terminal_id FROM deployments d WHERE ") +
         deployment_in_state_sql(*q.state) +
         " AND NOT EXISTS (SELECT 1 FROM deployments n WHERE n.terminal_id = d.terminal_id AND "
         "n.id > d.id))";
  }
  if (!q.pending.empty())
    w += " AND t.id IN (SELECT d.terminal_id FROM deployments d WHERE d.release_id ="
         " (SELECT id FROM releases WHERE version = ?) AND d.status != 'canceled') AND "
         "t.installed_version != ?";
  return w;
}

std::string like_escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void bind_filters(Stmt& s, const TerminalQuery& q, const Locks& locks) {
  if (!q.text.empty()) s.bind_all(like_escaped(q.text) + "%", "%" + like_escaped(q.text) + "%");
  if (!q.model.empty()) s.bind(q.model);
  if (!q.version.empty()) s.bind(q.version);
  if (!q.group.empty()) s.bind(q.group);
  if (q.merchant_id) s.bind(q.merchant_id);
  if (q.online) s.bind(q.online_since);
  if (!q.mode.empty() && !locks.fleet) {
    if (locks.groups) s.bind(q.mode);
    s.bind_all(q.mode, q.mode, q.mode);
  }
  if (!q.pending.empty()) s.bind_all(q.pending, q.pending);
}

}  // namespace

Expected<std::vector<TerminalRow>> SqliteStore::query_terminals(const TerminalQuery& q) {
  POSFLEET_CONN(c);
  auto locks = q.mode.empty() ? Expected<Locks>(Locks{}) : locks_of(c);
  if (!locks) return locks.error();
  const std::string sql =
      "SELECT t.id, t.tenant, t.serial, t.model, t.token_hash, t.installed_version, t.attributes, "
      "t.created, "
      "t.last_seen, t.group_name, t.merchant_id, t.retired, t.retired_reason, "
      "COALESCE(m.legal_name, ''), " +
      std::string(kMode) + ", COALESCE((SELECT " + update_state_sql() +
      " FROM deployments d WHERE d.terminal_id = t.id ORDER BY d.id DESC LIMIT 1), 'idle')"
      " FROM (SELECT t.id FROM terminals t" +
      where_clause(q, *locks) +
      " ORDER BY t.serial LIMIT ? OFFSET ?) page"
      " JOIN terminals t ON t.id = page.id" +
      kJoins + " ORDER BY t.serial";
  auto s = c.prepare(sql.c_str());
  bind_filters(s, q, *locks);
  s.bind_all(q.limit, q.offset);
  std::vector<TerminalRow> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    TerminalRow r;
    r.terminal = read_terminal(s);
    r.merchant_name = s.str(13);
    r.mode = s.str(14);
    auto state = parse_update_state(s.str(15));
    if (!state) return make_error(Code::kIo, "query terminals: a deployment in no known state");
    r.state = *state;
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return c.error("query terminals");
  return out;
}

Expected<std::int64_t> SqliteStore::count_terminals(const TerminalQuery& q) {
  POSFLEET_CONN(c);
  auto locks = q.mode.empty() ? Expected<Locks>(Locks{}) : locks_of(c);
  if (!locks) return locks.error();
  const std::string sql = "SELECT COUNT(*) FROM terminals t" + where_clause(q, *locks);
  auto s = c.prepare(sql.c_str());
  bind_filters(s, q, *locks);
  if (s.step() != SQLITE_ROW) return c.error("count terminals");
  return s.i64(0);
}

}  // namespace posfleet::store
