// posfleet server: what operators do with staged rollouts — create, start, pause, resume,
// cancel, approve a wave, retry the failed terminals — and the kill switch that stops a release
// everywhere at once; and what they read (a rollout with its waves' counts, the list, the
// history chart, the members). Each action is one change with its audit entry.
//
//   create: draft (start: true → started at once, or scheduled when start_at is in the future)
//   start:  draft → running (the split into waves is fixed here) | scheduled
//   pause:  scheduled | running | waiting_approval → paused
//   resume: paused → running (the paused wave's failures so far are accepted: the error
//           threshold counts only new ones) | scheduled (not started yet) | waiting_approval
//   cancel: any state but finished/canceled/stopped → canceled; deployments no terminal fetched
//           yet are canceled, the others finish
//   approve: waiting_approval → running, by anyone but the creator (kTwoPersonRule)
//   retry:  new deployments for the failed, rolled back and timed-out members of started waves
// Kill switch: stop_release stops every rollout of the release, cancels every open deployment
// of it (never fetched: at once; fetched: through the DDI cancel flow) and refuses new
// deployments and rollouts of it (kReleaseStopped) until lift_release_stop.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/rollouts/plan.h"

namespace posfleet::domain::rollouts {

// kNotFound (release), kReleaseStopped, kInvalidArgument (check_plan).
Expected<store::RolloutRecord> create_rollout(Context& ctx, const Plan& plan, const Actor& who);

enum class Action { kStart, kPause, kResume, kCancel, kApprove, kRetry };
// kNotFound, kWrongState (not allowed from its state; the message says which state it is in),
// kTwoPersonRule (approve by the creator), kInvalidArgument (reason).
Expected<store::RolloutRecord> act(Context& ctx, std::int64_t id, Action action, const Actor& who,
                                   const std::string& reason);

struct StopOutcome {
  std::string release;
  std::int64_t rollouts_stopped = 0, deployments_canceled = 0;
};
// The reason is required. kNotFound for an unknown release.
Expected<StopOutcome> stop_release(Context& ctx, const std::string& version,
                                   const std::string& reason, const Actor& who);
// kNotFound when the release is not stopped.
Status lift_release_stop(Context& ctx, const std::string& version, const std::string& reason,
                         const Actor& who);

// Reading.
struct WaveView {
  store::RolloutWaveRecord wave;
  WaveSpec spec;
  store::PhaseCounts counts;  // full_counts
};
struct RolloutView {
  store::RolloutRecord rollout;
  std::string release;
  Target target;
  std::vector<WaveView> waves;
  std::int64_t total = 0, success = 0, failed = 0;
};
Expected<RolloutView> rollout_view(Context& ctx, std::int64_t id);
struct RolloutPage {
  std::vector<RolloutView> rows;
  std::int64_t total = 0;
};
// Newest first; `state` and `release` ("" = any) narrow it (kInvalidArgument, kNotFound), and
// a non-empty `org_path` keeps the rollouts its subtree's organisations made.
Expected<RolloutPage> list_rollouts(Context& ctx, const std::string& state,
                                    const std::string& release, std::int64_t offset,
                                    std::int64_t limit, const std::string& org_path = "");
Expected<std::vector<store::RolloutSampleRecord>> rollout_history(Context& ctx, std::int64_t id);
struct MemberPage {
  std::vector<store::RolloutMemberRow> rows;
  std::int64_t total = 0;
};
Expected<MemberPage> rollout_terminals(Context& ctx, store::RolloutMemberQuery q);
Expected<std::vector<store::ReleaseStopRecord>> stopped_releases(Context& ctx);

}  // namespace posfleet::domain::rollouts
