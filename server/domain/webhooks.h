// posfleet server: webhooks — operators are told when a rollout pauses by threshold, needs an
// approval, finishes, or is stopped by the kill switch. An event is written to an outbox in the
// same transaction as the change that caused it (so it is sent only if the change committed,
// and survives a restart); a background job delivers it to every webhook that asked for its
// kind, in the webhook's format: generic JSON, DingTalk (钉钉) or WeCom (企业微信) group-robot
// messages. docs/rollouts.md § Webhooks.
// Configuring webhooks is an administrator's change, audited; the signing secret is sealed with
// the server's SecretBox (secrets.h) and appears in no answer and no audit entry. A URL is
// http(s) only and bounded; plain http:// only to loopback unless posfleetd runs with
// --webhook-allow-http. Delivery, formats and the test send are in server/webhooks/.
// Thread-safety: stateless functions over the store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

// At most this many events wait per webhook; a new one beyond it abandons the oldest waiting
// ("dropped: …" on that row, and a warning in the log), so a receiver that is down for long
// neither fills the database nor gets a flood of stale news when it returns.
inline constexpr std::int64_t kMaxPendingPerWebhook = 1000;
inline constexpr std::size_t kWebhookUrlChars = 2048;
inline constexpr std::size_t kWebhookNameChars = 64;
inline constexpr std::size_t kWebhookSecretChars = 256;

struct WebhookSpec {
  std::string name, url, format;  // format: json | dingtalk | wecom
  std::vector<std::string> events;
  std::string secret;  // "" for none; kept sealed, never shown again
};

// kInvalidArgument saying what is wrong: not http(s), too long, spaces or control characters,
// user:password@ in it, no host, or plain http:// to a host that is not loopback (unless
// `allow_plain_http`).
Status check_webhook_url(const std::string& url, bool allow_plain_http);
// The URL as answers and the audit log show it: every query value cut to its first 4 characters
// and "…" (robot URLs carry their access token there).
std::string redact_url(const std::string& url);

// Admin: stores a webhook (audited "webhook.create" without the secret). kConflict when the
// name is taken; kWrongState when a secret is given but the server has no SecretBox.
Expected<store::WebhookRecord> create_webhook(Context& ctx, const WebhookSpec& spec,
                                              const Actor& who);
Expected<std::vector<store::WebhookRecord>> list_webhooks(Context& ctx);
// Admin: deletes a webhook and the events waiting for it (audited "webhook.delete").
Status delete_webhook(Context& ctx, std::int64_t id, const Actor& who, const std::string& reason);
// Queues a webhook.test event for this one webhook (audited), delivered like any event; the
// outbox row's id.
Expected<std::int64_t> queue_test_event(Context& ctx, std::int64_t id, const Actor& who);
// The webhook.test event (titles zh/en, the actor in its figures).
WebhookEvent test_event(const Actor& who, std::int64_t now);

}  // namespace posfleet::domain
