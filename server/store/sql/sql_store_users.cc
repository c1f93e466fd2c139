// posfleet server: the SQLite store's back-office users and sessions.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {
constexpr const char* kUserCols =
    "SELECT id, name, password_hash, role, disabled, created, totp_secret, totp_pending, "
    "totp_last_step, org_id FROM users ";
UserRecord read_user(Stmt& s) {
  return {s.i64(0), s.str(1), s.str(2), s.str(3), s.i64(4) != 0,
          s.i64(5), s.str(6), s.str(7), s.i64(8), s.i64(9)};
}
}  // namespace

Expected<std::int64_t> SqlStore::insert_user(const UserRecord& u) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO users (name, password_hash, role, disabled, created, totp_secret, totp_pending, "
      "totp_last_step, org_id) VALUES (?,?,?,?,?,?,?,?,?)");
  s.bind_all(u.name, u.password_hash, u.role, u.disabled, u.created, u.totp_secret, u.totp_pending,
             u.totp_last_step, u.org_id);
  if (s.step() != kDone) return c.error("user " + u.name);
  return c.last_insert_id();
}

Expected<UserRecord> SqlStore::user_by_name(const std::string& name) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kUserCols) + "WHERE name = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(name);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no user " + name);
  return read_user(s);
}

Expected<UserRecord> SqlStore::user_by_id(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kUserCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no user " + std::to_string(id));
  return read_user(s);
}

Expected<std::vector<UserRecord>> SqlStore::list_users() {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kUserCols) + "ORDER BY name";
  auto s = c.prepare(sql.c_str());
  std::vector<UserRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_user(s));
  if (rc != kDone) return c.error("list users");
  return out;
}

Status SqlStore::update_user(const UserRecord& u) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE users SET password_hash = ?, role = ?, disabled = ?, totp_secret = ?, "
      "totp_pending = ?, totp_last_step = ? WHERE id = ?");
  s.bind_all(u.password_hash, u.role, u.disabled, u.totp_secret, u.totp_pending, u.totp_last_step,
             u.id);
  return done(c, s, "user");
}

Expected<std::string> SqlStore::account_setting(const std::string& key) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT value FROM account_settings WHERE key = ?");
  s.bind(key);
  const int rc = s.step();
  if (rc == kRow) return s.str(0);
  if (rc != kDone) return c.error("account setting " + key);
  return std::string();
}

Status SqlStore::set_account_setting(const std::string& key, const std::string& value) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO account_settings (key, value) VALUES (?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  s.bind_all(key, value);
  return done(c, s, "account setting");
}

Status SqlStore::insert_session(const SessionRecord& r) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO sessions (token_hash, user_id, csrf, created, last_seen) VALUES (?,?,?,?,?)");
  s.bind_all(r.token_hash, r.user_id, r.csrf, r.created, r.last_seen);
  return done(c, s, "session");
}

Expected<SessionRecord> SqlStore::session(const std::string& token_hash) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT token_hash, user_id, csrf, created, last_seen FROM sessions WHERE token_hash = ?");
  s.bind(token_hash);
  if (s.step() != kRow) return make_error(Code::kUnauthorized, "no such session");
  return SessionRecord{s.str(0), s.i64(1), s.str(2), s.i64(3), s.i64(4)};
}

Status SqlStore::touch_session(const std::string& token_hash, std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE sessions SET last_seen = ? WHERE token_hash = ?");
  s.bind_all(now, token_hash);
  return done(c, s, "session");
}

Status SqlStore::delete_session(const std::string& token_hash) {
  POSFLEET_CONN(c);
  auto s = c.prepare("DELETE FROM sessions WHERE token_hash = ?");
  s.bind(token_hash);
  return done(c, s, "session");
}

Status SqlStore::delete_sessions_of(std::int64_t user_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("DELETE FROM sessions WHERE user_id = ?");
  s.bind(user_id);
  return done(c, s, "sessions");
}

}  // namespace posfleet::store
