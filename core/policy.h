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

// A freeze period (封网期) as a terminal receives it: local dates, inclusive, read in the
// terminal's zone (its policy's window.tz). What it does to a security release is its rule.
enum class FreezeSecurityRule {
  kHold,           // "hold": security releases wait for the freeze's end too
  kAfterDeadline,  // "after_deadline": a security release past its deadline installs anyway
  kAllow,          // "allow": security releases install during the freeze
};
const char* to_string(FreezeSecurityRule rule);
// kInvalidArgument "security must be hold, after_deadline or allow" for any other word.
Expected<FreezeSecurityRule> parse_freeze_security(std::string_view text);

struct Freeze {
  std::int64_t id = 0;
  std::string from, to;  // YYYY-MM-DD, inclusive, in the terminal's zone
  std::string reason;
  FreezeSecurityRule security = FreezeSecurityRule::kHold;
};
inline constexpr std::size_t kFreezesInPolicy = 32;  // at most this many travel with a policy
inline constexpr std::size_t kTimeZoneChars = 64;    // an IANA zone name
inline constexpr int kFreezeMaxDays = 90;            // a freeze lasts at most this many days

// A calendar date: kInvalidArgument naming `field` unless `text` is YYYY-MM-DD and a real date.
// The error never quotes the text.
struct Date {
  int year = 1970, month = 1, day = 1;
};
Expected<Date> parse_date(std::string_view field, std::string_view text);
std::string date_text(const Date& d);
std::int64_t days_from_civil(const Date& d);  // days since 1970-01-01
Date civil_from_days(std::int64_t days);

// An IANA time zone name the system's tzdata knows (e.g. Asia/Shanghai, America/New_York):
// at most kTimeZoneChars ASCII letters, digits and / _ + -, no empty or dot-dot part, a file
// under /usr/share/zoneinfo that is TZif data. kInvalidArgument naming `field`; the error
// never quotes the name.
Status check_time_zone(std::string_view field, const std::string& name);

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
  // Freeze periods that apply to this terminal and have not ended (the server's calendar);
  // read in window.tz. Not part of a patch: the calendar is kept apart (docs/rollouts.md).
  std::vector<Freeze> freezes;

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
// The unix time of local midnight starting `date` in `tz` (on a day that starts with a
// daylight-saving jump, the first instant of the day).
Expected<std::int64_t> local_midnight(const std::string& tz, const Date& date);
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
  kFrozen,                // "frozen": ask later, a freeze period holds it (until it ends)
};
const char* to_string(DecisionReason reason);
Expected<DecisionReason> parse_decision_reason(std::string_view text);

struct Decision {
  Verdict verdict = Verdict::kDeny;
  DecisionReason reason = DecisionReason::kModeNever;
};

// The freeze of `p` that holds `offer` back at `now` (the local date in p.window.tz within its
// dates, and its security rule not letting the offer by); nullptr when none does.
const Freeze* holding_freeze(const Policy& p, const UpdateOffer& offer, std::int64_t now);

// Order: `never` denies (unless a security deadline forces it); a freeze in force holds
// (kFrozen) whatever the mode or a merchant's confirmation; then confirmation (manual) or the
// window (auto, and forced security).
Decision decide(const Policy& p, const UpdateOffer& offer, std::int64_t now, bool confirmed);

}  // namespace posfleet
