// posfleet server: the store's webhooks area: the webhooks operators configured (where rollout
// events go, in which message format) and the outbox of events waiting to be delivered to them.
// An outbox row is written in the transaction of the change that caused it (domain/webhooks.h)
// and delivered later by a background job (server/webhooks/delivery.h), so an event is sent only
// if its change committed, and a restart loses none. The rules (which kinds, backoff, when to give
// up) live in the domain and delivery code; this area only keeps rows. One part of store::Store
// (store.h).
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

struct WebhookRecord {
  std::int64_t id = 0;
  std::string name;           // unique, shown in lists and the audit log
  std::string url;            // http(s), checked by domain/webhooks before it is stored
  std::string format;         // json | dingtalk | wecom
  std::string events;         // comma-separated event kinds it receives
  std::string secret_sealed;  // SecretBox-sealed signing secret, "" for none
  std::int64_t created = 0;
  std::string created_by;
  // The last delivery attempt (0 / "" before the first): unix time, HTTP status (0 when no answer
  // came) and the error, already cleaned to a short line.
  std::int64_t last_time = 0;
  std::int64_t last_status = 0;
  std::string last_error;
};

enum class OutboxState { kPending, kDelivered, kAbandoned };

struct WebhookOutboxRecord {
  std::int64_t id = 0;
  std::int64_t webhook_id = 0;
  std::string kind;  // the event kind, e.g. rollout.paused
  std::string body;  // the request body, rendered in the webhook's format at enqueue time
  std::int64_t created = 0;
  std::int64_t attempts = 0;  // POSTs started (a claim counts one)
  std::int64_t next_try = 0;  // unix seconds; due when <= now while pending
  OutboxState state = OutboxState::kPending;
  std::int64_t last_status = 0;
  std::string last_error;
  std::int64_t finished = 0;  // when it was delivered or abandoned
};

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;
  // kConflict when a webhook of that name exists.
  virtual Expected<std::int64_t> insert_webhook(const WebhookRecord& w) = 0;
  virtual Expected<std::vector<WebhookRecord>> list_webhooks() = 0;  // by id
  virtual Expected<WebhookRecord> webhook(std::int64_t id) = 0;      // kNotFound
  // Deletes the webhook and every outbox row of it; false when there was none.
  virtual Expected<bool> delete_webhook(std::int64_t id) = 0;
  // Its secret sealed anew (rotate-secret-key); kNotFound when there is no such webhook.
  virtual Status set_webhook_secret(std::int64_t id, const std::string& secret_sealed) = 0;

  // Queues `row` (pending). When the webhook then has more than `max_pending` pending rows, the
  // oldest are abandoned ("dropped: outbox full") so that the newest events go out; returns how
  // many were dropped.
  virtual Expected<std::int64_t> enqueue_webhook_row(const WebhookOutboxRecord& row,
                                                     std::int64_t max_pending) = 0;
  // Pending rows with next_try <= now, oldest next_try first, at most `limit`.
  virtual Expected<std::vector<WebhookOutboxRecord>> due_webhook_rows(std::int64_t now,
                                                                      std::int64_t limit) = 0;
  // Takes a due row for one delivery attempt: attempts + 1 and next_try = `until` (when another
  // server may try it again if this one dies mid-POST), only if it is still pending with
  // `attempts` attempts. False when someone else took it or it is gone.
  virtual Expected<bool> claim_webhook_row(std::int64_t id, std::int64_t attempts,
                                           std::int64_t until) = 0;
  // Records an attempt's outcome on the row (kPending with the next try, or kDelivered /
  // kAbandoned at `now`) and as the webhook's last delivery.
  virtual Status finish_webhook_attempt(std::int64_t id, OutboxState state, std::int64_t next_try,
                                        std::int64_t status, const std::string& error,
                                        std::int64_t now) = 0;
  // Rows of a webhook, newest first, at most `limit` (tests, the CLI's view of one webhook).
  virtual Expected<std::vector<WebhookOutboxRecord>> webhook_rows(std::int64_t webhook_id,
                                                                  std::int64_t limit) = 0;
  // Deletes delivered and abandoned rows finished before `before`; returns how many.
  virtual Expected<std::int64_t> prune_webhook_rows(std::int64_t before) = 0;
};

// The SQL and JSON words of OutboxState, converted here only.
inline const char* to_string(OutboxState s) {
  switch (s) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kDelivered:
      return "delivered";
    case OutboxState::kAbandoned:
      return "abandoned";
  }
  return "pending";
}
inline OutboxState outbox_state_named(const std::string& s) {
  if (s == "delivered") return OutboxState::kDelivered;
  if (s == "abandoned") return OutboxState::kAbandoned;
  return OutboxState::kPending;
}

}  // namespace posfleet::store
