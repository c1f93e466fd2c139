#include "server/domain/accounts.h"

#include <sodium.h>

#include <deque>
#include <map>
#include <mutex>

#include "core/clock.h"
#include "server/domain/audit.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

namespace {

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

bool valid_role(const std::string& r) {
  return r == "admin" || r == "release_manager" || r == "support" || r == "auditor";
}

Expected<std::string> hash_password(const std::string& password) {
  if (password.size() < 10)
    return make_error(Code::kInvalidArgument, "a password needs at least 10 characters");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return make_error(Code::kInternal, "not enough memory to hash the password");
  return std::string(out);
}

// Failed log-ins per key ("name:…", "addr:…") within the window.
class FailureLog {
 public:
  bool blocked(const std::string& key, int limit, std::int64_t now) {
    std::lock_guard lock(mu_);
    auto& q = fails_[key];
    while (!q.empty() && q.front() <= now - kLoginWindowSeconds) q.pop_front();
    return static_cast<int>(q.size()) >= limit;
  }
  void add(const std::string& key, std::int64_t now) {
    std::lock_guard lock(mu_);
    fails_[key].push_back(now);
  }
  void clear(const std::string& key) {
    std::lock_guard lock(mu_);
    fails_.erase(key);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::deque<std::int64_t>> fails_;
};

FailureLog& failures() {
  static FailureLog log;
  return log;
}

// A hash to verify against when the user does not exist, so that a wrong
// name costs as much time as a wrong password.
const std::string& decoy_hash() {
  static const std::string h = *hash_password("decoy-password-never-used");
  return h;
}

}  // namespace

Expected<store::UserRecord> create_user(Context& ctx, const std::string& name,
                                        const std::string& role, const std::string& password,
                                        const Actor& who) {
  if (!valid_name(name))
    return make_error(Code::kInvalidArgument,
                      "user name must be 1-64 letters, digits, '.', '_' or '-'");
  if (!valid_role(role))
    return make_error(Code::kInvalidArgument,
                      "role must be admin, release_manager, support or auditor");
  auto hash = hash_password(password);
  if (!hash) return hash.error();
  store::UserRecord u{0, name, *hash, role, false, unix_now()};
  auto id = ctx.store.insert_user(u);
  if (!id) {
    if (id.error().code == Code::kConflict)
      return make_error(Code::kConflict, "user " + name + " already exists");
    return id.error();
  }
  u.id = *id;
  record_audit(ctx, who, "user.create", "user:" + name, "", role, "");
  return u;
}

Expected<store::UserRecord> change_user(Context& ctx, const std::string& name,
                                        const std::string& role, std::optional<bool> disabled,
                                        const std::string& password, const Actor& who) {
  if (role.empty() && !disabled && password.empty())
    return make_error(Code::kInvalidArgument, "nothing to change: give role, disabled or password");
  if (!role.empty() && !valid_role(role))
    return make_error(Code::kInvalidArgument,
                      "role must be admin, release_manager, support or auditor");
  // One change of users at a time, so that two administrators demoting each
  // other cannot both pass the last-administrator check.
  static std::mutex change_mu;
  std::lock_guard lock(change_mu);
  auto u = ctx.store.user_by_name(name);
  if (!u) return u.error();
  const std::string before = u->role + (u->disabled ? " disabled" : "");
  const bool was_admin = u->role == "admin" && !u->disabled;
  if (!role.empty()) u->role = role;
  if (disabled) u->disabled = *disabled;
  if (was_admin && (u->role != "admin" || u->disabled)) {
    auto users = ctx.store.list_users();
    if (!users) return users.error();
    int admins = 0;
    for (const auto& other : *users) admins += other.role == "admin" && !other.disabled ? 1 : 0;
    if (admins <= 1)
      return make_error(
          Code::kConflict,
          name + " is the last active administrator; make another user an administrator first");
  }
  if (!password.empty()) {
    auto hash = hash_password(password);
    if (!hash) return hash.error();
    u->password_hash = *hash;
  }
  if (auto s = ctx.store.update_user(*u); !s) return s.error();
  // A new role, a disabled account or a reset password ends every session.
  if (auto s = ctx.store.delete_sessions_of(u->id); !s) return s.error();
  record_audit(ctx, who, password.empty() ? "user.change" : "user.password_reset", "user:" + name,
               before, u->role + (u->disabled ? " disabled" : ""), "");
  return u;
}

Expected<Login> log_in(Context& ctx, const std::string& name, const std::string& password,
                       const std::string& remote) {
  const auto now = unix_now();
  const std::string name_key = "name:" + name, addr_key = "addr:" + remote;
  auto& log = failures();
  const Actor who{name, "user", "console"};
  if (log.blocked(name_key, kFailuresPerName, now) ||
      log.blocked(addr_key, kFailuresPerAddress, now)) {
    record_audit(ctx, who, "login.refused", "user:" + name, "", remote, "too many failed attempts");
    return make_error(Code::kUnavailable, "too many failed log-ins; wait 15 minutes and try again");
  }
  auto u = ctx.store.user_by_name(name);
  const std::string& hash = u ? u->password_hash : decoy_hash();
  const bool ok = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  if (!u || !ok || u->disabled) {
    log.add(name_key, now);
    log.add(addr_key, now);
    record_audit(ctx, who, "login.failed", "user:" + name, "", remote, "");
    return make_error(Code::kUnauthorized, "user name or password is wrong");
  }
  log.clear(name_key);
  Login out{*u, new_token(), new_token()};
  if (auto s = ctx.store.insert_session({hash_token(out.token), u->id, out.csrf, now, now}); !s)
    return s.error();
  // A reset or a disable that landed during the (slow) password check ended
  // the user's sessions before this one existed: read the user again, after
  // the insert, so that either this read sees the change or the change's
  // delete_sessions_of comes after the insert and ends this session too.
  auto again = ctx.store.user_by_id(u->id);
  if (!again || again->disabled || again->password_hash != u->password_hash) {
    ctx.store.delete_session(hash_token(out.token));
    return make_error(Code::kUnauthorized, "user name or password is wrong");
  }
  record_audit(ctx, {u->name, "user", "console"}, "login.ok", "user:" + name, "", remote, "");
  return out;
}

Expected<ActiveSession> session_user(Context& ctx, const std::string& token) {
  auto denied = make_error(Code::kUnauthorized, "your session has ended; log in again");
  if (token.empty()) return denied;
  const std::string key = hash_token(token);
  auto s = ctx.store.session(key);
  if (!s) return denied;
  const auto now = unix_now();
  if (now - s->last_seen > ctx.session_idle_seconds || now - s->created > ctx.session_max_seconds) {
    ctx.store.delete_session(key);
    return denied;
  }
  auto u = ctx.store.user_by_id(s->user_id);
  if (!u || u->disabled) return denied;
  // Coarse, to keep most reads read-only, but well within the idle limit.
  if (now - s->last_seen >= std::min(10, std::max(1, ctx.session_idle_seconds / 3)))
    ctx.store.touch_session(key, now);
  return ActiveSession{*u, *s};
}

Status log_out(Context& ctx, const std::string& token) {
  if (token.empty()) return ok_status();
  return ctx.store.delete_session(hash_token(token));
}

std::string session_cookie(const std::string& header) {
  const std::string want = std::string(kSessionCookie) + "=";
  size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    if (header.compare(pos, want.size(), want) == 0)
      return header.substr(pos + want.size(), end - pos - want.size());
    pos = end;
  }
  return "";
}

}  // namespace posfleet::domain
