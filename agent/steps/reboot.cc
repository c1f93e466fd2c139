// Step: restart into the new slot. The bootloader spends one boot attempt on
// it; if the device comes up on the old slot instead, the new one failed to
// boot and the update rolls back.
#include "agent/steps/steps.h"

namespace posfleet::agent {

Event reboot(UpdateContext& ctx) {
  if (!ctx.hold_guard()) return ctx.wait_for("transaction", ctx.config.precheck_retry_seconds);
  auto st = ctx.services.boot.state();
  if (!st) return ctx.fail(st.error());
  // A crash after the reboot but before this state was left: already there.
  if (st->booted == ctx.record.target_slot && st->pending == ctx.record.target_slot)
    return Event::kDone;
  auto after = ctx.services.boot.reboot();
  if (!after) return ctx.fail(after.error());
  if (after->booted != ctx.record.target_slot) {
    ctx.fail(make_error(Code::kBootFailed, "slot " + ctx.record.target_slot +
                                               " did not boot; back on slot " + after->booted));
    return Event::kFellBack;
  }
  return Event::kDone;
}

}  // namespace posfleet::agent
