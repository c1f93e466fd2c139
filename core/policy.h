// posfleet core: the update policy and the decision whether an update may
// install now (docs/policy.md).
//
// A Policy is what applies to one terminal: the fleet default, overridden
// field by field by its group and then by the terminal itself (PolicyPatch).
// decide() is a pure function of the policy, the offered update, the time and
// whether the merchant confirmed: it answers Allow, Deny(reason) or
// AskLater(reason, not before). Server and agent use the same function.
// Thread-safety: pure functions; local_time() serializes its use of TZ.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/result.h"

namespace posfleet {

// How updates reach a terminal. The JSON word (policy, DDI, CLI) is its to_string.
enum class PolicyMode {
  kAuto,    // "auto": installs in the maintenance window
  kManual,  // "manual": waits for the merchant to confirm
  kNever,   // "never": held back (security releases past their deadline excepted)
};
const char* to_string(PolicyMode mode);
// kInvalidArgument "mode must be auto, manual or never" for any other word.
Expected<PolicyMode> parse_policy_mode(std::string_view text);

struct MaintenanceWindow {
  std::vector<int> days = {1, 2, 3, 4, 5, 6, 7};  // ISO weekdays, 1 = Monday
  int start_minute = 22 * 60;                     // local time; start == end means all day
  int end_minute = 6 * 60;                        // may be before start: the window spans midnight
  std::string tz = "Asia/Shanghai";               // IANA time zone
};

struct Policy {
  PolicyMode mode = PolicyMode::kAuto;
  MaintenanceWindow window;
  std::string cellular = "allowed";  // allowed | forbidden | limit
  int cellular_limit_mb = 0;
  bool never_defers_security = false;  // fleet: may `never` hold back security releases for good?
  int security_deadline_days = 30;     // fleet: default deadline of a security release
  bool locked = false;                 // mode locked by an administrator
  std::string lock_reason;
  std::int64_t revision = 0;  // newest change that shaped this policy

  boost::json::object to_json() const;
};

// A partial policy: the fields a group or terminal sets for itself.
struct PolicyPatch {
  std::optional<PolicyMode> mode;
  std::optional<MaintenanceWindow> window;
  std::optional<std::string> cellular;
  std::optional<int> cellular_limit_mb;
  std::optional<bool> never_defers_security;
  std::optional<int> security_deadline_days;
  std::optional<bool> locked;
  std::optional<std::string> lock_reason;

  boost::json::object to_json() const;
  // Validates every field present; errors say which field and what is allowed.
  static Expected<PolicyPatch> from_json(const boost::json::object& o);
  void apply_to(Policy& p) const;
  bool touches_mode() const { return mode || locked || lock_reason; }
};

Expected<Policy> policy_from_json(const boost::json::object& o);
Expected<MaintenanceWindow> parse_window(const std::string& text);  // "22:00-06:00"
std::string window_text(const MaintenanceWindow& w);

struct LocalTime {
  int weekday = 1;  // ISO, 1 = Monday
  int minute = 0;   // minute of the day
  int year = 1970, month = 1, day = 1;
};
Expected<LocalTime> local_time(const std::string& tz, std::int64_t unix_seconds);
bool in_window(const MaintenanceWindow& w, std::int64_t unix_seconds);

struct UpdateOffer {
  bool security = false;
  std::int64_t deadline = 0;  // unix seconds; 0 = none
};

enum class Verdict { kAllow, kDeny, kAskLater };
// Why decide() answered as it did. The stable word (the DDI poll's held.reason,
// logs) is its to_string.
enum class DecisionReason {
  kModeNever,             // "mode_never": deny
  kSecurityDeadline,      // "security_deadline": allow, overriding `never`
  kOutsideWindow,         // "outside_window": ask later
  kConfirmed,             // "confirmed": allow (manual, merchant confirmed)
  kAwaitingConfirmation,  // "awaiting_confirmation": ask later (manual)
  kInWindow,              // "in_window": allow (auto)
};
const char* to_string(DecisionReason reason);
Expected<DecisionReason> parse_decision_reason(std::string_view text);

struct Decision {
  Verdict verdict = Verdict::kDeny;
  DecisionReason reason = DecisionReason::kModeNever;
};

Decision decide(const Policy& p, const UpdateOffer& offer, std::int64_t now, bool confirmed);

}  // namespace posfleet
