// Step: return to the committed slot and put the merchant's data back as it
// was before the install — keeping every transaction recorded since. The
// failed slot stays as it is for diagnosis; the next install overwrites it.
#include "agent/steps/steps.h"

namespace posfleet::agent {

Event rollback(UpdateContext& ctx) {
  // Never reboot or restore under a running sale.
  if (!ctx.hold_guard()) return ctx.wait_for("transaction", ctx.config.precheck_retry_seconds);
  if (auto s = ctx.services.boot.clear_pending(); !s) {
    ctx.wait(1);
    return Event::kRetry;
  }
  auto st = ctx.services.boot.state();
  if (!st) return Event::kRetry;
  if (st->booted != st->good) {
    auto after = ctx.services.boot.reboot();
    if (!after || after->booted != after->good) return Event::kRetry;
  }
  const std::string name = std::to_string(ctx.record.action_id);
  if (ctx.services.data && ctx.services.data->has_backup(name))
    if (auto s = ctx.services.data->restore(name); !s) {
      ctx.wait(1);
      return Event::kRetry;
    }
  if (ctx.record.error.empty()) ctx.record.error = "update rolled back";
  ctx.record.error += kRolledBackMark + st->good + ")";
  ctx.runtime.guard_hold
      .reset();  // back on the committed slot with the data restored: sales may go on
  return Event::kDone;
}

}  // namespace posfleet::agent
