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

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/domain/context.h"
#include "server/domain/deployments.h"

namespace posfleet::domain {

struct AssignOutcome {
  std::int64_t matched = 0, created = 0, replaced = 0;
  std::map<std::string, std::int64_t> skipped;  // reason → count
  std::vector<std::int64_t> ids;                // deployments created
};

Expected<AssignOutcome> assign_many(Context& ctx, const store::ReleaseRecord& release,
                                    const std::vector<store::TerminalRecord>& terminals,
                                    bool dry_run, const Actor& who = kSystemActor);

struct CancelOutcome {
  std::int64_t matched = 0, canceled = 0;
  std::map<std::string, std::int64_t> skipped;  // reason → count
  std::vector<std::int64_t> ids;                // deployments canceled or being canceled
};
Expected<CancelOutcome> cancel_many(Context& ctx,
                                    const std::optional<store::ReleaseRecord>& release,
                                    const std::vector<store::TerminalRecord>& terminals);

struct ProgressRow {
  store::DeploymentRow row;
  std::string state;           // scheduled | running | success | failed | canceled
  std::optional<int> percent;  // when the terminal's feedback says how far it is
};

struct ReleaseProgress {
  std::map<std::string, std::int64_t> counts;  // state → deployments
  std::vector<ProgressRow> newest;
};

Expected<ReleaseProgress> release_progress(Context& ctx, const store::ReleaseRecord& release,
                                           std::int64_t limit);

// The state the console shows for a deployment (as the terminal filter's `state`).
std::string deployment_state(const store::DeploymentRecord& d);

}  // namespace posfleet::domain
