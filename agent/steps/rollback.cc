// Step: return to the committed slot. The failed slot stays as it is for
// diagnosis; it is overwritten by the next install.
#include "agent/steps/steps.h"

namespace posfleet::agent {

Event rollback(UpdateContext& ctx) {
  if (auto s = ctx.boot.clear_pending(); !s) {
    ctx.wait(1);
    return Event::kRetry;
  }
  auto st = ctx.boot.state();
  if (!st) return Event::kRetry;
  if (st->booted != st->good) {
    auto after = ctx.boot.reboot();
    if (!after || after->booted != after->good) return Event::kRetry;
  }
  if (ctx.record.error.empty()) ctx.record.error = "update rolled back";
  ctx.record.error += " (rolled back to slot " + st->good + ")";
  return Event::kDone;
}

}  // namespace posfleet::agent
