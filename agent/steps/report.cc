// Steps: tell the server how the update ended, retrying until it hears it.
// Success is reported only after the new slot booted, passed its health check
// and was committed; a rollback is reported as a failure with its reason.
#include <spdlog/spdlog.h>

#include "agent/steps/steps.h"
#include "core/clock.h"

namespace posfleet::agent {

namespace {

Event finish(UpdateContext& ctx, const char* result, const std::string& message, bool cancel) {
  auto& r = ctx.record;
  ctx.runtime.guard_hold
      .reset();  // reporting may take long while offline; sales must not wait for it
  FeedbackMessage m{"closed", cancel ? "success" : result, {message}, cancel ? 0 : r.error_code};
  // A failure after a rollback says so in the structured line (server/domain/phases.h).
  if (!cancel && std::string(result) == "failure" &&
      message.find(kRolledBackMark) != std::string::npos)
    m.details.insert(m.details.begin(), std::string(kPhaseLine) + "rolled_back");
  Status sent = cancel ? ctx.services.ddi.cancel_feedback(r.action_id, m)
                       : ctx.services.ddi.feedback(r.action_id, m);
  if (!sent && sent.error().code != Code::kConflict) {  // kConflict (410): the server ended it
    spdlog::warn("update: report for action {} not delivered: {}; retrying", r.action_id,
                 sent.error().message);
    ctx.wait(5);
    return Event::kRetry;
  }
  r.last = {r.action_id, r.version, result, message, r.error_code, ctx.now(), r.resumed_from};
  // Clean-up only: a leftover is overwritten or removed by the next update.
  for (const auto& path :
       {std::string(result) != "success" ? ctx.download_dir() : std::string(), ctx.progress_path(),
        ctx.config.device_dir + "/backup/" + std::to_string(r.action_id)})
    if (auto s = path.empty() ? ok_status() : ctx.services.fs->remove(path); !s)
      spdlog::warn("update: cannot remove {}: {}", path, s.error().message);
  r.error.clear();
  r.error_code = 0;
  r.waiting.clear();
  r.selected.clear();
  return Event::kDone;
}

}  // namespace

Event report_success(UpdateContext& ctx) {
  return finish(ctx, "success",
                "installed " + ctx.record.version + " on slot " + ctx.record.target_slot +
                    "; booted and healthy",
                false);
}

Event report_failure(UpdateContext& ctx) {
  return finish(ctx, "failure", ctx.record.error.empty() ? "update failed" : ctx.record.error,
                false);
}

Event report_canceled(UpdateContext& ctx) {
  return finish(ctx, "canceled",
                ctx.runtime.ended_on_server ? "stopped: the server ended the action (timed out)"
                                            : "canceled by the operator",
                true);
}

Event report_unchanged(UpdateContext& ctx) {
  return finish(ctx, "success",
                "release " + ctx.record.version +
                    " is already installed (the same signed manifest); nothing was installed",
                false);
}

}  // namespace posfleet::agent
