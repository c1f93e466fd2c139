// posfleet server: webhooks — operators are told when a rollout pauses by threshold, needs an
// approval, finishes, or is stopped by the kill switch. An event is written to an outbox in the
// same transaction as the change that caused it (so it is sent only if the change committed,
// and survives a restart); a background job delivers it to every webhook that asked for its
// kind, in the webhook's format: generic JSON, DingTalk (钉钉) or WeCom (企业微信) group-robot
// messages. docs/rollouts.md § Webhooks.
// Thread-safety: stateless functions over the store.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/store/store.h"

namespace posfleet::domain {

struct WebhookEvent {
  // rollout.paused | rollout.approval_needed | rollout.finished | rollout.stopped |
  // rollout.started | rollout.wave_started | deployment.timed_out
  std::string kind;
  std::int64_t rollout_id = 0;      // 0 when the event is about no one rollout
  std::string release;              // release version
  std::string title_zh, title_en;   // one line a person reads in the group chat
  std::string figures_json = "{}";  // what triggered it: counts, thresholds, reason, actor
  std::int64_t time = 0;            // unix seconds
};

// Inside the change that caused it: queues the event for every webhook subscribed to its kind
// (none configured: nothing to do).
Status enqueue_webhook_event(store::Tx& tx, const WebhookEvent& event);

}  // namespace posfleet::domain
