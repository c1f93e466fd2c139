// posfleet server: the update policy of record (docs/policy.md).
//
// Scopes: the fleet (defaults for every field), a group (the acquirer's), each
// organisation from below the acquirer down to the terminal's own
// (docs/organisations.md; kept under the organisation's path), the terminal;
// each later scope overrides the fields it sets, and a lock holds against every
// scope below it. Every change, whoever makes it,
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
//
// Each change is one store transaction (commit_change, audit.h): its history
// row, the new patch, its audit entry and its notification commit together or
// not at all, and the state it decides on (locks, the newest back-office
// revision, the patch it merges into) is read inside that transaction, so two
// changes of one scope, from any number of servers, apply one after the other.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <string>
#include <vector>

#include "core/policy.h"
#include "server/domain/context.h"

namespace posfleet::domain {

// Readers take the store (a Tx) outside a change, or the change's `tx`.
Expected<Policy> effective_policy(store::Tx& tx, const store::TerminalRecord& t);
Expected<Policy> effective_policy(Context& ctx, const store::TerminalRecord& t);
Expected<Policy> scope_policy(store::Tx& tx, const std::string& scope, const std::string& key);
Expected<Policy> scope_policy(Context& ctx, const std::string& scope, const std::string& key);
// What applies at a scope with the scopes above it: the fleet's; a group's over
// the fleet's; an organisation's over the fleet's and its parents'; a terminal's
// effective policy. Its `locked` says whether the scope's mode is under a lock.
Expected<Policy> layered_policy(store::Tx& tx, const std::string& tenant, const std::string& scope,
                                const std::string& key);
// The reason of the first lock on the chain down to and with `scope` `key` that an organisation
// outside the subtree at `subtree` (a path) set (PolicyRecord::lock_org): it holds against that
// subtree's users, who lift only their own organisations' locks. None: nullopt.
Expected<std::optional<std::string>> lock_from_outside(store::Tx& tx, const std::string& tenant,
                                                       const std::string& scope,
                                                       const std::string& key,
                                                       const std::string& subtree);

// One scope as the back office shows it: its own fields, what applies there,
// and its newest changes.
struct PolicyView {
  std::string patch_json = "{}";  // the fields the scope sets itself, as stored
  Policy effective;               // what applies (a terminal: its effective policy)
  std::string group;              // scope terminal: its group ("" none)
  std::vector<store::PolicyChangeRecord> history;  // newest first, at most `history_limit`
};
Expected<PolicyView> policy_view(Context& ctx, const std::string& scope, const std::string& key,
                                 std::int64_t history_limit = 50);

// The text a person puts in a change: the group's name (scope group), the
// organisation's path (scope organisation: /1/…/, digits and slashes) and the
// lock reason, each valid text of at most limits::kGroupChars / kReasonChars;
// a lock being set needs its reason (the terminal shows it).
Status check_patch_text(const std::string& scope, const std::string& key, const PolicyPatch& patch);

// Back-office change (path console or support) of one scope; `patch` holds the
// fields to set. A reason is required. With `keep_locked_mode` (callers that
// may not lock), a mode change where the mode is locked is refused (kLocked),
// decided inside the change's transaction so a lock set meanwhile holds.
// `held_from` (a reseller's or merchant's user: its organisation's path): a
// change of mode or lock is refused (kLocked) under a lock an organisation
// outside that subtree set (lock_from_outside), whatever the caller's role. A
// lock records the organisation of who set it (Actor::organisation).
Expected<Policy> change_policy(Context& ctx, const std::string& scope, const std::string& key,
                               const PolicyPatch& patch, const Actor& who,
                               const std::string& reason, bool keep_locked_mode = false,
                               const std::string& held_from = "");
// The same change as part of a larger one (a bulk edit): writes through `tx`
// and leaves committing to the caller. Checks nothing change_policy checks
// before its transaction (scope, reason, text).
Expected<Policy> change_policy_in(Context& ctx, store::Tx& tx, const std::string& scope,
                                  const std::string& key, const PolicyPatch& patch,
                                  const Actor& who, const std::string& reason,
                                  bool keep_locked_mode, const std::string& held_from = "");

struct TerminalChange {
  std::string outcome;  // applied | superseded | refused
  std::string message_zh, message_en;
  Policy policy;  // effective policy after the change
};
Expected<TerminalChange> terminal_policy_change(Context& ctx, const store::TerminalRecord& t,
                                                PolicyMode mode, std::int64_t base_revision);
// The same with the mode as the DDI body says it; kInvalidArgument unless it
// is auto, manual or never.
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
// the scope is fleet, group, organisation or terminal; security fields are the
// fleet's only.
Status check_scope_change(const std::string& scope, const PolicyPatch& change);
// A scope's stored patch after `change`: its fields override, and unlocking
// clears the lock's reason.
Expected<PolicyPatch> merged_patch(const PolicyPatch& before, const PolicyPatch& change);

// Moves a terminal into `group` ("" none), audited as terminal.group. Without
// `may_change_locks` (callers that may not lock), refused with kLocked when the
// terminal's mode or the new group's is locked: the move would change a lock.
// Decided inside the move's transaction.
struct GroupMove {
  std::string serial, group;
};
Expected<GroupMove> move_to_group(Context& ctx, const std::string& serial, const std::string& group,
                                  const Actor& who, bool may_change_locks);

}  // namespace posfleet::domain
