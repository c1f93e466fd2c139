#include "server/domain/accounts.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
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

Expected<store::UserRecord> create_user(Context& ctx, const std::string& name, Role role,
                                        const std::string& password, const Actor& who) {
  if (!valid_name(name))
    return make_error(Code::kInvalidArgument,
                      "user name must be 1-64 letters, digits, '.', '_' or '-'");
  auto hash = hash_password(password);
  if (!hash) return hash.error();
  store::UserRecord u{0, name, *hash, to_string(role), false, unix_now()};
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto id = tx.insert_user(u);
    if (!id) {
      if (id.error().code == Code::kConflict)
        return make_error(Code::kConflict, "user " + name + " already exists");
      return id.error();
    }
    u.id = *id;
    return record_audit(tx, who, "user.create", "user:" + name, "", u.role, "");
  });
  if (!st) return st.error();
  return u;
}

Expected<store::UserRecord> change_user(Context& ctx, const std::string& name,
                                        std::optional<Role> role, std::optional<bool> disabled,
                                        const std::string& password, const Actor& who) {
  if (!role && !disabled && password.empty())
    return make_error(Code::kInvalidArgument, "nothing to change: give role, disabled or password");
  std::string new_hash;
  if (!password.empty()) {  // slow on purpose: before the transaction, which others wait for
    auto hash = hash_password(password);
    if (!hash) return hash.error();
    new_hash = *hash;
  }
  // One transaction: two administrators demoting each other cannot both pass
  // the last-administrator check, and the change, the end of the user's
  // sessions and the audit entry land together or not at all.
  store::UserRecord out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto u = tx.user_by_name(name);
    if (!u) return u.error();
    const std::string before = u->role + (u->disabled ? " disabled" : "");
    const auto is_admin = [](const store::UserRecord& r) {
      return parse_role(r.role) == Role::kAdmin && !r.disabled;
    };
    const bool was_admin = is_admin(*u);
    if (role) u->role = to_string(*role);
    if (disabled) u->disabled = *disabled;
    if (was_admin && !is_admin(*u)) {
      auto users = tx.list_users();
      if (!users) return users.error();
      const auto admins = std::count_if(users->begin(), users->end(), is_admin);
      if (admins <= 1)
        return make_error(Code::kWrongState,
                          name +
                              " is the last active administrator; make another user an "
                              "administrator first");
    }
    if (!new_hash.empty()) u->password_hash = new_hash;
    if (auto s = tx.update_user(*u); !s) return s;
    // A new role, a disabled account or a reset password ends every session.
    if (auto s = tx.delete_sessions_of(u->id); !s) return s;
    if (auto s =
            record_audit(tx, who, password.empty() ? "user.change" : "user.password_reset",
                         "user:" + name, before, u->role + (u->disabled ? " disabled" : ""), "");
        !s)
      return s;
    out = std::move(*u);
    return ok_status();
  });
  if (!st) return st.error();
  return out;
}

Expected<Login> log_in(Context& ctx, const std::string& name, const std::string& password,
                       const std::string& remote) {
  const auto now = unix_now();
  const std::string name_key = "name:" + name, addr_key = "addr:" + remote;
  auto& log = failures();
  const Actor who{name, "user", "console"};
  if (log.blocked(name_key, kFailuresPerName, now) ||
      log.blocked(addr_key, kFailuresPerAddress, now)) {
    if (auto s = record_audit(ctx, who, "login.refused", "user:" + name, "", remote,
                              "too many failed attempts");
        !s)
      return s.error();
    return make_error(Code::kTooManyRequests,
                      "too many failed log-ins; wait 15 minutes and try again");
  }
  auto u = ctx.store.user_by_name(name);
  if (!u && u.error().code != Code::kNotFound) return u.error();
  const std::string& hash = u ? u->password_hash : decoy_hash();
  const bool ok = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  if (!u || !ok || u->disabled) {
    log.add(name_key, now);
    log.add(addr_key, now);
    if (auto s = record_audit(ctx, who, "login.failed", "user:" + name, "", remote, ""); !s)
      return s.error();
    return make_error(Code::kUnauthorized, "user name or password is wrong");
  }
  log.clear(name_key);
  Login out{*u, new_token(), new_token()};
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    if (auto s = tx.insert_session({hash_token(out.token), u->id, out.csrf, now, now}); !s)
      return s;
    // A reset or a disable that landed during the (slow) password check ended
    // the user's sessions before this one existed: read the user again inside
    // the transaction, so that either this read sees the change or the
    // change's delete_sessions_of comes after this commit and ends this session too.
    auto again = tx.user_by_id(u->id);
    if (!again) return again.error();
    if (again->disabled || again->password_hash != u->password_hash)
      return make_error(Code::kUnauthorized, "user name or password is wrong");
    return record_audit(tx, {u->name, "user", "console"}, "login.ok", "user:" + name, "", remote,
                        "");
  });
  if (!st) return st.error();
  return out;
}

Expected<std::vector<store::UserRecord>> list_users(Context& ctx) { return ctx.store.list_users(); }

Expected<ActiveSession> session_user(Context& ctx, const std::string& token) {
  auto denied = make_error(Code::kUnauthorized, "your session has ended; log in again");
  if (token.empty()) return denied;
  const std::string key = hash_token(token);
  auto s = ctx.store.session(key);
  if (!s) return denied;
  const auto now = unix_now();
  if (now - s->last_seen > ctx.session_idle_seconds || now - s->created > ctx.session_max_seconds) {
    // The session is refused either way; a row that could not be removed is
    // refused again next time (its times do not change), so only log it.
    if (auto gone = ctx.store.delete_session(key); !gone)
      spdlog::warn("ended session not removed: {}", gone.error().message);
    return denied;
  }
  auto u = ctx.store.user_by_id(s->user_id);
  if (!u || u->disabled) return denied;
  // Coarse, to keep most reads read-only, but well within the idle limit.
  if (now - s->last_seen >= std::min(10, std::max(1, ctx.session_idle_seconds / 3)))
    if (auto touched = ctx.store.touch_session(key, now); !touched)
      // Safe to go on: the request is the user's; at worst the session ends
      // at its last recorded use, and the user logs in again.
      spdlog::warn("session use not recorded: {}", touched.error().message);
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
