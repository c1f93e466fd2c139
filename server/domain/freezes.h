// posfleet server: freeze periods (封网期) — dates on which no rollout may install anything
// (双十一, 春节, month-end settlement), kept for the fleet and for groups, each with a reason and
// the rule for security releases the administrator chose for it. A freeze's dates are read in
// each terminal's own time zone (time_zones.h): a freeze of 2026-11-11 covers that local date
// wherever the terminal is. During a freeze waves do not advance and no new install starts: the
// freezes that apply to a terminal travel in its effective policy (core/policy.h Policy::
// freezes), so the server's offer to stock clients and the agent's own decide() both hold.
// docs/rollouts.md § Freeze periods.
// Thread-safety: stateless functions over the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/policy.h"
#include "core/result.h"
#include "server/domain/context.h"
#include "server/store/calendar_store.h"
#include "server/store/records.h"
#include "server/store/store.h"

namespace posfleet::domain {

// What a freeze does to a security release that has a deadline (core/policy.h):
// hold | after_deadline | allow.
using FreezeSecurityRule = posfleet::FreezeSecurityRule;

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
// ('' = the zone of the window the fleet, or the group, gives its terminals)
// for `release`? What a rollout asks before it advances a wave.
Expected<std::optional<FreezeHit>> freeze_for_group(store::Tx& tx, const std::string& group,
                                                    const std::string& tz,
                                                    const store::ReleaseRecord& release,
                                                    std::int64_t now);

// The freezes of the fleet and of `group` that have not ended everywhere at `now`, nearest
// first, at most kFreezesInPolicy: what a terminal's policy carries.
Expected<std::vector<Freeze>> freezes_of_group(store::Tx& tx, const std::string& group,
                                               std::int64_t now);

// The calendar as the back office keeps it.
inline constexpr std::int64_t kFreezesOpenMax = 200;  // freezes not yet ended, at most
struct FreezeInput {
  std::string scope = "fleet";  // fleet | group
  std::string group;            // scope group: an existing group (it has terminals or a policy)
  std::string from, to;         // YYYY-MM-DD, from <= to, at most kFreezeMaxDays days
  std::string reason;           // required
  std::string security = "hold";
};
// POST /api/v1/freezes: validated (each error names the field and what is allowed, never
// quoting what was sent), stored and audited as freeze.create.
Expected<store::FreezeRecord> create_freeze(Context& ctx, const FreezeInput& in, const Actor& who);
// GET /api/v1/freezes: every freeze, by first day (ended ones too, at most 1000).
Expected<std::vector<store::FreezeRecord>> list_freezes(Context& ctx);
// DELETE /api/v1/freezes/{id}: removed and audited as freeze.delete with what it was; a reason
// is required. kNotFound if there is no such freeze.
Expected<store::FreezeRecord> delete_freeze(Context& ctx, std::int64_t id, const Actor& who,
                                            const std::string& reason);

}  // namespace posfleet::domain
