// posfleet server: the SQLite backend's filtered terminal list.
//
// One statement per combination of filters (each filter adds one condition),
// so the prepared-statement cache stays small and SQLite can use the indexes
// of migration 5. The effective mode is computed in SQL the same way
// core/policy layers scopes: terminal over group over fleet over "auto".
// Thread-safety: as SqliteStore.
#include <string>

#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::store {

namespace {

constexpr const char* kFrom =
    " FROM terminals t"
    " LEFT JOIN merchants m ON m.id = t.merchant_id"
    " LEFT JOIN policies tp ON tp.scope = 'terminal' AND tp.scope_key = t.serial"
    " LEFT JOIN policies gp ON gp.scope = 'group' AND gp.scope_key = t.group_name AND t.group_name != ''"
    " LEFT JOIN policies fp ON fp.scope = 'fleet' AND fp.scope_key = ''";

constexpr const char* kMode =
    "COALESCE(json_extract(tp.patch, '$.mode'), json_extract(gp.patch, '$.mode'), json_extract(fp.patch, '$.mode'), "
    "'auto')";

constexpr const char* kState =
    "COALESCE((SELECT CASE WHEN d.status = 'finished' THEN (CASE d.result WHEN 'success' THEN 'success' ELSE 'failed' "
    "END) WHEN d.status = 'canceling' THEN 'running' ELSE d.status END FROM deployments d WHERE d.terminal_id = t.id "
    "ORDER BY d.id DESC LIMIT 1), 'idle')";

// The WHERE clause for `q`, and a binder for its parameters in the same order.
std::string where_clause(const TerminalQuery& q) {
  std::string w = " WHERE 1";
  if (!q.text.empty()) w += " AND (t.serial LIKE ? ESCAPE '\\' OR m.legal_name LIKE ? ESCAPE '\\')";
  if (!q.model.empty()) w += " AND t.model = ?";
  if (!q.version.empty()) w += " AND t.installed_version = ?";
  if (!q.group.empty()) w += " AND t.group_name = ?";
  if (q.merchant_id) w += " AND t.merchant_id = ?";
  if (q.online) w += *q.online ? " AND t.last_seen >= ?" : " AND t.last_seen < ?";
  if (!q.mode.empty()) w += std::string(" AND ") + kMode + " = ?";
  if (!q.state.empty()) w += std::string(" AND ") + kState + " = ?";
  if (!q.pending.empty())
    w += " AND t.installed_version != ? AND EXISTS (SELECT 1 FROM deployments d WHERE d.terminal_id = t.id"
         " AND d.status != 'canceled' AND d.release_id = (SELECT id FROM releases WHERE version = ?))";
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

void bind_filters(Stmt& s, const TerminalQuery& q) {
  if (!q.text.empty()) s.bind_all(like_escaped(q.text) + "%", "%" + like_escaped(q.text) + "%");
  if (!q.model.empty()) s.bind(q.model);
  if (!q.version.empty()) s.bind(q.version);
  if (!q.group.empty()) s.bind(q.group);
  if (q.merchant_id) s.bind(q.merchant_id);
  if (q.online) s.bind(q.online_since);
  if (!q.mode.empty()) s.bind(q.mode);
  if (!q.state.empty()) s.bind(q.state);
  if (!q.pending.empty()) s.bind_all(q.pending, q.pending);
}

}  // namespace

Expected<std::vector<TerminalRow>> SqliteStore::query_terminals(const TerminalQuery& q) {
  POSFLEET_CONN(c);
  const std::string sql =
      "SELECT t.id, t.tenant, t.serial, t.model, t.token_hash, t.installed_version, t.attributes, t.created, "
      "t.last_seen, t.group_name, t.merchant_id, COALESCE(m.legal_name, ''), " +
      std::string(kMode) + ", " + kState + kFrom + where_clause(q) + " ORDER BY t.serial LIMIT ? OFFSET ?";
  auto s = c.prepare(sql.c_str());
  bind_filters(s, q);
  s.bind_all(q.limit, q.offset);
  std::vector<TerminalRow> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    TerminalRow r;
    r.terminal = read_terminal(s);
    r.merchant_name = s.str(11);
    r.mode = s.str(12);
    r.state = s.str(13);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return c.error("query terminals");
  return out;
}

Expected<std::int64_t> SqliteStore::count_terminals(const TerminalQuery& q) {
  POSFLEET_CONN(c);
  const std::string sql = "SELECT COUNT(*)" + std::string(kFrom) + where_clause(q);
  auto s = c.prepare(sql.c_str());
  bind_filters(s, q);
  if (s.step() != SQLITE_ROW) return c.error("count terminals");
  return s.i64(0);
}

}  // namespace posfleet::store
