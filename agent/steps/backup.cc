// Step: back up the merchant's data (transaction journal, settings) before the
// slots change, under the name of the action; rollback restores from it.
#include "agent/steps/steps.h"

namespace posfleet::agent {

Event backup(UpdateContext& ctx) {
  if (ctx.runtime.ended_on_server) return Event::kCanceled;  // the last step before the slots
  if (!ctx.hold_guard()) return ctx.wait_for("transaction", ctx.config.precheck_retry_seconds);
  if (!ctx.services.data) return Event::kDone;
  if (auto s = ctx.services.data->backup(std::to_string(ctx.record.action_id)); !s)
    return ctx.fail(s.error().with_context("backing up the merchant's data"));
  return Event::kDone;
}

}  // namespace posfleet::agent
