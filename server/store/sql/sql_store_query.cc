// posfleet server: the SQL store's filtered terminal list.
//
// One statement per combination of filters (each filter adds one condition),
// so the prepared-statement cache stays small and the database can use the
// indexes of migrations 5 and 22.
//
// At a million terminals (bench/console/run.sh) each condition tests the terminal's own columns:
// its effective mode and update state are kept in its row (migration 22, policy_mode_sql.h), and
// so is the release of its newest deployment (for `pending`); text is a range of the lower-case
// serials' index or a set built once per statement (merchants whose name matches). The page is
// chosen on the terminals table alone, in serial order from an index that starts with the filtered
// column, and only its rows are joined with merchants for display. A count that filters only by
// model, version, mode and retirement reads terminal_tally (a few rows) instead of the terminals,
// one by a merchant's name alone the matching merchants' terminal_count, one of the terminals in
// service pending a release the release's row of release_pending (migration 25), and on
// PostgreSQL one by being online alone reads the window's seconds in terminals_seen. A page may
// start after a serial (a keyset page, an index seek however deep) and may be counted from the end
// of the list (a deep offset walks from the nearer end). Thread-safety: as SqliteStore.
#include <cctype>
#include <string>
#include <utility>

#include "server/store/sql/deployment_sql.h"
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {

// Whether `text` may start a serial (valid_serial in domain/terminals.cc: ASCII letters, digits,
// '.', '_' and '-').
bool could_be_serial(const std::string& text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || !(std::isalnum(u) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

// The range of serial_key (serials in lower case, compared byte by byte: migration 22) that
// starts with `text`, which could_be_serial: the bounds are ASCII on every database.
std::pair<std::string, std::string> serial_prefix_range(const std::string& text) {
  std::string low;
  for (char c : text) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string high = low;
  high.back() = static_cast<char>(high.back() + 1);  // the largest, 'z', gives '{'
  return {low, high};
}

// The merchants a search text names: part of the legal name, in any case (bound to a LIKE
// pattern of the text, escaped).
constexpr std::string_view kNameMatches = "lower(legal_name) LIKE lower(?) ESCAPE '\\'";
constexpr std::string_view kMerchantInSubtree =
    " AND org_id IN (SELECT id FROM organisations WHERE path >= ? AND path < ?)";

// FROM and WHERE for `q` over terminals `t` on connection `c`, and a binder for its parameters
// in the same order. A page (`paged`) starts after `q.after`, a count does not.
std::string from_where(const Connection& c, const TerminalQuery& q, bool paged) {
  std::string w = " FROM terminals t WHERE 1 = 1";
  // Text no serial can start with (a merchant's name in Chinese, say) is a merchant condition
  // alone; an OR with the serials' range would make it a bitmap of both, each terminal read
  // from the table. On a page that condition is a plain IN: PostgreSQL makes it a semi-join
  // and, knowing how many merchants the name matches (migration 24's statistics), chooses
  // between walking the serials in order until the page is full (a name many merchants share)
  // and reading the merchants' terminals (a rare one). Anywhere else it is the connection's
  // form (pg_db.h: an array the index is searched with, for a count or beside the range).
  if (!q.text.empty()) {
    // Within a subtree, the names of its own merchants alone (another's is not shown either).
    const std::string named = "SELECT id FROM merchants WHERE " + std::string(kNameMatches) +
                              (q.merchant_path.empty() ? "" : std::string(kMerchantInSubtree));
    if (could_be_serial(q.text))
      w += " AND ((t.serial_key >= ? AND t.serial_key < ?) OR t.merchant_id" + c.in_rows_of(named) +
           ")";
    else
      w += " AND t.merchant_id" + (paged ? " IN (" + named + ")" : c.in_rows_of(named));
  }
  // Within a subtree its terminals are read by the organisation index, and the other filters
  // check each (db.h filter_only).
  const auto col = [&](const char* column) {
    return q.org_path.empty() ? std::string(column) : c.filter_only(column);
  };
  if (!q.model.empty()) w += " AND " + col("t.model") + " = ?";
  if (!q.version.empty()) w += " AND " + col("t.installed_version") + " = ?";
  if (!q.group.empty()) w += " AND " + col("t.group_name") + " = ?";
  if (q.merchant_id) w += " AND t.merchant_id = ?";
  // An organisation's subtree: its organisations are one range of the path index.
  if (!q.org_path.empty())
    w +=
        " AND t.org_id" + c.in_rows_of("SELECT id FROM organisations WHERE path >= ? AND path < ?");
  if (q.online) w += *q.online ? " AND t.last_seen >= ?" : " AND t.last_seen < ?";
  if (q.retired) w += *q.retired ? " AND t.retired != 0" : " AND t.retired = 0";
  // A condition of the latest health report: one of three columns, each with a partial index
  // of the few terminals that have it.
  if (q.health == "low_storage" || q.health == "weak_signal" || q.health == "low_battery")
    w += " AND t.id IN (SELECT terminal_id FROM terminal_health WHERE " + q.health + " = 1)";
  else if (!q.health.empty())
    w += " AND 0 = 1";  // the API lets only those three through
  if (!q.mode.empty()) w += " AND " + col("t.effective_mode") + " = ?";
  if (q.state) w += " AND " + col("t.update_state") + " = ?";
  // Pending: the newest deployment is of the release and not canceled, and the terminal does
  // not run its version yet.
  if (!q.pending.empty())
    w += " AND " + col("t.newest_release_id") +
         " = (SELECT id FROM releases WHERE version = ?)"
         " AND t.update_state != 'canceled' AND t.installed_version != ?";
  if (paged && !q.after.empty()) w += q.from_end ? " AND t.serial < ?" : " AND t.serial > ?";
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

void bind_filters(Stmt& s, const TerminalQuery& q, bool paged) {
  if (!q.text.empty()) {
    if (could_be_serial(q.text)) {
      const auto [low, high] = serial_prefix_range(q.text);
      s.bind_all(low, high);
    }
    s.bind("%" + like_escaped(q.text) + "%");
    if (!q.merchant_path.empty()) s.bind_all(q.merchant_path, subtree_end(q.merchant_path));
  }
  if (!q.model.empty()) s.bind(q.model);
  if (!q.version.empty()) s.bind(q.version);
  if (!q.group.empty()) s.bind(q.group);
  if (q.merchant_id) s.bind(q.merchant_id);
  if (!q.org_path.empty()) s.bind_all(q.org_path, subtree_end(q.org_path));
  if (q.online) s.bind(q.online_since);
  if (!q.mode.empty()) s.bind(q.mode);
  if (q.state) s.bind(std::string(to_string(*q.state)));
  if (!q.pending.empty()) s.bind_all(q.pending, q.pending);
  if (paged && !q.after.empty()) s.bind(q.after);
}

// The filters a query sets, a bit each: a count that reads a tally instead of the terminals
// takes a query that sets only what that tally keeps.
enum Filter : unsigned {
  kText = 1u << 0,
  kModel = 1u << 1,
  kVersion = 1u << 2,
  kGroup = 1u << 3,
  kMerchant = 1u << 4,
  kOnline = 1u << 5,
  kRetired = 1u << 6,
  kMode = 1u << 7,
  kState = 1u << 8,
  kPending = 1u << 9,
  kOrganisation = 1u << 10,
  kHealth = 1u << 11,
};

unsigned filters_of(const TerminalQuery& q) {
  unsigned f = 0;
  if (!q.text.empty()) f |= kText;
  if (!q.model.empty()) f |= kModel;
  if (!q.version.empty()) f |= kVersion;
  if (!q.group.empty()) f |= kGroup;
  if (q.merchant_id) f |= kMerchant;
  if (q.online) f |= kOnline;
  if (q.retired) f |= kRetired;
  if (!q.mode.empty()) f |= kMode;
  if (q.state) f |= kState;
  if (!q.pending.empty()) f |= kPending;
  if (!q.org_path.empty()) f |= kOrganisation;
  if (!q.health.empty()) f |= kHealth;
  return f;
}

// Whether `q` sets no filter but those in `allowed`.
bool only(unsigned set, unsigned allowed) { return (set & ~allowed) == 0; }

}  // namespace

Expected<std::vector<TerminalRow>> SqlStore::query_terminals(const TerminalQuery& q) {
  POSFLEET_CONN(c);
  const std::string statement =
      "SELECT t.id, t.tenant, t.serial, t.model, t.token_hash, t.installed_version, t.attributes, "
      "t.created, "
      "t.last_seen, t.group_name, t.merchant_id, t.retired, t.retired_reason, t.time_zone, "
      "t.org_id, COALESCE(m.legal_name, ''), t.effective_mode, t.update_state, "
      "COALESCE(m.org_id, 0)"
      " FROM (SELECT t.id" +
      from_where(c, q, true) + (q.from_end ? " ORDER BY t.serial DESC" : " ORDER BY t.serial") +
      " LIMIT ? OFFSET ?) page"
      " JOIN terminals t ON t.id = page.id"
      " LEFT JOIN merchants m ON m.id = t.merchant_id ORDER BY t.serial";
  auto s = c.prepare(statement.c_str());
  bind_filters(s, q, true);
  s.bind_all(q.limit, q.offset);
  std::vector<TerminalRow> out;
  int rc;
  while ((rc = s.step()) == kRow) {
    TerminalRow r;
    r.terminal = read_terminal(s);
    r.merchant_name = s.str(15);
    r.mode = s.str(16);
    auto state = parse_update_state(s.str(17));
    if (!state) return make_error(Code::kIo, "query terminals: a deployment in no known state");
    r.state = *state;
    r.merchant_org = s.i64(18);
    out.push_back(std::move(r));
  }
  if (rc != kDone) return c.error("query terminals");
  return out;
}

Expected<std::int64_t> SqlStore::count_terminals(const TerminalQuery& q) {
  POSFLEET_CONN(c);
  const unsigned set = filters_of(q);
  if (only(set, kModel | kVersion | kRetired | kMode)) {
    // Only columns terminal_tally keeps: the same conditions on its rows.
    std::string statement = "SELECT COALESCE(SUM(n), 0) FROM terminal_tally t WHERE 1 = 1";
    if (!q.model.empty()) statement += " AND t.model = ?";
    if (!q.version.empty()) statement += " AND t.installed_version = ?";
    if (q.retired) statement += *q.retired ? " AND t.retired != 0" : " AND t.retired = 0";
    if (!q.mode.empty()) statement += " AND t.effective_mode = ?";
    auto s = c.prepare(statement.c_str());
    bind_filters(s, q, false);
    if (s.step() != kRow) return c.error("count terminals");
    return s.i64(0);
  }
  if (keeps_seen_seconds() && q.online.value_or(false) && only(set, kOnline | kRetired)) {
    // Online and nothing else: the seconds of the window in terminals_seen (pg_schema.cc).
    std::string statement = "SELECT COALESCE(SUM(n), 0) FROM terminals_seen WHERE second >= ?";
    if (q.retired) statement += *q.retired ? " AND retired != 0" : " AND retired = 0";
    auto s = c.prepare(statement.c_str());
    s.bind(q.online_since);
    if (s.step() != kRow) return c.error("count terminals");
    return s.i64(0);
  }
  if (set == (kPending | kRetired) && q.retired == false) {
    // Pending a release, in service, and nothing else: the release's row of release_pending
    // (migration 25).
    auto s = c.prepare(
        "SELECT COALESCE((SELECT p.n FROM release_pending p JOIN releases r ON r.id = "
        "p.release_id WHERE r.version = ?), 0)");
    s.bind(q.pending);
    if (s.step() != kRow) return c.error("count terminals");
    return s.i64(0);
  }
  if (set == kText && !could_be_serial(q.text)) {
    // A merchant's name and nothing else: the matching merchants' own counts (migration 24).
    const std::string statement =
        "SELECT COALESCE(SUM(terminal_count), 0) FROM merchants WHERE " + std::string(kNameMatches);
    auto s = c.prepare(statement.c_str());
    bind_filters(s, q, false);
    if (s.step() != kRow) return c.error("count terminals");
    return s.i64(0);
  }
  const std::string statement = "SELECT COUNT(*)" + from_where(c, q, false);
  auto s = c.prepare(statement.c_str());
  bind_filters(s, q, false);
  if (s.step() != kRow) return c.error("count terminals");
  return s.i64(0);
}

}  // namespace posfleet::store
