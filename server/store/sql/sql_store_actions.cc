// posfleet server: the store's terminal-action area (store/terminal_actions_store.h), written once
// in SQL for both backends.
// Thread-safety: as SqlStore.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {
constexpr const char* kActionCols =
    "SELECT id, terminal_id, kind, reason, requested_by, requested_at, state, done_at, detail, "
    "bundle_size FROM terminal_actions ";
TerminalActionRecord read_action(Stmt& s) {
  return TerminalActionRecord{s.i64(0), s.i64(1), s.str(2), s.str(3), s.str(4),
                              s.i64(5), s.str(6), s.i64(7), s.str(8), s.i64(9)};
}
}  // namespace

Expected<std::int64_t> SqlStore::insert_terminal_action(const TerminalActionRecord& a) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO terminal_actions (terminal_id, kind, reason, requested_by, requested_at, "
      "state, done_at, detail, bundle_size) VALUES (?,?,?,?,?,?,?,?,?)");
  s.bind_all(a.terminal_id, a.kind, a.reason, a.requested_by, a.requested_at, a.state, a.done_at,
             a.detail, a.bundle_size);
  if (s.step() != kDone) return c.error("terminal action");
  return c.last_insert_id();
}

Expected<TerminalActionRecord> SqlStore::terminal_action(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kActionCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "no action " + std::to_string(id));
  if (rc != kRow) return c.error("terminal action");
  return read_action(s);
}

Expected<std::vector<TerminalActionRecord>> SqlStore::terminal_actions(std::int64_t terminal_id,
                                                                       bool pending_only,
                                                                       std::int64_t limit) {
  POSFLEET_CONN(c);
  static const std::string all =
      std::string(kActionCols) + "WHERE terminal_id = ? ORDER BY id DESC LIMIT ?";
  static const std::string pending = std::string(kActionCols) +
                                     "WHERE terminal_id = ? AND state = 'pending' ORDER BY id "
                                     "DESC LIMIT ?";
  auto s = c.prepare(pending_only ? pending.c_str() : all.c_str());
  s.bind_all(terminal_id, limit);
  std::vector<TerminalActionRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_action(s));
  if (rc != kDone) return c.error("terminal actions");
  return out;
}

Status SqlStore::update_terminal_action(const TerminalActionRecord& a) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE terminal_actions SET state = ?, done_at = ?, detail = ? WHERE id = ?");
  s.bind_all(a.state, a.done_at, a.detail, a.id);
  if (s.step() != kDone) return c.error("terminal action");
  if (c.changes() != 1) return make_error(Code::kNotFound, "no action " + std::to_string(a.id));
  return ok_status();
}

Status SqlStore::put_action_bundle(std::int64_t id, const std::string& bundle) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE terminal_actions SET bundle = ?, bundle_size = ? WHERE id = ?");
  s.bind_all(bundle, static_cast<std::int64_t>(bundle.size()), id);
  if (s.step() != kDone) return c.error("log bundle");
  if (c.changes() != 1) return make_error(Code::kNotFound, "no action " + std::to_string(id));
  return ok_status();
}

Expected<std::string> SqlStore::action_bundle(std::int64_t id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT bundle FROM terminal_actions WHERE id = ? AND bundle IS NOT NULL");
  s.bind(id);
  const int rc = s.step();
  if (rc == kDone)
    return make_error(Code::kNotFound, "no log bundle for action " + std::to_string(id));
  if (rc != kRow) return c.error("log bundle");
  return s.str(0);
}

}  // namespace posfleet::store
