// posfleet server: stuck deployments (hawkBit #693: devices "running" for ever). The fleet sets
// how long a deployment may stay in each open phase (phases.h) before it is timed out:
//   waiting_seconds      scheduled (the terminal has not fetched it) and waiting_window (held for
//                        its maintenance window, a freeze, the merchant's confirmation or a
//                        policy that turned updates off): a terminal that waits legitimately is
//                        not stuck until this much longer limit passes (default 7 days);
//   downloading_seconds  fetched, downloading (default 1 day);
//   installing_seconds   past the download: verify, pre-checks, install, reboot, health check
//                        (default 2 hours).
// 0 = never. The clock is the phase's own (deployments.phase_since, in the database, so timers
// survive a restart): a report that does not change the phase does not restart it, so a download
// that loops for ever still times out.
// time_out_stuck ends every open deployment past its phase's limit as finished / failure / phase
// timed_out, its message naming the phase, how long and the terminal's last line; one audit
// entry (deployment.timed_out, with the count and the ids) and one webhook event per release and
// rollout per batch. A terminal that reports on it later gets 410 Gone, like for any ended
// deployment. Cheap at 100,000 open deployments: one range of the deployments_open_phase index
// per open status and phase, at most kTimeoutBatch rows a transaction.
// Thread-safety: stateless functions over the Context's store; posfleetd runs time_out_stuck on
// one server at a time (background/jobs.cc, lease "timeouts").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/store/timeouts_store.h"

namespace posfleet::domain {

inline constexpr std::int64_t kMaxTimeoutSeconds = 365LL * 86400;
inline constexpr std::int64_t kTimeoutBatch = 1000;

Expected<store::DeploymentTimeouts> deployment_timeouts(Context& ctx);
// Each limit 0 (never) .. kMaxTimeoutSeconds, else kInvalidArgument naming it. Audited as
// fleet.timeouts with before and after.
Expected<store::DeploymentTimeouts> set_deployment_timeouts(Context& ctx,
                                                            const store::DeploymentTimeouts& t,
                                                            const Actor& who,
                                                            const std::string& reason);

// The limit that applies to an open phase (0 = never, and for ended phases).
std::int64_t limit_for(const store::DeploymentTimeouts& t, store::DeploymentPhase p);

// What one sweep ended.
struct TimeoutSweep {
  std::int64_t timed_out = 0;
  std::vector<std::int64_t> ids;  // oldest in its phase first
};
// Times out every open deployment past its phase's limit at `now` (unix seconds).
Expected<TimeoutSweep> time_out_stuck(Context& ctx, std::int64_t now);
// The background job: time_out_stuck at the current time.
Status time_out_stuck(Context& ctx);

// "2 h 5 min", "3 days 4 h", "40 s": a duration for people.
std::string duration_words(std::int64_t seconds);

}  // namespace posfleet::domain
