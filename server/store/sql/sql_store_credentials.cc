// posfleet server: the SQLite backend's credentials: management API tokens
// (kept after revocation, so the list and the audit log keep their names) and
// the retirement of a terminal in one transaction.
// Thread-safety: as SqliteStore.
#include "server/store/sql/sql_store.h"

#include "server/store/sql/deployment_sql.h"

namespace posfleet::store {

namespace {

constexpr const char* kTokenCols =
    "SELECT id, token_hash, name, role, created, last_used, revoked, org_id FROM api_tokens ";

ApiTokenRecord read_token(Stmt& s) {
  return ApiTokenRecord{s.i64(0), s.str(1), s.str(2), s.str(3),
                        s.i64(4), s.i64(5), s.i64(6), s.i64(7)};
}

}  // namespace

Expected<std::int64_t> SqlStore::insert_api_token(const ApiTokenRecord& t) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO api_tokens (token_hash, name, role, created, org_id) VALUES (?,?,?,?,?)");
  s.bind_all(t.token_hash, t.name, t.role, t.created, t.org_id);
  if (s.step() != kDone) return c.error("api token");
  return c.last_insert_id();
}

Expected<ApiTokenRecord> SqlStore::api_token(const std::string& token_hash) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kTokenCols) + "WHERE token_hash = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(token_hash);
  if (s.step() != kRow) return make_error(Code::kUnauthorized, "unknown token");
  return read_token(s);
}

Expected<std::vector<ApiTokenRecord>> SqlStore::list_api_tokens() {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kTokenCols) + "ORDER BY id";
  auto s = c.prepare(sql.c_str());
  std::vector<ApiTokenRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_token(s));
  if (rc != kDone) return c.error("list api tokens");
  return out;
}

Expected<std::int64_t> SqlStore::count_api_tokens() {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT COUNT(*) FROM api_tokens");
  if (s.step() != kRow) return c.error("count api tokens");
  return s.i64(0);
}

Status SqlStore::touch_api_token(std::int64_t id, std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE api_tokens SET last_used = ? WHERE id = ?");
  s.bind_all(now, id);
  return done(c, s, "api token");
}

Expected<bool> SqlStore::revoke_api_token(std::int64_t id, std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE api_tokens SET revoked = ? WHERE id = ? AND revoked = 0");
  s.bind_all(now, id);
  if (s.step() != kDone) return c.error("api token");
  return c.changes() == 1;
}

Expected<std::optional<DeploymentRecord>> SqlStore::retire_terminal(std::int64_t id,
                                                                    std::int64_t now,
                                                                    const std::string& reason,
                                                                    const std::string& token_hash) {
  POSFLEET_CONN(c);
  if (auto b = c.begin(); !b) return b.error();
  using Out = Expected<std::optional<DeploymentRecord>>;
  auto fail = [&](Error e) -> Out {
    c.rollback();
    return e;
  };
  std::string serial;
  {
    auto s = c.prepare(
        "UPDATE terminals SET retired = ?, retired_reason = ?, token_hash = ? "
        "WHERE id = ? AND retired = 0 RETURNING serial");
    s.bind_all(now, reason, token_hash, id);
    if (s.step() != kRow)
      return fail(make_error(Code::kConflict, "the terminal is retired already"));
    serial = s.str(0);
  }
  std::optional<DeploymentRecord> canceled;
  {
    auto s = c.prepare(
        "UPDATE deployments SET status = 'canceled', updated = ?, message = 'canceled: the "
        "terminal was retired', phase = 'canceled', phase_since = updated "
        "WHERE terminal_id = ? AND status IN ('scheduled', 'running', 'canceling') "
        "RETURNING id, terminal_id, release_id, status, result, message, created, updated, "
        "rollout_id, phase, phase_since");
    s.bind_all(now, id);
    int rc;
    while ((rc = s.step()) == kRow) {
      auto d = read_deployment(s);
      if (!d) return fail(d.error());
      canceled = std::move(*d);
    }
    if (rc != kDone) return fail(c.error("deployments"));
  }
  {
    auto s = c.prepare("UPDATE activations SET used = -1 WHERE serial = ? AND used = 0");
    s.bind(serial);
    if (s.step() != kDone) return fail(c.error("activation"));
  }
  if (auto e = c.commit(); !e) return e.error();
  return canceled;
}

Expected<bool> SqlStore::reregister_terminal(std::int64_t id, const std::string& model,
                                             const std::string& token_hash, std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE terminals SET model = ?, token_hash = ?, created = ?, retired = 0, retired_reason = "
      "'', "
      "group_name = '', merchant_id = 0, installed_version = '', attributes = '{}', last_seen = 0 "
      "WHERE id = ? AND retired != 0");
  s.bind_all(model, token_hash, now, id);
  if (auto b = c.begin(); !b) return b.error();
  if (s.step() != kDone) {
    auto e = c.error("terminal");
    c.rollback();
    return e;
  }
  const bool reregistered = c.changes() == 1;
  // Out of its group: its effective mode may change.
  if (auto st = refresh_effective_modes(c, false, "id = ?", id); !st) {
    c.rollback();
    return st.error();
  }
  if (auto e = c.commit(); !e) return e.error();
  return reregistered;
}

}  // namespace posfleet::store
