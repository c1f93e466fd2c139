#include "server/background/jobs.h"

#include "core/clock.h"
#include "server/domain/health.h"
#include "server/domain/last_seen.h"
#include "server/domain/rate_limit.h"
#include "server/domain/rollouts/engine.h"
#include "server/domain/timeouts.h"
#include "server/webhooks/delivery.h"

namespace posfleet {

void add_background_jobs(background::Runner& runner, background::Runner& outbound,
                         domain::Context& ctx) {
  runner.every(
      "timeouts", std::chrono::milliseconds(ctx.timeout_sweep_ms),
      [&ctx] { return domain::time_out_stuck(ctx); }, "timeouts");
  outbound.every(
      "webhooks", std::chrono::milliseconds(ctx.webhook_ms),
      [&ctx] { return webhooks::deliver_due(ctx); }, "webhooks");
  runner.every(
      "rollouts", std::chrono::milliseconds(ctx.rollout_tick_ms),
      [&ctx] { return domain::rollouts::advance_rollouts(ctx); }, "rollouts");
  // On every server: the polls it answered, written once a second (domain/last_seen.h).
  if (ctx.last_seen)
    runner.every("last-seen", std::chrono::seconds(1),
                 [&ctx] { return ctx.last_seen->flush(ctx.store); });
  // Terminals' health reports, written once a second; history past the retention dropped in
  // steps of 10,000 rows a minute (domain/health.h).
  if (ctx.health)
    runner.every("health", std::chrono::seconds(1),
                 [&ctx] { return ctx.health->flush(ctx.store, ctx.health_history_seconds); });
  runner.every(
      "health-retention", std::chrono::seconds(60),
      [&ctx]() -> Status {
        auto n = domain::prune_health(ctx, unix_now());
        return n ? ok_status() : Status(n.error());
      },
      "health");
  runner.every(
      "limits", std::chrono::seconds(60),
      [&ctx] { return domain::prune_limit_events(ctx.store, unix_now()); }, "limits");
  // Each area adds one line here.
}

}  // namespace posfleet
