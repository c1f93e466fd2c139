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
//
// Passwords follow one policy (check_password; the console's form checks the
// same): 12 to 128 characters of valid UTF-8, not the user name, not one of
// a built-in list of common passwords.
//
// Two-factor log-in (totp.h): a user who has set up TOTP logs in with the
// password and then the authenticator app's code (kTotpRequired until it is
// given); a wrong or reused code counts as a failed log-in. Setting up: the
// user asks for a secret (shown once), then confirms it with a first code.
// With the setting "totp_required_for_admins" on, an administrator without
// TOTP may do nothing but set it up (totp_gate). An administrator can reset a
// user's TOTP (the user sets it up again). Secrets are sealed (secrets.h).
// Failed attempts are counted in the store (rate_limit.h), so servers sharing one database
// count together.
// Thread-safety: functions may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/domain/context.h"
#include "server/domain/roles.h"
#include "server/store/organisations_store.h"

namespace posfleet::domain {

inline constexpr int kLoginWindowSeconds = 15 * 60;
inline constexpr int kFailuresPerName = 5;
inline constexpr int kFailuresPerAddress = 20;

inline constexpr size_t kPasswordMinChars = 12;
inline constexpr size_t kPasswordMaxChars = 128;
// kWeakPassword saying which rule `password` breaks for user `name`.
[[nodiscard]] Status check_password(const std::string& name, const std::string& password);

// Each change of users is one transaction with its audit entry (audit.h
// commit_change): a failure leaves nothing.
// The user acts within organisation `org_id`'s subtree (organisations.h).
Expected<store::UserRecord> create_user(Context& ctx, const std::string& name, Role role,
                                        const std::string& password, const Actor& who,
                                        std::int64_t org_id = store::kRootOrganisation);
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
// kTooManyRequests when too many attempts failed; for a user with TOTP,
// kTotpRequired when `code` is empty and kTotpWrong for a wrong or used code.
Expected<Login> log_in(Context& ctx, const std::string& name, const std::string& password,
                       const std::string& remote, const std::string& code = "");

// Whether the fleet requires TOTP of administrators (setting, default off).
Expected<bool> totp_required_for_admins(Context& ctx);
Status set_totp_required_for_admins(Context& ctx, bool required, const Actor& who);
// kTotpEnrolRequired when `user` is an administrator without TOTP and the
// fleet requires it; the caller then allows only TOTP set-up.
Status totp_gate(Context& ctx, const store::UserRecord& user);

struct TotpEnrolment {
  std::string secret_base32;  // shown once
  std::string uri;            // otpauth:// for the QR code
};
// A new secret for `name`, waiting for its first code; kWrongState if the
// user has TOTP already (an administrator resets it first).
Expected<TotpEnrolment> begin_totp(Context& ctx, const std::string& name);
// Turns TOTP on with the code of the waiting secret; kTotpWrong otherwise.
Status confirm_totp(Context& ctx, const std::string& name, const std::string& code,
                    const Actor& who);
// Removes `name`'s TOTP and ends the user's sessions (audited with `reason`).
Status reset_totp(Context& ctx, const std::string& name, const std::string& reason,
                  const Actor& who);

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
