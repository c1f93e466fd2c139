#include "server/domain/timeouts.h"

#include <boost/json.hpp>

#include <map>
#include <utility>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/deployments.h"
#include "server/domain/phases.h"
#include "server/domain/webhooks.h"

namespace posfleet::domain {

namespace bj = boost::json;
using store::DeploymentPhase;

namespace {

std::string timeouts_text(const store::DeploymentTimeouts& t) {
  return json::serialize(bj::object{{"waiting_seconds", t.waiting_seconds},
                                    {"downloading_seconds", t.downloading_seconds},
                                    {"installing_seconds", t.installing_seconds}});
}

// The phases a sweep looks at, each with the limit that applies to it.
constexpr DeploymentPhase kSweptPhases[] = {
    DeploymentPhase::kScheduled, DeploymentPhase::kWaitingWindow, DeploymentPhase::kDownloading,
    DeploymentPhase::kInstalling};

}  // namespace

std::string duration_words(std::int64_t s) {
  if (s < 0) s = 0;
  auto part = [](std::int64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  if (s < 60) return part(s, "s", "s");
  if (s < 3600) return part(s / 60, "min", "min") + (s % 60 ? " " + part(s % 60, "s", "s") : "");
  if (s < 86400)
    return part(s / 3600, "h", "h") +
           (s % 3600 / 60 ? " " + part(s % 3600 / 60, "min", "min") : "");
  return part(s / 86400, "day", "days") +
         (s % 86400 / 3600 ? " " + part(s % 86400 / 3600, "h", "h") : "");
}

std::int64_t limit_for(const store::DeploymentTimeouts& t, DeploymentPhase p) {
  switch (p) {
    case DeploymentPhase::kScheduled:
    case DeploymentPhase::kWaitingWindow:
      return t.waiting_seconds;
    case DeploymentPhase::kDownloading:
      return t.downloading_seconds;
    case DeploymentPhase::kInstalling:
      return t.installing_seconds;
    default:
      return 0;
  }
}

Expected<store::DeploymentTimeouts> deployment_timeouts(Context& ctx) {
  return ctx.store.deployment_timeouts();
}

Expected<store::DeploymentTimeouts> set_deployment_timeouts(Context& ctx,
                                                            const store::DeploymentTimeouts& t,
                                                            const Actor& who,
                                                            const std::string& reason) {
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  for (const auto& [name, v] : {std::pair{"waiting_seconds", t.waiting_seconds},
                                {"downloading_seconds", t.downloading_seconds},
                                {"installing_seconds", t.installing_seconds}})
    if (v < 0 || v > kMaxTimeoutSeconds)
      return make_error(Code::kInvalidArgument, std::string(name) + " must be 0 (never) to " +
                                                    std::to_string(kMaxTimeoutSeconds) +
                                                    " (365 days); it is " + std::to_string(v));
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto before = tx.deployment_timeouts();
    if (!before) return before.error();
    if (auto w = tx.set_deployment_timeouts(t); !w) return w;
    return record_audit(tx, who, "fleet.timeouts", "fleet", timeouts_text(*before),
                        timeouts_text(t), reason);
  });
  if (!s) return s.error();
  return t;
}

namespace {

// One transaction: at most kTimeoutBatch deployments past their limit end as timed out, with
// their audit entry and webhook events. Adds what it ended to `out`; how many it ended.
Expected<std::int64_t> sweep_batch(Context& ctx, std::int64_t now, TimeoutSweep& out) {
  std::int64_t ended = 0;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto limits = tx.deployment_timeouts();
    if (!limits) return limits.error();
    std::vector<std::int64_t> ids;
    bj::object per_phase;
    // Per release and rollout: how many, for the webhook events.
    std::map<std::pair<std::int64_t, std::int64_t>, bj::array> groups;
    for (const auto phase : kSweptPhases) {
      const std::int64_t limit = limit_for(*limits, phase);
      const auto left = kTimeoutBatch - static_cast<std::int64_t>(ids.size());
      if (limit <= 0 || left <= 0) continue;
      auto stuck = tx.deployments_in_phase_before(phase, now - limit, left);
      if (!stuck) return stuck.error();
      if (stuck->empty()) continue;
      per_phase[store::to_string(phase)] = static_cast<std::int64_t>(stuck->size());
      for (auto d : *stuck) {
        const std::string last =
            d.message.empty() ? "none" : "\"" + text::safe_echo(d.message, 200) + "\"";
        d.message = std::string("timed out: no progress in phase ") + store::to_string(phase) +
                    " for " + duration_words(now - d.phase_since) + " (limit " +
                    duration_words(limit) + "); last feedback: " + last;
        d.status = store::DeploymentStatus::kFinished;
        d.result = store::DeploymentResult::kFailure;
        d.updated = now;
        move_phase(d, DeploymentPhase::kTimedOut, now);
        if (auto w = tx.update_deployment(d); !w) return w;
        ids.push_back(d.id);
        groups[{d.release_id, d.rollout_id}].push_back(d.id);
      }
    }
    if (ids.empty()) return ok_status();
    bj::array id_list;
    for (auto id : ids) id_list.push_back(id);
    const bj::object figures{{"count", static_cast<std::int64_t>(ids.size())},
                             {"phases", per_phase},
                             {"limits", *json::parse(timeouts_text(*limits))},
                             {"ids", id_list}};
    if (auto a = record_audit(tx, kSystemActor, "deployment.timed_out", "deployments", "",
                              json::serialize(figures),
                              "no progress for longer than the fleet's limit of their phase");
        !a)
      return a;
    for (const auto& [key, group_ids] : groups) {
      const auto n = static_cast<std::int64_t>(group_ids.size());
      auto r = tx.release_by_id(key.first);
      if (!r) return r.error();
      WebhookEvent e;
      e.kind = "deployment.timed_out";
      e.rollout_id = key.second;
      e.release = r->version;
      e.title_zh = std::to_string(n) + " 台终端的更新 " + r->version + " 超时未完成";
      e.title_en = std::to_string(n) + " deployment(s) of " + r->version +
                   " timed out (no progress for longer than their phase's limit)";
      e.figures_json = json::serialize(bj::object{{"count", n}, {"ids", group_ids}});
      e.time = now;
      if (auto w = enqueue_webhook_event(tx, e); !w) return w;
    }
    ended = static_cast<std::int64_t>(ids.size());
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
    return ok_status();
  });
  if (!s) return s.error();
  out.timed_out += ended;
  return ended;
}

}  // namespace

Expected<TimeoutSweep> time_out_stuck(Context& ctx, std::int64_t now) {
  TimeoutSweep out;
  // Batches keep each transaction short (other writers wait for it); a sweep goes on until a
  // batch comes back short.
  for (;;) {
    auto n = sweep_batch(ctx, now, out);
    if (!n) return n.error();
    if (*n < kTimeoutBatch) break;
  }
  return out;
}

Status time_out_stuck(Context& ctx) {
  auto s = time_out_stuck(ctx, unix_now());
  if (!s) return s.error();
  return ok_status();
}

}  // namespace posfleet::domain
