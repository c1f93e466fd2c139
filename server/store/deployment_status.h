// posfleet server: the words of a deployment's life cycle (domain/deployments.h) and of the
// update state a terminal shows for its newest deployment, as types. Strings appear only at the
// edges: the SQL store (sql/deployment_sql.h) and the JSON of the APIs, each through the
// to_string / parse pair beside its enum.
//
// update_state_of is the one C++ definition of a terminal's update state; the SQLite backend
// builds its SQL form from it (sql/deployment_sql.cc), and deployment_sql_test.cc checks on
// random fleets that the two agree.
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "core/result.h"

namespace posfleet::store {

enum class DeploymentStatus { kScheduled, kRunning, kCanceling, kCanceled, kFinished };
enum class DeploymentResult { kNone, kSuccess, kFailure };
// What the terminal list shows for a terminal: idle (no deployment at all), or the state its
// newest deployment gives it.
enum class UpdateState { kIdle, kScheduled, kRunning, kSuccess, kFailed, kCanceled };

// Where a terminal is with a deployment, as a staged rollout counts it and a stuck deployment's
// timeout measures it (per phase: waiting for the terminal, downloading, installing). Open
// phases: scheduled (not fetched yet), waiting_window (held for its maintenance window, a freeze
// or the merchant), downloading, installing (verify, pre-checks, install, reboot, health check);
// ended: success, failed, rolled_back (failed after install; the old slot runs), timed_out (no
// progress for too long; counts as failed), declined (refused by the terminal's policy or the
// merchant), canceled.
enum class DeploymentPhase {
  kScheduled,
  kWaitingWindow,
  kDownloading,
  kInstalling,
  kSuccess,
  kFailed,
  kRolledBack,
  kTimedOut,
  kDeclined,
  kCanceled,
};
inline constexpr DeploymentPhase kAllDeploymentPhases[] = {
    DeploymentPhase::kScheduled,  DeploymentPhase::kWaitingWindow, DeploymentPhase::kDownloading,
    DeploymentPhase::kInstalling, DeploymentPhase::kSuccess,       DeploymentPhase::kFailed,
    DeploymentPhase::kRolledBack, DeploymentPhase::kTimedOut,      DeploymentPhase::kDeclined,
    DeploymentPhase::kCanceled};
// scheduled | waiting_window | downloading | installing | success | failed | rolled_back |
// timed_out | declined | canceled
const char* to_string(DeploymentPhase p);
Expected<DeploymentPhase> parse_deployment_phase(std::string_view text);
// Counts against a rollout's error threshold: failed, rolled_back, timed_out.
bool counts_as_failed(DeploymentPhase p);

inline constexpr DeploymentStatus kAllDeploymentStatuses[] = {
    DeploymentStatus::kScheduled, DeploymentStatus::kRunning, DeploymentStatus::kCanceling,
    DeploymentStatus::kCanceled, DeploymentStatus::kFinished};
inline constexpr DeploymentResult kAllDeploymentResults[] = {
    DeploymentResult::kNone, DeploymentResult::kSuccess, DeploymentResult::kFailure};
inline constexpr UpdateState kAllUpdateStates[] = {UpdateState::kIdle,    UpdateState::kScheduled,
                                                   UpdateState::kRunning, UpdateState::kSuccess,
                                                   UpdateState::kFailed,  UpdateState::kCanceled};

// scheduled | running | canceling | canceled | finished
const char* to_string(DeploymentStatus s);
Expected<DeploymentStatus> parse_deployment_status(std::string_view text);
// none | success | failure
const char* to_string(DeploymentResult r);
Expected<DeploymentResult> parse_deployment_result(std::string_view text);
// idle | scheduled | running | success | failed | canceled
const char* to_string(UpdateState s);
Expected<UpdateState> parse_update_state(std::string_view text);

// Not yet ended: the terminal may still be working on it (at most one per terminal).
bool is_open(DeploymentStatus s);

// The update state a deployment gives its terminal while it is the terminal's newest:
// finished → success or failed (by result), canceling → running (the terminal may still be
// installing), otherwise the status of the same name.
UpdateState update_state_of(DeploymentStatus status, DeploymentResult result);

}  // namespace posfleet::store
