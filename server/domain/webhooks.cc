// Placeholder until the webhooks area lands: no webhook can be configured yet, so an event
// reaches no one. Replaced by the outbox (issue 13, webhooks).
#include "server/domain/webhooks.h"

namespace posfleet::domain {

Status enqueue_webhook_event(store::Tx& tx, const WebhookEvent& event) {
  (void)tx;
  (void)event;
  return ok_status();
}

}  // namespace posfleet::domain
