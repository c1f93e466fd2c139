// posfleet server: every background job posfleetd runs, in one list (as routes.h is for
// routes): each area adds its jobs here — rollout advancement, stuck-deployment timeouts,
// webhook delivery — with its period and, for work that must run once across servers, its
// lease. Work that waits on other machines (webhook delivery: up to 10 s a receiver) runs on a
// runner of its own, `outbound`, so that a slow receiver never holds back a rollout's next step
// or a timeout.
// Thread-safety: call once, before Runner::start; the jobs keep a reference to ctx.
#pragma once

#include "server/background/runner.h"
#include "server/domain/context.h"

namespace posfleet {

void add_background_jobs(background::Runner& runner, background::Runner& outbound,
                         domain::Context& ctx);

}  // namespace posfleet
