// posfleet server: the SQLite backend's device identity area: certificates
// issued to terminals and the fleet's device authentication setting.
// Thread-safety: as SqliteStore.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {

constexpr const char* kCertCols =
    "SELECT id, terminal_id, fingerprint, cert_serial, issued, not_after, revoked, "
    "revoked_reason FROM device_certs ";

DeviceCertRecord read_cert(Stmt& s) {
  return DeviceCertRecord{s.i64(0), s.i64(1), s.str(2), s.str(3),
                          s.i64(4), s.i64(5), s.i64(6), s.str(7)};
}

}  // namespace

Expected<std::int64_t> SqlStore::insert_device_cert(const DeviceCertRecord& r) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO device_certs (terminal_id, fingerprint, cert_serial, issued, not_after, "
      "revoked, revoked_reason) VALUES (?,?,?,?,?,?,?)");
  s.bind_all(r.terminal_id, r.fingerprint, r.cert_serial, r.issued, r.not_after, r.revoked,
             r.revoked_reason);
  if (s.step() != kDone) return c.error("device certificate");
  return c.last_insert_id();
}

Expected<DeviceCertRecord> SqlStore::device_cert_by_fingerprint(const std::string& fingerprint) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kCertCols) + "WHERE fingerprint = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(fingerprint);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "no such device certificate");
  if (rc != kRow) return c.error("device certificate");
  return read_cert(s);
}

Expected<std::vector<DeviceCertRecord>> SqlStore::device_certs_of(std::int64_t terminal_id) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string(kCertCols) + "WHERE terminal_id = ? ORDER BY id DESC LIMIT 1000";
  auto s = c.prepare(sql.c_str());
  s.bind(terminal_id);
  std::vector<DeviceCertRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_cert(s));
  if (rc != kDone) return c.error("device certificates");
  return out;
}

Expected<std::int64_t> SqlStore::revoke_device_certs(std::int64_t terminal_id, std::int64_t now,
                                                     const std::string& reason) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE device_certs SET revoked = ?, revoked_reason = ? WHERE terminal_id = ? AND "
      "revoked = 0");
  s.bind_all(now, reason, terminal_id);
  if (s.step() != kDone) return c.error("revoke device certificates");
  return static_cast<std::int64_t>(c.changes());
}

Expected<bool> SqlStore::device_token_required() {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT token_required FROM device_auth WHERE id = 1");
  const int rc = s.step();
  if (rc == kDone) return true;
  if (rc != kRow) return c.error("device auth setting");
  return s.i64(0) != 0;
}

Status SqlStore::set_device_token_required(bool required) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO device_auth (id, token_required) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET "
      "token_required = excluded.token_required");
  s.bind(static_cast<std::int64_t>(required ? 1 : 0));
  return done(c, s, "device auth setting");
}

}  // namespace posfleet::store
