// posfleet server: the update policy of record (docs/policy.md).
//
// Scopes: the fleet (defaults for every field), a group, a terminal; each
// later scope overrides the fields it sets. Every change, whoever makes it,
// gets a new revision (a global, increasing number), a history entry and an
// audit entry.
//
// Conflicts. The terminal keeps a copy and works offline; its change carries
// the revision it was based on. The rule:
//   - locked mode: the terminal's change is refused (the lock's reason is told);
//   - mode or lock changed in the back office (console or support) after that
//     revision: the back-office change stands, the terminal's change is kept in
//     history as "superseded", and the terminal is notified of the outcome;
//   - otherwise it is applied.
// Nothing is dropped silently: every outcome is in history, audit and reply.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <string>

#include "core/policy.h"
#include "server/domain/context.h"

namespace posfleet::domain {

Expected<Policy> effective_policy(Context& ctx, const store::TerminalRecord& t);
Expected<Policy> scope_policy(Context& ctx, const std::string& scope, const std::string& key);
// What applies at a scope with the scopes above it: the fleet's; a group's over
// the fleet's; a terminal's effective policy. Its `locked` says whether the
// scope's mode is under an administrator's lock.
Expected<Policy> layered_policy(Context& ctx, const std::string& scope, const std::string& key);

// The text a person puts in a change: the group's name (scope group) and the
// lock reason, each valid text of at most limits::kGroupChars / kReasonChars.
Status check_patch_text(const std::string& scope, const std::string& key, const PolicyPatch& patch);

// Back-office change (path console or support) of one scope; `patch` holds the
// fields to set. A reason is required. With `keep_locked_mode` (callers that
// may not lock), a mode change where the mode is locked is refused (kConflict),
// checked under the same lock as the write so a lock set meanwhile holds.
Expected<Policy> change_policy(Context& ctx, const std::string& scope, const std::string& key,
                               const PolicyPatch& patch, const Actor& who,
                               const std::string& reason, bool keep_locked_mode = false);

struct TerminalChange {
  std::string outcome;  // applied | superseded | refused
  std::string message_zh, message_en;
  Policy policy;  // effective policy after the change
};
Expected<TerminalChange> terminal_policy_change(Context& ctx, const store::TerminalRecord& t,
                                                const std::string& mode,
                                                std::int64_t base_revision);

// 恢复默认设置 on the terminal: its own mode setting is removed, so the mode
// its group and fleet give it applies again; the back office's other
// terminal fields (window, network rule) stay. Refused when the mode is
// locked (only an administrator changes a lock). Audited as policy.reset.<outcome>
// on the terminal path, kept in the policy history.
Expected<TerminalChange> terminal_policy_reset(Context& ctx, const store::TerminalRecord& t);
std::string scope_target(const std::string& scope, const std::string& key);

// What a back-office change may hold for `scope` (kInvalidArgument says why):
// the scope is fleet, group or terminal; security fields are the fleet's only.
Status check_scope_change(const std::string& scope, const PolicyPatch& change);
// A scope's stored patch after `change`: its fields override, and unlocking
// clears the lock's reason.
Expected<PolicyPatch> merged_patch(const PolicyPatch& before, const PolicyPatch& change);

}  // namespace posfleet::domain
