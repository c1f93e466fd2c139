// Step: download every artifact into <device_dir>/download/<sha256>.part,
// resuming with HTTP Range from what an earlier attempt left there. Network
// trouble is retried with backoff; a server that sends more bytes than the
// manifest allows fails the update.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
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
}  // namespace

Event download(UpdateContext& ctx) {
  auto& r = ctx.record;
  if (auto s = make_dirs(ctx.download_dir()); !s) return ctx.fail(s.error());
  std::uint64_t total = 0, before = 0;
  for (const auto& a : r.artifacts) total += a.length;
  if (r.resumes == 0 && r.resumed_from == 0) ctx.progress_note("downloading " + std::to_string(total) + " bytes");
  for (const auto& a : r.artifacts) {
    if (ctx.stopping) return Event::kRetry;
    auto got = ctx.ddi.http().download(
        a.href, ctx.part_path(a), a.length,
        [&](const DownloadProgress& p) { write_progress(ctx, a, p, before, total); }, ctx.config.download_rate_limit);
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
