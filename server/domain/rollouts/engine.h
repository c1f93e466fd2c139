// posfleet server: the engine that advances staged rollouts, one step at a time, from the
// background runner (background/jobs.cc, lease "rollouts": on several servers exactly one steps
// them). Everything it knows is in the database — timers are timestamps — so a restart of
// posfleetd loses nothing and a step may be run again at any time.
//
// One step of a running rollout, on its current wave:
//   pending          --needs approval, none yet--> waiting_approval (rollout too; webhook
//                      rollout.approval_needed)
//   pending          --no freeze--> running (wave_started)
//   running          --members without a deployment--> deployments made (at most kAssignPerStep
//                      a step, several steps a tick)
//   running|soaking  --failed share > error_threshold--> paused (rollout too; webhook
//                      rollout.paused)
//   running          --every member assigned, success share >= success_threshold--> soaking
//                      until now + soak_seconds
//   soaking          --soak_until passed, no freeze--> done; the next wave (pending) or the
//                      rollout finished (webhook rollout.finished)
// Shares are of the wave's reachable members: its members less the unreachable (a scheduled
// deployment whose terminal was not seen since the wave started nor for
// ctx.rollout_unreachable_seconds: it still gets the update when it comes back), the skipped,
// canceled and declined, and the failures an operator accepted by resuming. During a freeze of
// the fleet or of the wave's group no wave starts or advances, and the rollout's state_reason
// says which freeze. A scheduled rollout starts when its start_at has passed. Every transition
// is audited with actor system, its reason and its figures.
// Thread-safety: stateless functions over the store; one step of a rollout is one transaction.
#pragma once

#include <cstdint>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/rollouts/plan.h"

namespace posfleet::domain::rollouts {

inline constexpr std::int64_t kAssignPerStep = 1000;  // deployments one step makes at most
inline constexpr int kAssignStepsPerTick = 10;        // steps of one rollout per tick at most
inline constexpr std::int64_t kSampleSeconds = 10;    // history: one sample per 10 s at most
inline constexpr std::int64_t kSamplesKept = 2000;    // ... and this many per rollout

// One step of every scheduled or running rollout, each in a change of its own; while a step
// assigns a full batch of members, up to kAssignStepsPerTick more, each a change of its own.
// The members' counts are read before each change, outside it (a count over a large wave then
// holds no lock; the change counts again if the rollout changed meanwhile). The first error is
// returned after every rollout had its steps.
Status advance_rollouts(Context& ctx);

// One step of rollout `id` inside a change (actions call it right after they change a rollout).
Status advance_rollout(Context& ctx, store::Tx& tx, std::int64_t id, std::int64_t now);

// Starts rollout `r` now, inside a change: splits its target into its waves (fixed from here
// on), writes the members and moves it to running, audited with `who`.
Status begin_rollout(Context& ctx, store::Tx& tx, store::RolloutRecord& r, std::int64_t now,
                     const Actor& who);

// The wave's counts as the API shows them: every phase, unreachable and pending, 0 when none.
store::PhaseCounts full_counts(const store::PhaseCounts& c);

}  // namespace posfleet::domain::rollouts
