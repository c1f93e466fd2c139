// posfleet server: the store's terminal-lock area (store/terminal_locks_store.h), written once in
// SQL for both backends.
// Thread-safety: as SqlStore.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

Expected<std::int64_t> SqlStore::insert_terminal_lock(const TerminalLockRecord& l) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO terminal_locks (terminal_id, reason, locked_by, locked_at, code_sealed, "
      "check_json, state, ended_at, ended_by, ended_how, code_issued_at, code_issued_by) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind_all(l.terminal_id, l.reason, l.locked_by, l.locked_at, l.code_sealed, l.check_json,
             l.state, l.ended_at, l.ended_by, l.ended_how, l.code_issued_at, l.code_issued_by);
  if (s.step() != kDone) return c.error("terminal lock");
  return c.last_insert_id();
}

namespace {
constexpr const char* kLockCols =
    "SELECT id, terminal_id, reason, locked_by, locked_at, code_sealed, check_json, state, "
    "ended_at, ended_by, ended_how, code_issued_at, code_issued_by FROM terminal_locks ";
TerminalLockRecord read_lock(Stmt& s) {
  return TerminalLockRecord{s.i64(0), s.i64(1), s.str(2), s.str(3),  s.i64(4),  s.str(5), s.str(6),
                            s.str(7), s.i64(8), s.str(9), s.str(10), s.i64(11), s.str(12)};
}
}  // namespace

Expected<TerminalLockRecord> SqlStore::terminal_lock(std::int64_t terminal_id) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string(kLockCols) + "WHERE terminal_id = ? ORDER BY id DESC LIMIT 1";
  auto s = c.prepare(sql.c_str());
  s.bind(terminal_id);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "the terminal was never locked");
  if (rc != kRow) return c.error("terminal lock");
  return read_lock(s);
}

Expected<std::vector<TerminalLockRecord>> SqlStore::sealed_terminal_locks() {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kLockCols) + "WHERE code_sealed <> '' ORDER BY id";
  auto s = c.prepare(sql.c_str());
  std::vector<TerminalLockRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_lock(s));
  if (rc != kDone) return c.error("terminal locks");
  return out;
}

Status SqlStore::set_terminal_lock_code(std::int64_t id, const std::string& sealed) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE terminal_locks SET code_sealed = ? WHERE id = ?");
  s.bind_all(sealed, id);
  if (s.step() != kDone) return c.error("terminal lock code");
  return ok_status();
}

Status SqlStore::update_terminal_lock(const TerminalLockRecord& l) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE terminal_locks SET state = ?, ended_at = ?, ended_by = ?, ended_how = ?, "
      "code_issued_at = ?, code_issued_by = ?, code_sealed = ? WHERE id = ?");
  s.bind_all(l.state, l.ended_at, l.ended_by, l.ended_how, l.code_issued_at, l.code_issued_by,
             l.code_sealed, l.id);
  if (s.step() != kDone) return c.error("terminal lock");
  if (c.changes() != 1)
    return make_error(Code::kNotFound, "no terminal lock " + std::to_string(l.id));
  return ok_status();
}

}  // namespace posfleet::store
