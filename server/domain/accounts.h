// posfleet server: people who log in to the back office (console, support
// desk): user names with argon2id password hashes (libsodium), roles, and
// server-side sessions.
//
// A session is a random token in an HttpOnly, SameSite=Strict cookie; only its
// SHA-256 is stored. Each session has its own CSRF token, which every
// state-changing request must echo in the X-CSRF-Token header. Sessions end
// on log-out, after ctx.session_idle_seconds unused, after
// ctx.session_max_seconds in any case, and when the user is disabled.
// Failed log-ins are limited: 5 per user name and 20 per address in 15
// minutes; the answer never says whether the name exists.
// Thread-safety: functions may be called from any thread; the failure
// counters are guarded (they are per process: each server counts its own).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/domain/context.h"
#include "server/domain/roles.h"

namespace posfleet::domain {

inline constexpr int kLoginWindowSeconds = 15 * 60;
inline constexpr int kFailuresPerName = 5;
inline constexpr int kFailuresPerAddress = 20;

// Each change of users is one transaction with its audit entry (audit.h
// commit_change): a failure leaves nothing.
Expected<store::UserRecord> create_user(Context& ctx, const std::string& name, Role role,
                                        const std::string& password, const Actor& who);
// Changes what is given: role, disabled, password ("" = keep); any change
// ends the user's sessions. kWrongState when it would leave no active
// administrator; kInvalidArgument when nothing is given.
Expected<store::UserRecord> change_user(Context& ctx, const std::string& name,
                                        std::optional<Role> role, std::optional<bool> disabled,
                                        const std::string& password, const Actor& who);
// Every back-office user.
Expected<std::vector<store::UserRecord>> list_users(Context& ctx);

struct Login {
  store::UserRecord user;
  std::string token;  // goes into the cookie, shown nowhere else
  std::string csrf;
};
// kUnauthorized with one message for a wrong name or password;
// kTooManyRequests when too many attempts failed.
Expected<Login> log_in(Context& ctx, const std::string& name, const std::string& password,
                       const std::string& remote);

struct ActiveSession {
  store::UserRecord user;
  store::SessionRecord session;
};
Expected<ActiveSession> session_user(Context& ctx, const std::string& token);
Status log_out(Context& ctx, const std::string& token);

// The value of the posfleet_session cookie in a Cookie header, or "".
std::string session_cookie(const std::string& cookie_header);
inline constexpr const char* kSessionCookie = "posfleet_session";

}  // namespace posfleet::domain
