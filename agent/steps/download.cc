// Step: download every artifact into <device_dir>/download/<sha256>.part,
// resuming with HTTP Range from what an earlier attempt left there. Network
// trouble is retried with backoff, within bounds kept in the update record
// (so a restart does not reset them): at most download_max_failures failed
// attempts and download_max_hours from the first; then the update fails with
// the last attempt's reason. A server below the minimum rate is cut off
// (kTooSlow) and counts as a failed attempt; one that sends more bytes than
// the manifest allows fails the update at once. While downloading and while
// backing off, the step polls at the server's interval and stops for an
// operator's cancel, or for shutdown.
//
// A component with a planned patch (check_manifest) downloads the patch instead and makes its
// file from it and the running slot (make_from_delta); when the patch cannot be used, for any
// reason, the full file is downloaded in the same step and the feedback says why.
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <random>

#include "agent/state/fault_injection.h"
#include "agent/steps/steps.h"
#include "core/json.h"

namespace posfleet::agent {

namespace {
// The file a component's download writes: its patch while one is planned and not tried yet.
std::string fetch_path(const UpdateContext& ctx, const PlannedArtifact& a) {
  return a.delta.pending() ? ctx.delta_part_path(a) : ctx.part_path(a);
}

void write_progress(UpdateContext& ctx, const PlannedArtifact& a, const DownloadProgress& p,
                    std::uint64_t before, std::uint64_t total) {
  namespace bj = boost::json;
  const std::uint64_t done = before + p.have;
  const double remaining = p.rate > 0 ? static_cast<double>(total - done) / p.rate : -1;
  bj::object o{{"action_id", ctx.record.action_id},
               {"component", a.name},
               {"bytes", done},
               {"total", total},
               {"percent", total ? static_cast<int>(100 * done / total) : 100},
               {"rate", static_cast<std::uint64_t>(p.rate)},
               {"remaining_seconds", static_cast<std::int64_t>(remaining)}};
  // Progress is for display only: a lost write is replaced by the next one.
  if (auto s = ctx.services.fs->write_atomic(ctx.progress_path(), json::serialize(o)); !s)
    spdlog::info("update: progress not saved ({}); continuing", s.error().message);
}

// Tells the server how far the download has come at every tenth of it (DDI
// status.result.progress), so the back office can show it; a lost report is
// only logged, the next tenth brings a newer one.
void report_progress(UpdateContext& ctx, std::uint64_t done, std::uint64_t total, int& last_tenth) {
  const int tenth = total ? static_cast<int>(10 * done / total) : 10;
  if (tenth <= last_tenth) return;
  last_tenth = tenth;
  FeedbackMessage m{"proceeding",
                    "none",
                    {"downloaded " + std::to_string(tenth * 10) + "%"},
                    0,
                    static_cast<std::int64_t>(done),
                    static_cast<std::int64_t>(total)};
  auto s = ctx.services.ddi.feedback(ctx.record.action_id, m);
  ctx.note_delivery(s);
  if (!s) spdlog::info("update: progress not delivered ({}); continuing", s.error().message);
}
}  // namespace

// The policy's network rule: wait for a network, and for Wi-Fi or Ethernet
// when cellular data is forbidden or the update is larger than its limit.
static std::string network_hold(UpdateContext& ctx, std::uint64_t remaining) {
  if (!ctx.services.hardware.network) return "";
  auto n = ctx.services.hardware.network->network();
  if (!n) return "";
  if (n->kind == "offline") return "offline";
  if (n->kind != "cellular" || !ctx.hooks.policy) return "";
  const Policy p = ctx.hooks.policy();
  if (p.cellular == "forbidden") return "cellular";
  if (p.cellular == "limit" && remaining > std::uint64_t(p.cellular_limit_mb) * 1024 * 1024)
    return "cellular_limit:" + std::to_string((remaining + 1048575) / 1048576) + " MB";
  return "";
}

namespace {

// Ends the download for good, with the last attempt's reason and code.
Event give_up(UpdateContext& ctx, const std::string& why) {
  auto& r = ctx.record;
  const Error last{r.error_code ? static_cast<Code>(r.error_code) : Code::kUnavailable,
                   r.error.empty() ? "the server kept answering busy" : r.error,
                   {}};
  r.waiting.clear();
  return ctx.fail(
      make_error(last.code, "download given up after " + why + ": " + last.message +
                                ". Check that the release's files are on the server and reachable, "
                                "then deploy again"));
}

// A failed attempt: counted (unless the server was only busy), reported, and
// tried again after a backoff — or the last one allowed.
Event attempt_failed(UpdateContext& ctx, const PlannedArtifact& a, const Error& e) {
  auto& r = ctx.record;
  const Config& cfg = ctx.config;
  const bool busy = e.code == Code::kUnavailable;
  if (!busy) ++r.download_failures;
  r.error_code = static_cast<int>(e.code);
  r.error = "component " + a.name + ": " + e.message;
  if (r.download_failures >= cfg.download_max_failures)
    return give_up(ctx, std::to_string(r.download_failures) + " failed attempts (the limit)");
  // A busy server says when to come back (429/503 + Retry-After); other
  // trouble backs off exponentially. Up to half again on top, at random,
  // so terminals turned away together do not return together.
  const int asked = busy ? ctx.services.ddi.download_retry_after() : 0;
  const int doublings = std::clamp(r.download_failures - 1, 0, 5);
  const int base = asked > 0 ? asked : std::min(60, cfg.download_retry_seconds << doublings);
  thread_local std::minstd_rand rng(std::random_device{}());
  const int delay = base + std::uniform_int_distribution<int>(0, base / 2)(rng);
  // now() counts whole seconds: one more, so the retry never comes before
  // the Retry-After the server counted from the moment it answered.
  r.retry_at = ctx.now() + delay + 1;
  r.waiting = busy ? "server_busy"
                   : "download_retry:" + std::to_string(r.download_failures) + "/" +
                         std::to_string(cfg.download_max_failures);
  spdlog::warn("update: download of {} stopped: {}; retrying in {} s", a.filename, e.message,
               delay);
  ctx.progress_note("download failed (" + std::string(code_name(e.code)) + "): " + e.message +
                    "; attempt " + std::to_string(r.download_failures) + " of " +
                    std::to_string(cfg.download_max_failures) + ", next in " +
                    std::to_string(delay) + " s");
  return Event::kRetry;
}

}  // namespace

Event download(UpdateContext& ctx) {
  auto& r = ctx.record;
  const Config& cfg = ctx.config;
  const std::int64_t now = ctx.now();
  if (ctx.runtime.ended_on_server) return Event::kCanceled;  // timed out on the server: stop
  if (r.download_since > 0 && now - r.download_since >= std::int64_t{cfg.download_max_hours} * 3600)
    return give_up(ctx, std::to_string(cfg.download_max_hours) + " h (the limit)");
  if (r.retry_at > now)  // backing off: keeps polling, obeys a cancel
    return ctx.pause(static_cast<int>(
        std::min<std::int64_t>(r.retry_at - now, cfg.download_max_hours * 3600LL)));
  {
    std::uint64_t remaining = 0;
    for (const auto& a : r.artifacts) {
      if (a.delta.outcome == kDeltaApplied) continue;
      auto have = ctx.services.fs->size(fetch_path(ctx, a));
      remaining += a.fetch_length() - (have ? std::min<std::uint64_t>(*have, a.fetch_length()) : 0);
    }
    if (auto hold = network_hold(ctx, remaining); !hold.empty())
      return ctx.wait_for(hold, std::max(1, ctx.runtime.poll_seconds));
    r.waiting.clear();
  }
  if (auto s = ctx.services.fs->make_dirs(ctx.download_dir()); !s) return ctx.fail(s.error());
  if (r.download_since == 0)
    r.download_since = now;  // the first attempt: the clock of the bound starts
  std::uint64_t total = 0, before = 0;
  for (const auto& a : r.artifacts) total += a.fetch_length();
  if (r.resumes == 0 && r.retries == 0 && r.resumed_from == 0 && r.download_failures == 0)
    ctx.progress_note("downloading " + std::to_string(total) + " bytes");
  bool canceled = false;
  int reported_tenth = -1;
  auto should_stop = [&] {
    if (ctx.stopping) return true;
    return canceled = ctx.cancel_requested();  // polls at most every poll_seconds
  };
  const DownloadLimits limits{cfg.download_rate_limit, cfg.download_min_rate,
                              cfg.download_rate_window_seconds};
  for (auto& a : r.artifacts) {
    if (ctx.stopping) return Event::kRetry;
    auto fetch = [&](const std::string& href, const std::string& path, std::uint64_t length) {
      return ctx.services.ddi.download(
          href, path, length,
          [&](const DownloadProgress& p) {
            write_progress(ctx, a, p, before, total);
            report_progress(ctx, before + p.have, total, reported_tenth);
            fault::at_bytes("download", before + p.have);
          },
          limits, should_stop);
    };
    if (a.delta.outcome == kDeltaApplied) {  // made before a restart
      before += a.delta.length;
      continue;
    }
    if (a.delta.pending()) {
      auto got = fetch(a.delta.href, ctx.delta_part_path(a), a.delta.length);
      if (!got && got.error().code == Code::kCanceled)
        return canceled ? Event::kCanceled : Event::kRetry;
      std::string why;
      if (!got && (got.error().code == Code::kLengthMismatch || got.error().code == Code::kIo))
        why = "the patch could not be downloaded (" + got.error().message + ")";
      else if (!got)
        return attempt_failed(ctx, a, got.error());  // the network: tried again as for any file
      else
        why = make_from_delta(ctx, a);
      if (auto s = ctx.services.fs->remove(ctx.delta_part_path(a)); !s)
        spdlog::warn("update: cannot remove {}: {}", ctx.delta_part_path(a), s.error().message);
      if (why.empty()) {
        a.delta.outcome = kDeltaApplied;
        ctx.progress_note("delta: " + a.name + " made from a patch of " +
                          std::to_string(a.delta.length) + " bytes instead of " +
                          std::to_string(a.length));
        before += a.delta.length;
        continue;
      }
      // Not less safe than a full update: the full file, in this same step.
      a.delta.outcome = why;
      total += a.length - a.delta.length;
      spdlog::warn("update: patch for {} not used: {}; downloading the full file", a.name, why);
      ctx.progress_note("delta not used for " + a.name + ": " + why +
                        "; downloading the full file (" + std::to_string(a.length) + " bytes)");
      if (auto s = ctx.services.fs->remove(ctx.part_path(a)); !s)  // a half-made file
        return ctx.fail(s.error());
    }
    auto got = fetch(a.href, ctx.part_path(a), a.length);
    if (!got && got.error().code == Code::kCanceled)
      return canceled ? Event::kCanceled : Event::kRetry;
    if (!got && (got.error().code == Code::kLengthMismatch || got.error().code == Code::kIo)) {
      if (auto s = ctx.services.fs->remove(ctx.part_path(a));
          !s)  // the next attempt truncates it anyway
        spdlog::warn("update: cannot remove {}: {}", ctx.part_path(a), s.error().message);
      return ctx.fail(got.error().with_context("component " + a.name));
    }
    if (!got) return attempt_failed(ctx, a, got.error());
    if (got->resumed_from > 0) {
      r.resumed_from = std::max(r.resumed_from, got->resumed_from);
      spdlog::info("update: {} resumed from byte {}", a.filename, got->resumed_from);
    }
    before += a.length;
  }
  // The HTTP client never syncs: before the record moves on to "verify", the
  // files' data, their names and the download folder's own name must be on
  // disk, or a power cut leaves verify short or empty files and a good update
  // fails (powercut_test, good|state:verify). A cut before this point loses
  // only unsynced .part files, which the next attempt downloads again.
  for (const auto& a : r.artifacts)
    if (auto s = ctx.services.fs->sync_file(ctx.part_path(a)); !s) return ctx.fail(s.error());
  if (auto s = ctx.services.fs->sync_dir(ctx.download_dir()); !s) return ctx.fail(s.error());
  if (auto s = ctx.services.fs->sync_dir(ctx.config.device_dir); !s) return ctx.fail(s.error());
  r.error.clear();  // an earlier attempt's reason is not this update's result
  r.error_code = 0;
  r.waiting.clear();
  return Event::kDone;
}

}  // namespace posfleet::agent
