// Step: the new slot booted and is healthy: commit it, then clean up.
#include <filesystem>

#include "agent/steps/steps.h"

namespace posfleet::agent {

Event commit(UpdateContext& ctx) {
  if (auto s = ctx.boot.mark_good(); !s) return ctx.fail(s.error());
  std::error_code ec;
  std::filesystem::remove_all(ctx.download_dir(), ec);
  std::filesystem::remove(ctx.progress_path(), ec);
  return Event::kDone;
}

}  // namespace posfleet::agent
