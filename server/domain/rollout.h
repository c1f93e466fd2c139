// posfleet server: a release rolled out to many terminals, and its progress.
//
// assign_many gives each terminal the release through the same rule as a
// single assignment (deployments.h: assign_to) and counts why it skipped the
// others: the terminal is retired (retired), the release is not for the terminal's model
// (wrong_model), the terminal already runs it (already_installed), has an open deployment of it
// (already_open), is past downloading another (installing) or has an open
// deployment of a newer or equal release (busy). `replaced` counts the open
// deployments of older releases it canceled to make way. dry_run counts
// without creating anything (the console's preview).
//
// cancel_many cancels the open deployment of each terminal (of `release` only,
// when given) and counts the others: none_open, other_release,
// already_canceling.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/domain/context.h"
#include "server/domain/deployments.h"
#include "server/domain/organisations.h"

namespace posfleet::domain {

// The terminals a bulk request names: a list of serials, a group, or a terminal filter
// (terminal_filter.h). With serials, those not registered are counted in `unknown`.
struct TargetSpec {
  std::optional<std::vector<std::string>> serials;
  std::string group;
  std::optional<store::TerminalQuery> filter;
  std::string pending;  // or every terminal this release version is pending on (bulk cancel)
  // Whose terminals: a reseller's or merchant's user names its subtree's alone, and a serial
  // outside it counts as unknown, as one nobody has.
  Scope scope = {};
};
struct Targets {
  std::vector<store::TerminalRecord> terminals;
  std::int64_t unknown = 0;
  std::string described;  // for the audit entry: "N terminals", "group:g" or "filter:{…}"
};
// `filter_json` describes a filter in the audit entry. kInvalidArgument when nothing is named or
// more than ctx.bulk_cap terminals would be.
Expected<Targets> resolve_targets(Context& ctx, const TargetSpec& spec,
                                  const std::string& filter_json = "");

struct AssignOutcome {
  std::int64_t matched = 0, created = 0, replaced = 0;
  std::map<std::string, std::int64_t> skipped;  // reason → count, every reason (0 when none)
  std::vector<std::int64_t> ids;                // deployments created
};

// Terminals a change of assign_many gives the release at most.
inline constexpr std::size_t kAssignPerChange = 1000;

// A change per kAssignPerChange terminals: each change's deployments, replacements and its
// deployment.create audit entry (with `reason`, and "part k of n" when there are several)
// commit together, or none does, and the terminals' own reports run between them (a hundred
// thousand terminals in one transaction would hold the store for minutes). When a change fails,
// the ones before it stand and the error says how many deployments they made; deploying again
// goes on (their terminals are skipped as already_open). Unknown serials are counted as skipped.
Expected<AssignOutcome> assign_many(Context& ctx, const store::ReleaseRecord& release,
                                    const Targets& targets, bool dry_run,
                                    const Actor& who = kSystemActor,
                                    const std::string& reason = "");

// By release version and TargetSpec: the release (kNotFound), the reason and the targets are
// checked in that order, then as above.
Expected<AssignOutcome> assign_many(Context& ctx, const std::string& version,
                                    const TargetSpec& spec, const std::string& filter_json,
                                    bool dry_run, const Actor& who, const std::string& reason);

struct CancelOutcome {
  std::int64_t matched = 0, canceled = 0;
  std::map<std::string, std::int64_t> skipped;  // reason → count, every reason (0 when none)
  std::vector<std::int64_t> ids;                // deployments canceled or being canceled
};
// One change: every cancel and, if any, one deployment.cancel audit entry.
Expected<CancelOutcome> cancel_many(Context& ctx,
                                    const std::optional<store::ReleaseRecord>& release,
                                    const Targets& targets, const Actor& who = kSystemActor,
                                    const std::string& reason = "");
// By release version ("" for any release) and TargetSpec.
Expected<CancelOutcome> cancel_many(Context& ctx, const std::string& version,
                                    const TargetSpec& spec, const std::string& filter_json,
                                    const Actor& who, const std::string& reason);

struct ProgressRow {
  store::DeploymentRow row;
  store::UpdateState state = store::UpdateState::kScheduled;
  std::optional<int> percent;  // when the terminal's feedback says how far it is
};

struct ReleaseProgress {
  std::map<store::UpdateState, std::int64_t> counts;  // state → deployments
  std::vector<ProgressRow> newest;
  // What its downloads sent, and what full downloads would have sent instead (delta patches):
  // the whole fleet's, so zeros within a subtree.
  store::ReleaseBytes bytes;
};

// The release's deployments by state and the newest `limit`; a non-empty `org_path`: its
// subtree's terminals' alone.
Expected<ReleaseProgress> release_progress(Context& ctx, const store::ReleaseRecord& release,
                                           std::int64_t limit, const std::string& org_path = "");

// The state the console shows for a deployment (as the terminal filter's `state`):
// store::update_state_of, the one definition.
store::UpdateState deployment_state(const store::DeploymentRecord& d);

}  // namespace posfleet::domain
