// Placeholder until the freeze calendar lands: no freeze can be entered yet, so none applies.
// Replaced by the calendar (issue 13, time zones and freezes).
#include "server/domain/freezes.h"

namespace posfleet::domain {

Expected<std::optional<FreezeHit>> freeze_for(store::Tx& tx, const store::TerminalRecord& t,
                                              const store::ReleaseRecord& release,
                                              std::int64_t now) {
  (void)tx, (void)t, (void)release, (void)now;
  return std::optional<FreezeHit>{};
}

Expected<std::optional<FreezeHit>> freeze_for_group(store::Tx& tx, const std::string& group,
                                                    const std::string& tz,
                                                    const store::ReleaseRecord& release,
                                                    std::int64_t now) {
  (void)tx, (void)group, (void)tz, (void)release, (void)now;
  return std::optional<FreezeHit>{};
}

}  // namespace posfleet::domain
