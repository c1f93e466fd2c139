// Step: the new slot booted and is healthy: commit it, then clean up.
#include <filesystem>

#include "agent/steps/steps.h"

namespace posfleet::agent {

Event commit(UpdateContext& ctx) {
  if (!ctx.hold_guard()) return ctx.wait_for("transaction", ctx.config.precheck_retry_seconds);
  if (auto s = ctx.services.boot.mark_good(); !s) return ctx.fail(s.error());
  ctx.runtime.guard_hold
      .reset();  // the slots are settled: sales may go on while the result is reported
  std::error_code ec;
  std::filesystem::remove_all(ctx.download_dir(), ec);
  std::filesystem::remove(ctx.progress_path(), ec);
  return Event::kDone;
}

}  // namespace posfleet::agent
