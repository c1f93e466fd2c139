// posfleet server: freeze periods (封网期) — dates on which no rollout may install anything
// (双十一, 春节, month-end settlement), kept for the fleet and for groups, each with a reason and
// the rule for security releases the administrator chose for it. A freeze's dates are read in
// each terminal's own time zone (time_zones.h). During a freeze waves do not advance and no new
// install starts. docs/rollouts.md § Freeze periods.
// Thread-safety: stateless functions over the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/store/records.h"
#include "server/store/store.h"

namespace posfleet::domain {

// What a freeze does to a security release that has a deadline.
enum class FreezeSecurityRule {
  kHold,           // "hold": security releases wait for the freeze's end too
  kAfterDeadline,  // "after_deadline": a security release past its deadline installs anyway
  kAllow,          // "allow": security releases install during the freeze
};

struct FreezeHit {
  std::int64_t freeze_id = 0;
  std::string reason;
  std::string from, to;   // local dates YYYY-MM-DD, inclusive
  std::int64_t ends = 0;  // unix seconds when it ends for this terminal (its zone's midnight)
};

// Does a freeze (of the fleet, or of the terminal's group) hold back installing `release` on
// terminal `t` at `now`? None when no freeze applies or its security rule lets the release by.
Expected<std::optional<FreezeHit>> freeze_for(store::Tx& tx, const store::TerminalRecord& t,
                                              const store::ReleaseRecord& release,
                                              std::int64_t now);
// Is a freeze of the fleet or of `group` ('' = fleet only) in force at `now` in time zone `tz`
// for `release`? What a rollout asks before it advances a wave.
Expected<std::optional<FreezeHit>> freeze_for_group(store::Tx& tx, const std::string& group,
                                                    const std::string& tz,
                                                    const store::ReleaseRecord& release,
                                                    std::int64_t now);

}  // namespace posfleet::domain
