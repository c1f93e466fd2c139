// posfleet server: the SQLite backend's calendar area (store/calendar_store.h): freezes and
// the time zones of terminals and merchants.
// Thread-safety: as SqliteStore.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {
constexpr const char* kFreezeCols =
    "SELECT id, scope, group_name, date_from, date_to, reason, security, created_by, created "
    "FROM freezes ";
FreezeRecord read_freeze(Stmt& s) {
  return FreezeRecord{s.i64(0), s.str(1), s.str(2), s.str(3), s.str(4),
                      s.str(5), s.str(6), s.str(7), s.i64(8)};
}
}  // namespace

Expected<std::int64_t> SqlStore::insert_freeze(const FreezeRecord& f) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO freezes (scope, group_name, date_from, date_to, reason, security, created_by, "
      "created) VALUES (?,?,?,?,?,?,?,?)");
  s.bind_all(f.scope, f.group, f.from, f.to, f.reason, f.security, f.created_by, f.created);
  if (s.step() != kDone) return c.error("freeze");
  return c.last_insert_id();
}

Expected<std::vector<FreezeRecord>> SqlStore::list_freezes(const std::string& last_day_from,
                                                           std::int64_t limit) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string(kFreezeCols) + "WHERE date_to >= ? ORDER BY date_from, id LIMIT ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(last_day_from, limit);
  std::vector<FreezeRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_freeze(s));
  if (rc != kDone) return c.error("freezes");
  return out;
}

Expected<FreezeRecord> SqlStore::freeze(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kFreezeCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "no freeze " + std::to_string(id));
  if (rc != kRow) return c.error("freeze");
  return read_freeze(s);
}

Status SqlStore::delete_freeze(std::int64_t id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("DELETE FROM freezes WHERE id = ?");
  s.bind(id);
  if (s.step() != kDone) return c.error("freeze");
  if (c.changes() != 1) return make_error(Code::kNotFound, "no freeze " + std::to_string(id));
  return ok_status();
}

Status SqlStore::set_terminal_time_zone(std::int64_t terminal_id, const std::string& tz) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE terminals SET time_zone = ? WHERE id = ?");
  s.bind_all(tz, terminal_id);
  if (s.step() != kDone) return c.error("terminal time zone");
  if (c.changes() != 1)
    return make_error(Code::kNotFound, "no terminal " + std::to_string(terminal_id));
  return ok_status();
}

Status SqlStore::set_merchant_time_zone(std::int64_t merchant_id, const std::string& tz) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE merchants SET time_zone = ? WHERE id = ?");
  s.bind_all(tz, merchant_id);
  if (s.step() != kDone) return c.error("merchant time zone");
  if (c.changes() != 1)
    return make_error(Code::kNotFound, "no merchant " + std::to_string(merchant_id));
  return ok_status();
}

Expected<std::string> SqlStore::merchant_time_zone(std::int64_t merchant_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT time_zone FROM merchants WHERE id = ?");
  s.bind(merchant_id);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "no merchant " + std::to_string(merchant_id));
  if (rc != kRow) return c.error("merchant time zone");
  return s.str(0);
}

}  // namespace posfleet::store
