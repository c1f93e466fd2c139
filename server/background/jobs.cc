#include "server/background/jobs.h"

namespace posfleet {

void add_background_jobs(background::Runner& runner, domain::Context& ctx) {
  (void)runner;
  (void)ctx;
  // Each area adds one line here, e.g.:
  //   runner.every("rollouts", ctx.rollout_tick, [&ctx] { return domain::advance_rollouts(ctx); },
  //                "rollouts");
}

}  // namespace posfleet
