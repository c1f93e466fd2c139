// posfleet server: deployments (DDI actions) and their life cycle.
//
//   scheduled --(terminal fetches or reports progress)--> running
//   scheduled|running --closed/success--> finished/success (terminal's version recorded)
//   scheduled|running --closed/failure or rejected--> finished/failure
//   scheduled|running --operator cancels--> canceling --terminal confirms--> canceled
//                                           canceling --terminal refuses--> running
// Every feedback a terminal sends is kept in the action's history, in order.
// A terminal has at most one open deployment; assigning another is refused
// until the open one ends or is canceled.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"

namespace posfleet::domain {

struct Feedback {
  std::string execution;  // closed | proceeding | canceled | scheduled | rejected | resumed | downloading | downloaded
  std::string result;     // success | failure | none
  std::vector<std::string> details;
  int code = 0;  // posfleet error code (core/result.h), 0 when none
  std::int64_t progress_cnt = 0, progress_of = 0;  // status.result.progress; of = 0 when absent
};

Expected<store::DeploymentRecord> assign_release(Context& ctx, const std::string& version, const std::string& serial);
Expected<store::DeploymentRecord> request_cancel(Context& ctx, std::int64_t deployment_id);

// Feedback on deploymentBase/{id}; kNotFound if the action is not this terminal's,
// kConflict (HTTP 410) if it has already ended.
Status record_feedback(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id, const Feedback& fb);
// Feedback on cancelAction/{id}.
Status record_cancel_feedback(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id,
                              const Feedback& fb);

// DDI confirmation flow: the merchant confirmed or denied the action on the
// terminal; kept in the action's history ("confirmed" / "denied"). A denial
// ends the action as failed.
Status record_confirmation(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id, bool confirmed,
                           const std::vector<std::string>& details);

// The deployment `id` if it belongs to terminal `t`.
Expected<store::DeploymentRecord> deployment_of(Context& ctx, const store::TerminalRecord& t, std::int64_t id);
bool is_open(const store::DeploymentRecord& d);

}  // namespace posfleet::domain
