// posfleet server: a staged rollout's plan — what an operator asks for (a release, a target,
// waves with their rules), checked; the split of the target into waves, fixed when the rollout
// starts; and the preview that says how many terminals each wave gets, when it can start (the
// terminals' maintenance windows in their own time zones, freeze periods) and how many terminals
// are left out and why. docs/rollouts.md.
//
// Waves are either all percentages — cumulative shares of the eligible target (1, 10, 50, 100):
// wave i gets the terminals ranked from the previous share up to its own, in a stable order by
// a hash of the serial — or all groups, in order (a terminal in no wave's group is left out as
// not_in_wave). A terminal is left out (in this order) when it is retired, of a model the
// release is not for (wrong_model), already runs the release (already_installed), its effective
// mode is never and the release is not a security release past its deadline (mode_never), it
// was not seen for offline_days (offline), or it has an open deployment the rollout may not
// replace (busy).
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/store/store.h"

namespace posfleet::domain::rollouts {

enum class RolloutState {
  kDraft,            // created, not started
  kScheduled,        // started with a start_at in the future
  kRunning,          // a wave is running or soaking
  kWaitingApproval,  // the next wave waits for someone other than the creator
  kPaused,           // by threshold or by an operator
  kFinished,
  kCanceled,
  kStopped,  // the kill switch
};
const char* to_string(RolloutState s);
Expected<RolloutState> parse_rollout_state(std::string_view text);
bool is_ended(RolloutState s);  // finished, canceled, stopped

enum class WaveState { kPending, kRunning, kSoaking, kWaitingApproval, kDone, kPaused };
const char* to_string(WaveState s);
Expected<WaveState> parse_wave_state(std::string_view text);

struct WaveSpec {
  std::optional<int> percent;  // or
  std::string group;
  int success_threshold = 95;  // % of the wave's reachable terminals that succeeded: advance
  int error_threshold = 2;     // % failed (failed, rolled back, timed out) above which: pause
  std::int64_t soak_seconds = 3600;
  bool needs_approval = false;  // this wave starts only once someone other than the creator
                                // approved it

  boost::json::object to_json() const;
  // Strict: unknown fields, wrong types and values out of range are refused.
  static Expected<WaveSpec> from_json(const boost::json::value& v, std::size_t index);
};
Expected<std::vector<WaveSpec>> waves_from_json(const std::string& text);
std::string waves_to_json(const std::vector<WaveSpec>& waves);

// What the rollout targets. `filter_json` is the filter as the operator wrote it (shown back);
// `filter` what it means.
struct Target {
  std::optional<std::vector<std::string>> serials;
  std::string group;
  std::optional<store::TerminalQuery> filter;
  boost::json::value filter_json;
  // A filter's "not seen for N days": the span (N days) before the moment it is resolved; 0: its
  // `online` (if any) means within the online window.
  std::int64_t offline_seconds = 0;
  // {"serials": [...]} | {"group": "g"} | {"filter": {...}}, and the query it means ("query")
  std::string to_json() const;
  static Expected<Target> from_json(const std::string& text);
  boost::json::value shown() const;  // to_json without the query
};

struct Plan {
  std::string release;
  Target target;
  std::vector<WaveSpec> waves;
  std::int64_t offline_days = 7;
  std::int64_t start_at = 0;  // 0: at once when started
  bool start = false;
  std::string name, reason;
  // The organisation making it (docs/organisations.md): its subtree's terminals alone are members.
  std::int64_t org_id = store::kRootOrganisation;
};
// The limits a plan is checked against (besides the reason's, audit.h check_reason).
inline constexpr std::size_t kMaxWaves = 20;
inline constexpr std::size_t kMaxSerials = 100000;
inline constexpr std::size_t kNameChars = 100;
Status check_plan(const Plan& plan);

struct Split {
  std::vector<store::RolloutMemberRecord> members;  // wave of each member
  std::vector<std::vector<store::TerminalRecord>> waves;
  std::int64_t total = 0;                        // eligible terminals placed in a wave
  std::map<std::string, std::int64_t> excluded;  // every reason, 0 when none
};
// The target resolved now within organisation `org_id`'s subtree and split into the waves (the
// rule at the top of this file).
Expected<Split> split_target(Context& ctx, store::Tx& tx, const store::ReleaseRecord& release,
                             const Target& target, std::int64_t org_id,
                             const std::vector<WaveSpec>& waves, std::int64_t offline_days,
                             std::int64_t now);

// Whether terminal `t` still lies in the subtree of the organisation that made rollout `r` (the
// acquirer's: every terminal). A member given to another organisation since its rollout started
// takes nothing more from it: no deployment, no retry, no cancel.
Expected<bool> within_rollout(store::Tx& tx, const store::RolloutRecord& r,
                              const store::TerminalRecord& t);

struct WavePreview {
  std::int64_t index = 0, terminals = 0;
  std::optional<std::vector<std::string>> groups;
  std::optional<int> percent;
  std::optional<std::int64_t> can_start_at, frozen_until;
};
struct Preview {
  std::int64_t total = 0;
  std::vector<WavePreview> waves;
  std::map<std::string, std::int64_t> excluded;
};
// kNotFound for an unknown release, kReleaseStopped for a stopped one.
Expected<Preview> preview(Context& ctx, const Plan& plan);

// When the first of `terminals` is inside its maintenance window (its effective policy's, read
// in its own time zone) at or after `now`, within 8 days; none if never (or no terminals).
Expected<std::optional<std::int64_t>> can_start_at(store::Tx& tx,
                                                   const std::vector<store::TerminalRecord>& ts,
                                                   std::int64_t now);
// When the freeze holding back the wave `spec` ends, if one does at `now`.
Expected<std::optional<std::int64_t>> frozen_until(store::Tx& tx, const WaveSpec& spec,
                                                   const store::ReleaseRecord& release,
                                                   std::int64_t now, std::string* reason);

}  // namespace posfleet::domain::rollouts
