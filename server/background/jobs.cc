#include "server/background/jobs.h"

#include "server/domain/rollouts/engine.h"

namespace posfleet {

void add_background_jobs(background::Runner& runner, domain::Context& ctx) {
  runner.every(
      "rollouts", std::chrono::milliseconds(ctx.rollout_tick_ms),
      [&ctx] { return domain::rollouts::advance_rollouts(ctx); }, "rollouts");
  // Each area adds one line here.
}

}  // namespace posfleet
