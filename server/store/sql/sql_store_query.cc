// posfleet server: the SQLite backend's filtered terminal list.
//
// One statement per combination of filters (each filter adds one condition),
// so the prepared-statement cache stays small and SQLite can use the indexes
// of migration 5. The effective mode is policy_mode_sql.h's, the one SQL form
// of core/policy's lock rule.
//
// At 100,000 terminals (bench/console/run.sh) the conditions avoid work per
// terminal where they can: they test the terminal's own columns against sets
// SQLite builds once per statement (merchants whose name matches, terminals
// whose newest deployment is in a given state). Only a mode filter joins each
// terminal's policies (three primary-key lookups). The page is chosen on the
// terminals table alone and only its rows are joined with merchants and
// policies for display; a count without a mode filter needs no join at all.
// Thread-safety: as SqliteStore.
#include <string>

#include "server/store/sql/deployment_sql.h"
#include "server/store/sql/policy_mode_sql.h"
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {

// Merchant and policies of each row of the page, for display.
const std::string kJoins =
    std::string(" LEFT JOIN merchants m ON m.id = t.merchant_id") + sql::kPolicyJoins;

// FROM and WHERE for `q` over terminals `t` (a mode filter joins their
// policies), and a binder for its parameters in the same order.
std::string from_where(const TerminalQuery& q) {
  std::string w =
      std::string(" FROM terminals t") + (q.mode.empty() ? "" : sql::kPolicyJoins) + " WHERE 1 = 1";
  if (!q.text.empty())
    w += " AND (lower(t.serial) LIKE lower(?) ESCAPE '\\' OR t.merchant_id IN"
         " (SELECT id FROM merchants WHERE lower(legal_name) LIKE lower(?) ESCAPE '\\'))";
  if (!q.model.empty()) w += " AND t.model = ?";
  if (!q.version.empty()) w += " AND t.installed_version = ?";
  if (!q.group.empty()) w += " AND t.group_name = ?";
  if (q.merchant_id) w += " AND t.merchant_id = ?";
  if (q.online) w += *q.online ? " AND t.last_seen >= ?" : " AND t.last_seen < ?";
  if (q.retired) w += *q.retired ? " AND t.retired != 0" : " AND t.retired = 0";
  if (!q.mode.empty()) w += std::string(" AND ") + sql::kEffectiveMode + " = ?";
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

void bind_filters(Stmt& s, const TerminalQuery& q) {
  if (!q.text.empty()) s.bind_all(like_escaped(q.text) + "%", "%" + like_escaped(q.text) + "%");
  if (!q.model.empty()) s.bind(q.model);
  if (!q.version.empty()) s.bind(q.version);
  if (!q.group.empty()) s.bind(q.group);
  if (q.merchant_id) s.bind(q.merchant_id);
  if (q.online) s.bind(q.online_since);
  if (!q.mode.empty()) s.bind(q.mode);
  if (!q.pending.empty()) s.bind_all(q.pending, q.pending);
}

}  // namespace

Expected<std::vector<TerminalRow>> SqlStore::query_terminals(const TerminalQuery& q) {
  POSFLEET_CONN(c);
  const std::string statement =
      "SELECT t.id, t.tenant, t.serial, t.model, t.token_hash, t.installed_version, t.attributes, "
      "t.created, "
      "t.last_seen, t.group_name, t.merchant_id, t.retired, t.retired_reason, t.time_zone, "
      "COALESCE(m.legal_name, ''), " +
      std::string(sql::kEffectiveMode) + ", COALESCE((SELECT " + update_state_sql() +
      " FROM deployments d WHERE d.terminal_id = t.id ORDER BY d.id DESC LIMIT 1), 'idle')"
      " FROM (SELECT t.id" +
      from_where(q) +
      " ORDER BY t.serial LIMIT ? OFFSET ?) page"
      " JOIN terminals t ON t.id = page.id" +
      kJoins + " ORDER BY t.serial";
  auto s = c.prepare(statement.c_str());
  bind_filters(s, q);
  s.bind_all(q.limit, q.offset);
  std::vector<TerminalRow> out;
  int rc;
  while ((rc = s.step()) == kRow) {
    TerminalRow r;
    r.terminal = read_terminal(s);
    r.merchant_name = s.str(14);
    r.mode = s.str(15);
    auto state = parse_update_state(s.str(16));
    if (!state) return make_error(Code::kIo, "query terminals: a deployment in no known state");
    r.state = *state;
    out.push_back(std::move(r));
  }
  if (rc != kDone) return c.error("query terminals");
  return out;
}

Expected<std::int64_t> SqlStore::count_terminals(const TerminalQuery& q) {
  POSFLEET_CONN(c);
  const std::string statement = "SELECT COUNT(*)" + from_where(q);
  auto s = c.prepare(statement.c_str());
  bind_filters(s, q);
  if (s.step() != kRow) return c.error("count terminals");
  return s.i64(0);
}

}  // namespace posfleet::store
