#include "server/domain/phases.h"

#include "server/domain/deployments.h"

namespace posfleet::domain {

using store::DeploymentPhase;

bool is_open_phase(DeploymentPhase p) {
  return p == DeploymentPhase::kScheduled || p == DeploymentPhase::kWaitingWindow ||
         p == DeploymentPhase::kDownloading || p == DeploymentPhase::kInstalling;
}

std::optional<DeploymentPhase> phase_line(const Feedback& fb) {
  for (const auto& line : fb.details) {
    if (!std::string_view(line).starts_with(kPhaseLinePrefix)) continue;
    auto p = store::parse_deployment_phase(std::string_view(line).substr(kPhaseLinePrefix.size()));
    if (!p) continue;
    if (*p == DeploymentPhase::kDownloading || *p == DeploymentPhase::kInstalling ||
        *p == DeploymentPhase::kWaitingWindow || *p == DeploymentPhase::kRolledBack)
      return *p;
  }
  return std::nullopt;
}

void move_phase(store::DeploymentRecord& d, DeploymentPhase p, std::int64_t now) {
  if (d.phase == p && d.phase_since != 0) return;
  d.phase = p;
  d.phase_since = now;
}

DeploymentPhase next_phase(DeploymentPhase current, const Feedback& fb) {
  const std::string& e = fb.execution;
  if (e == "closed") {
    if (fb.result == "success") return DeploymentPhase::kSuccess;
    if (fb.result == "failure")
      return phase_line(fb) == DeploymentPhase::kRolledBack ? DeploymentPhase::kRolledBack
                                                            : DeploymentPhase::kFailed;
    return current;  // closed without a result: DDI says nothing final
  }
  if (e == "rejected") return DeploymentPhase::kDeclined;
  if (e == "canceled") return DeploymentPhase::kCanceled;
  if (!is_open_phase(current)) return current;  // an ended phase stays ended
  if (e == "download" || e == "downloading") return DeploymentPhase::kDownloading;
  if (e == "downloaded") return DeploymentPhase::kInstalling;
  if (e != "proceeding") return current;  // scheduled, resumed: nothing new
  if (fb.progress_of > 0)
    return fb.progress_cnt >= fb.progress_of ? DeploymentPhase::kInstalling
                                             : DeploymentPhase::kDownloading;
  if (auto p = phase_line(fb); p && *p != DeploymentPhase::kRolledBack) return *p;
  if (current == DeploymentPhase::kScheduled || current == DeploymentPhase::kWaitingWindow)
    return DeploymentPhase::kDownloading;
  return current;
}

}  // namespace posfleet::domain
