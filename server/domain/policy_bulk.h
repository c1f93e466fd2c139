// posfleet server: policy changes seen before they are made, and one change
// made to many terminals at once.
//
// preview_*: how many terminals a change covers and how many of them would
// get a different effective policy (fleet → group → organisations → terminal,
// policy.h). A scope change is counted per group and organisation, not per
// terminal, so the fleet's preview stays quick at 100,000 terminals; only
// terminals with a policy of their own are looked at one by one.
//
// bulk_policy: the change as a terminal-scope change of every terminal the
// filter matches, each as change_policy makes it (history, audit,
// notification), in transactions of up to 100 terminals; the last one also
// writes the policy.bulk summary. A failing batch is undone whole and ends the
// edit (the batches before it stay, each terminal's change with its audit
// entry). A terminal whose mode is locked is refused when the change touches
// its mode (and does not set a lock itself), and counted; so is one removed
// since it matched. More than ctx.bulk_cap terminals are refused as a whole:
// narrow the filter or use a group policy.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <string>

#include "core/policy.h"
#include "server/domain/context.h"

namespace posfleet::domain {

struct PolicyPreview {
  std::int64_t in_scope = 0;  // terminals the change covers
  std::int64_t changing = 0;  // of those, how many get a different effective policy
  std::int64_t locked = 0;    // of those, how many a bulk edit would refuse (locked mode)
};

Expected<PolicyPreview> preview_scope(Context& ctx, const std::string& scope,
                                      const std::string& key, const PolicyPatch& change);
Expected<PolicyPreview> preview_terminals(Context& ctx, store::TerminalQuery query,
                                          const PolicyPatch& change);

struct BulkOutcome {
  std::int64_t matched = 0, applied = 0, refused = 0;
};
Expected<BulkOutcome> bulk_policy(Context& ctx, store::TerminalQuery query,
                                  const PolicyPatch& change, const Actor& who,
                                  const std::string& reason);

// Every terminal `query` matches (its offset and limit ignored), in serial
// order; kInvalidArgument if more than ctx.bulk_cap, saying what to do instead.
Expected<std::vector<store::TerminalRecord>> all_matching(Context& ctx, store::TerminalQuery query,
                                                          const std::string& instead);

}  // namespace posfleet::domain
