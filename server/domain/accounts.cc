#include "server/domain/accounts.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>

#include "core/clock.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/rate_limit.h"
#include "server/domain/secrets.h"
#include "server/domain/tokens.h"
#include "server/domain/totp.h"

namespace posfleet::domain {

namespace {

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

// Passwords of 12 characters or more that lists of leaked passwords start
// with; shorter ones fail the length rule already. Compared in lower case.
// check_password and this list are mirrored by the console's form rule
// (console/src/common/passwords.ts): change both together.
constexpr const char* kCommonPasswords[] = {
    "123456789012",  "1234567890123",    "12345678901234", "123456789123",  "password1234",
    "password12345", "passwordpassword", "password123456", "qwertyuiop12",  "qwertyuiopasdf",
    "qwerty123456",  "1q2w3e4r5t6y",     "1qaz2wsx3edc",   "administrator", "administrator1",
    "iloveyou1234",  "welcome12345",     "changeme1234",   "letmein12345",  "abcdefghijkl",
    "abc123456789",  "111111111111",     "000000000000",   "123123123123",  "asdfghjkl123",
    "zxcvbnm12345",  "superman1234",     "football1234",   "baseball1234",  "posfleet1234",
    "posfleetadmin", "admin1234567",     "admin123456789", "p@ssw0rd1234",  "passw0rd1234",
    "woaini1314520", "5201314520",       "1314520520",     "aa123456789a",  "qazwsxedcrfv"};

std::string lower_ascii(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

const char* const kTotpRequiredKey = "totp_required_for_admins";

Expected<std::string> hash_password(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return make_error(Code::kInternal, "not enough memory to hash the password");
  return std::string(out);
}

// Failed log-ins per key (limit_key "name", "addr", "totp-setup") within the window, counted
// in the store so that every server sharing it sees them (rate_limit.h).
Expected<bool> blocked(Context& ctx, const std::string& key, int limit, std::int64_t now) {
  auto n = ctx.store.count_limit_events(key, now - kLoginWindowSeconds);
  if (!n) return n.error().with_context("counting failed log-ins");
  return *n >= limit;
}

// A hash to verify against when the user does not exist, so that a wrong
// name costs as much time as a wrong password.
const std::string& decoy_hash() {
  static const std::string h = *hash_password("decoy-password-never-used");
  return h;
}

}  // namespace

Status check_password(const std::string& name, const std::string& password) {
  auto weak = [](const std::string& why) { return make_error(Code::kWeakPassword, why); };
  if (!text::is_valid_utf8(password))
    return weak("the password is not valid text (UTF-8); type it again");
  const size_t chars = text::length(password);
  if (chars < kPasswordMinChars)
    return weak("a password needs at least " + std::to_string(kPasswordMinChars) +
                " characters; a few unrelated words make a good one");
  if (chars > kPasswordMaxChars)
    return weak("a password may have at most " + std::to_string(kPasswordMaxChars) + " characters");
  const std::string lower = lower_ascii(password);
  if (!name.empty() && lower == lower_ascii(name))
    return weak("the password must not be the user name");
  for (const char* common : kCommonPasswords)
    if (lower == common) return weak("this password is too common; choose another");
  // One character (not byte: '张' is three) over and over.
  const std::string_view first = text::truncate_chars(password, 1);
  bool repeated = true;
  for (size_t i = 0; repeated && i < password.size(); i += first.size())
    repeated = std::string_view(password).substr(i, first.size()) == first;
  if (repeated) return weak("a password of one repeated character is too easy to guess");
  return ok_status();
}

Expected<store::UserRecord> create_user(Context& ctx, const std::string& name, Role role,
                                        const std::string& password, const Actor& who,
                                        std::int64_t org_id) {
  if (!valid_name(name))
    return make_error(Code::kInvalidArgument,
                      "user name must be 1-64 letters, digits, '.', '_' or '-'");
  if (auto s = check_password(name, password); !s) return s.error();
  auto hash = hash_password(password);
  if (!hash) return hash.error();
  store::UserRecord u{0, name, *hash, to_string(role), false, unix_now()};
  u.org_id = org_id;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto id = tx.insert_user(u);
    if (!id) {
      if (id.error().code == Code::kConflict)
        return make_error(Code::kConflict, "user " + name + " already exists");
      return id.error();
    }
    u.id = *id;
    return record_audit(tx, who, "user.create", "user:" + name, "",
                        org_id == store::kRootOrganisation
                            ? u.role
                            : u.role + " in organisation " + std::to_string(org_id),
                        "");
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
    if (auto s = check_password(name, password); !s) return s.error();
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
                       const std::string& remote, const std::string& code) {
  const auto now = unix_now();
  const std::string name_key = limit_key("name", name), addr_key = limit_key("addr", remote);
  const Actor who{name, "user", "console", remote};
  auto name_blocked = blocked(ctx, name_key, kFailuresPerName, now);
  if (!name_blocked) return name_blocked.error();
  auto addr_blocked =
      *name_blocked ? Expected<bool>(true) : blocked(ctx, addr_key, kFailuresPerAddress, now);
  if (!addr_blocked) return addr_blocked.error();
  if (*addr_blocked) {
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
    // The failure counts where every server sees it, in the transaction of its audit entry.
    if (auto s = commit_change(ctx,
                               [&](store::Tx& tx) -> Status {
                                 if (auto s = tx.add_limit_event(name_key, now); !s) return s;
                                 if (auto s = tx.add_limit_event(addr_key, now); !s) return s;
                                 return record_audit(tx, who, "login.failed", "user:" + name, "",
                                                     remote, "");
                               });
        !s)
      return s.error();
    return make_error(Code::kUnauthorized, "user name or password is wrong");
  }
  // The second factor: the password alone is not enough (and not a failure).
  std::int64_t totp_step = 0;
  if (!u->totp_secret.empty()) {
    if (code.empty())
      return make_error(Code::kTotpRequired, "enter the 6-digit code from your authenticator app");
    std::optional<std::int64_t> step;
    if (ctx.secrets) {
      auto secret = ctx.secrets->unseal(u->totp_secret);
      if (!secret) return secret.error().with_context("TOTP secret of " + name);
      step = totp_check(*secret, code, now, u->totp_last_step);
    }
    if (!step) {
      if (auto s = commit_change(ctx,
                                 [&](store::Tx& tx) -> Status {
                                   if (auto s = tx.add_limit_event(name_key, now); !s) return s;
                                   if (auto s = tx.add_limit_event(addr_key, now); !s) return s;
                                   return record_audit(tx, who, "login.totp_failed", "user:" + name,
                                                       "", remote, "");
                                 });
          !s)
        return s.error();
      return make_error(Code::kTotpWrong,
                        "the code is wrong or was used already; wait for the next code in your "
                        "authenticator app and try again");
    }
    totp_step = *step;
  }
  if (auto s = ctx.store.clear_limit_events(name_key); !s) return s.error();
  Login out{*u, new_token(), new_token()};
  bool replayed = false;
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
    if (totp_step) {
      // Two log-ins with the same code race here: the transactions take turns,
      // and the second sees the step used.
      if (again->totp_secret != u->totp_secret || again->totp_last_step >= totp_step) {
        replayed = true;
        return make_error(Code::kTotpWrong,
                          "the code was used already; wait for the next code and try again");
      }
      again->totp_last_step = totp_step;
      if (auto s = tx.update_user(*again); !s) return s;
    }
    return record_audit(tx, {u->name, "user", "console", remote}, "login.ok", "user:" + name, "",
                        remote, totp_step ? "password and TOTP" : "");
  });
  if (!st) {
    if (replayed)
      for (const auto* key : {&name_key, &addr_key})
        if (auto s = ctx.store.add_limit_event(*key, now); !s)
          spdlog::warn("a replayed code was not counted as a failed log-in: {}", s.error().message);
    return st.error();
  }
  return out;
}

Expected<std::vector<store::UserRecord>> list_users(Context& ctx) { return ctx.store.list_users(); }

Expected<bool> totp_required_for_admins(Context& ctx) {
  auto v = ctx.store.account_setting(kTotpRequiredKey);
  if (!v) return v.error();
  return *v == "true";
}

Status set_totp_required_for_admins(Context& ctx, bool required, const Actor& who) {
  return commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto before = tx.account_setting(kTotpRequiredKey);
    if (!before) return before.error();
    const std::string after = required ? "true" : "false";
    if (auto s = tx.set_account_setting(kTotpRequiredKey, after); !s) return s;
    return record_audit(tx, who, "settings.totp_required", "fleet",
                        before->empty() ? "false" : *before, after, "");
  });
}

Status totp_gate(Context& ctx, const store::UserRecord& user) {
  if (!user.totp_secret.empty() || parse_role(user.role) != Role::kAdmin) return ok_status();
  auto required = totp_required_for_admins(ctx);
  if (!required) return required.error();
  if (!*required) return ok_status();
  return make_error(Code::kTotpEnrolRequired,
                    "administrators must set up two-step verification (TOTP) before anything "
                    "else: open the console and follow the set-up");
}

namespace {
Expected<const SecretBox*> secret_box(Context& ctx) {
  if (!ctx.secrets)
    return make_error(Code::kWrongState,
                      "this server has no secret key for sealing TOTP secrets; start posfleetd "
                      "with a data directory");
  return ctx.secrets;
}
}  // namespace

Expected<TotpEnrolment> begin_totp(Context& ctx, const std::string& name) {
  auto box = secret_box(ctx);
  if (!box) return box.error();
  const std::string secret = new_totp_secret();
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto u = tx.user_by_name(name);
    if (!u) return u.error();
    if (!u->totp_secret.empty())
      return make_error(Code::kWrongState,
                        name +
                            " has two-step verification set up already; to move it to a new "
                            "phone, ask an administrator to reset it");
    u->totp_pending = (*box)->seal(secret);
    return tx.update_user(*u);
  });
  if (!st) return st.error();
  return TotpEnrolment{base32_encode(secret), otpauth_uri("posfleet", name, secret)};
}

Status confirm_totp(Context& ctx, const std::string& name, const std::string& code,
                    const Actor& who) {
  auto box = secret_box(ctx);
  if (!box) return box.error();
  const auto now = unix_now();
  const std::string key = limit_key("totp-setup", name);
  auto is_blocked = blocked(ctx, key, kFailuresPerName, now);
  if (!is_blocked) return is_blocked.error();
  if (*is_blocked)
    return make_error(Code::kTooManyRequests,
                      "too many wrong codes; wait 15 minutes and start the set-up again");
  bool wrong = false;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto u = tx.user_by_name(name);
    if (!u) return u.error();
    if (u->totp_pending.empty())
      return make_error(Code::kWrongState,
                        "no two-step set-up is waiting; start it again to get a new secret");
    auto secret = (*box)->unseal(u->totp_pending);
    if (!secret) return secret.error().with_context("TOTP secret of " + name);
    auto step = totp_check(*secret, code, now, 0);
    if (!step) {
      wrong = true;
      return make_error(Code::kTotpWrong,
                        "the code does not match; check the phone's clock and enter the code "
                        "the app shows now");
    }
    u->totp_secret = u->totp_pending;
    u->totp_pending.clear();
    u->totp_last_step = *step;  // the code just shown cannot log in too
    if (auto s = tx.update_user(*u); !s) return s;
    return record_audit(tx, who, "user.totp_enrol", "user:" + name, "", "totp", "");
  });
  if (wrong)
    if (auto s = ctx.store.add_limit_event(key, now); !s) return s;
  if (st)
    if (auto s = ctx.store.clear_limit_events(key); !s) return s;
  return st;
}

Status reset_totp(Context& ctx, const std::string& name, const std::string& reason,
                  const Actor& who) {
  if (auto s = check_reason(reason, "give a reason for resetting the two-step verification"); !s)
    return s;
  return commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto u = tx.user_by_name(name);
    if (!u) return u.error();
    if (u->totp_secret.empty() && u->totp_pending.empty())
      return make_error(Code::kWrongState, name + " has no two-step verification to reset");
    const std::string before = u->totp_secret.empty() ? "pending" : "totp";
    u->totp_secret.clear();
    u->totp_pending.clear();
    u->totp_last_step = 0;
    if (auto s = tx.update_user(*u); !s) return s;
    if (auto s = tx.delete_sessions_of(u->id); !s) return s;  // logs in again, then sets up
    return record_audit(tx, who, "user.totp_reset", "user:" + name, before, "", reason);
  });
}

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
