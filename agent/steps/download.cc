// Step: download every artifact into <device_dir>/download/<sha256>.part,
// resuming with HTTP Range from what an earlier attempt left there. Network
// trouble is retried with backoff; a server that sends more bytes than the
// manifest allows fails the update. While downloading, the step polls at the
// server's interval and stops for an operator's cancel, or for shutdown.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "agent/steps/steps.h"
#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

namespace {
void write_progress(UpdateContext& ctx, const PlannedArtifact& a, const DownloadProgress& p, std::uint64_t before,
                    std::uint64_t total) {
  namespace bj = boost::json;
  const std::uint64_t done = before + p.have;
  const double remaining = p.rate > 0 ? static_cast<double>(total - done) / p.rate : -1;
  bj::object o{{"action_id", ctx.record.action_id}, {"component", a.name}, {"bytes", done}, {"total", total},
               {"percent", total ? static_cast<int>(100 * done / total) : 100}, {"rate", static_cast<std::uint64_t>(p.rate)},
               {"remaining_seconds", static_cast<std::int64_t>(remaining)}};
  write_file_atomic(ctx.progress_path(), json::serialize(o));
}
// True (once) when the server asks to cancel this action.
bool cancel_requested(UpdateContext& ctx) {
  auto p = ctx.ddi.poll();
  if (!p || p->cancel_href.empty()) return false;
  auto stop_id = ctx.ddi.cancel_action(p->cancel_href);
  return stop_id && *stop_id == ctx.record.action_id;
}

}  // namespace

Event download(UpdateContext& ctx) {
  auto& r = ctx.record;
  if (auto s = make_dirs(ctx.download_dir()); !s) return ctx.fail(s.error());
  std::uint64_t total = 0, before = 0;
  for (const auto& a : r.artifacts) total += a.length;
  if (r.resumes == 0 && r.resumed_from == 0) ctx.progress_note("downloading " + std::to_string(total) + " bytes");
  bool canceled = false;
  auto last_check = std::chrono::steady_clock::now();
  auto should_stop = [&] {
    if (ctx.stopping) return true;
    if (std::chrono::steady_clock::now() - last_check < std::chrono::seconds(std::max(1, ctx.poll_seconds))) return false;
    last_check = std::chrono::steady_clock::now();
    return canceled = cancel_requested(ctx);
  };
  for (const auto& a : r.artifacts) {
    if (ctx.stopping) return Event::kRetry;
    auto got = ctx.ddi.downloads().download(
        a.href, ctx.part_path(a), a.length,
        [&](const DownloadProgress& p) { write_progress(ctx, a, p, before, total); }, ctx.config.download_rate_limit,
        should_stop);
    if (!got && got.error().code == Code::kCanceled) return canceled ? Event::kCanceled : Event::kRetry;
    if (!got) {
      if (got.error().code == Code::kLengthMismatch || got.error().code == Code::kIo) {
        std::filesystem::remove(ctx.part_path(a));
        return ctx.fail(got.error().with_context("component " + a.name));
      }
      spdlog::warn("update: download of {} stopped: {}; retrying", a.filename, got.error().message);
      ctx.wait(std::min(60, 2 << std::min(r.resumes, 5)));
      return Event::kRetry;
    }
    if (got->resumed_from > 0) {
      r.resumed_from = std::max(r.resumed_from, got->resumed_from);
      spdlog::info("update: {} resumed from byte {}", a.filename, got->resumed_from);
    }
    before += a.length;
  }
  return Event::kDone;
}

}  // namespace posfleet::agent
