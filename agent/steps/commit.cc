// Step: the new slot booted and is healthy: commit it, then clean up.
#include <spdlog/spdlog.h>

#include "agent/steps/steps.h"

namespace posfleet::agent {

Event commit(UpdateContext& ctx) {
  if (!ctx.hold_guard()) return ctx.wait_for("transaction", ctx.config.precheck_retry_seconds);
  // A power cut since the health check makes the bootloader run again: it may
  // have fallen back (attempts used up). Never commit a slot that was not checked.
  auto st = ctx.services.boot.state();
  if (!st) return ctx.fail(st.error());
  if (st->booted != ctx.record.target_slot)
    return ctx.fail(make_error(Code::kBootFailed, "slot " + ctx.record.target_slot +
                                                      " is no longer running after a restart; "
                                                      "back on slot " +
                                                      st->booted));
  if (auto s = ctx.services.boot.mark_good(); !s) return ctx.fail(s.error());
  ctx.runtime.guard_hold
      .reset();  // the slots are settled: sales may go on while the result is reported
  // Clean-up only: what is left is removed again when the next update reports.
  for (const auto& path : {ctx.download_dir(), ctx.progress_path()})
    if (auto s = ctx.services.fs->remove(path); !s)
      spdlog::warn("update: cannot remove {}: {}", path, s.error().message);
  return Event::kDone;
}

}  // namespace posfleet::agent
