#include "server/store/deployment_status.h"

#include <string>

namespace posfleet::store {

namespace {

template <typename Enum, std::size_t N>
Expected<Enum> parse_word(std::string_view text, const Enum (&all)[N], const char* what,
                          const char* words) {
  for (Enum e : all)
    if (text == to_string(e)) return e;
  return make_error(Code::kInvalidArgument, std::string(what) + " must be " + words);
}

}  // namespace

const char* to_string(DeploymentStatus s) {
  switch (s) {
    case DeploymentStatus::kScheduled:
      return "scheduled";
    case DeploymentStatus::kRunning:
      return "running";
    case DeploymentStatus::kCanceling:
      return "canceling";
    case DeploymentStatus::kCanceled:
      return "canceled";
    case DeploymentStatus::kFinished:
      return "finished";
  }
  return "finished";
}

Expected<DeploymentStatus> parse_deployment_status(std::string_view text) {
  return parse_word(text, kAllDeploymentStatuses, "status",
                    "scheduled, running, canceling, canceled or finished");
}

const char* to_string(DeploymentResult r) {
  switch (r) {
    case DeploymentResult::kNone:
      return "none";
    case DeploymentResult::kSuccess:
      return "success";
    case DeploymentResult::kFailure:
      return "failure";
  }
  return "none";
}

Expected<DeploymentResult> parse_deployment_result(std::string_view text) {
  return parse_word(text, kAllDeploymentResults, "result", "none, success or failure");
}

const char* to_string(DeploymentPhase p) {
  switch (p) {
    case DeploymentPhase::kScheduled:
      return "scheduled";
    case DeploymentPhase::kWaitingWindow:
      return "waiting_window";
    case DeploymentPhase::kDownloading:
      return "downloading";
    case DeploymentPhase::kInstalling:
      return "installing";
    case DeploymentPhase::kSuccess:
      return "success";
    case DeploymentPhase::kFailed:
      return "failed";
    case DeploymentPhase::kRolledBack:
      return "rolled_back";
    case DeploymentPhase::kTimedOut:
      return "timed_out";
    case DeploymentPhase::kDeclined:
      return "declined";
    case DeploymentPhase::kCanceled:
      return "canceled";
  }
  return "scheduled";
}

Expected<DeploymentPhase> parse_deployment_phase(std::string_view text) {
  return parse_word(text, kAllDeploymentPhases, "phase",
                    "scheduled, waiting_window, downloading, installing, success, failed, "
                    "rolled_back, timed_out, declined or canceled");
}

bool counts_as_failed(DeploymentPhase p) {
  return p == DeploymentPhase::kFailed || p == DeploymentPhase::kRolledBack ||
         p == DeploymentPhase::kTimedOut;
}

const char* to_string(UpdateState s) {
  switch (s) {
    case UpdateState::kIdle:
      return "idle";
    case UpdateState::kScheduled:
      return "scheduled";
    case UpdateState::kRunning:
      return "running";
    case UpdateState::kSuccess:
      return "success";
    case UpdateState::kFailed:
      return "failed";
    case UpdateState::kCanceled:
      return "canceled";
  }
  return "idle";
}

Expected<UpdateState> parse_update_state(std::string_view text) {
  return parse_word(text, kAllUpdateStates, "state",
                    "idle, scheduled, running, success, failed or canceled");
}

bool is_open(DeploymentStatus s) {
  return s == DeploymentStatus::kScheduled || s == DeploymentStatus::kRunning ||
         s == DeploymentStatus::kCanceling;
}

UpdateState update_state_of(DeploymentStatus status, DeploymentResult result) {
  switch (status) {
    case DeploymentStatus::kFinished:
      return result == DeploymentResult::kSuccess ? UpdateState::kSuccess : UpdateState::kFailed;
    case DeploymentStatus::kScheduled:
      return UpdateState::kScheduled;
    case DeploymentStatus::kRunning:
    case DeploymentStatus::kCanceling:
      return UpdateState::kRunning;
    case DeploymentStatus::kCanceled:
      return UpdateState::kCanceled;
  }
  return UpdateState::kIdle;
}

}  // namespace posfleet::store
