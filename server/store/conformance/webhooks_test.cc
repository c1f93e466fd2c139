// Store conformance: the webhooks area keeps webhooks by unique name, queues outbox rows, hands
// out due rows once per claim, records outcomes as the webhook's last delivery, keeps at most N
// pending rows per webhook, prunes finished ones, and deletes a webhook with its rows.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

WebhookRecord hook(const std::string& name) {
  WebhookRecord w;
  w.name = name;
  w.url = "https://hooks.example.com/" + name;
  w.format = "json";
  w.events = "rollout.paused,rollout.finished";
  w.secret_sealed = "s2.abc.sealed";
  w.created = 100;
  w.created_by = "alice";
  return w;
}

WebhookOutboxRecord row(std::int64_t webhook_id, std::int64_t created, std::int64_t next_try) {
  WebhookOutboxRecord r;
  r.webhook_id = webhook_id;
  r.kind = "rollout.paused";
  r.body = "{\"event\":\"rollout.paused\"}";
  r.created = created;
  r.next_try = next_try;
  return r;
}

TEST_P(WebhooksConformance, KeepsWebhooksByUniqueName) {
  auto a = store().insert_webhook(hook("ops"));
  ASSERT_TRUE(a) << a.error().to_string();
  auto dup = store().insert_webhook(hook("ops"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Code::kConflict);
  auto b = store().insert_webhook(hook("robot"));
  ASSERT_TRUE(b);
  auto all = store().list_webhooks();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "ops");
  EXPECT_EQ((*all)[0].events, "rollout.paused,rollout.finished");
  EXPECT_EQ((*all)[0].secret_sealed, "s2.abc.sealed");
  EXPECT_EQ((*all)[0].created_by, "alice");
  EXPECT_EQ((*all)[0].last_time, 0);
  EXPECT_EQ(store().webhook(*b)->name, "robot");
  EXPECT_EQ(store().webhook(999).error().code, Code::kNotFound);
}

TEST_P(WebhooksConformance, DueRowsAreClaimedOnceAndOutcomesRecorded) {
  const auto id = *store().insert_webhook(hook("ops"));
  ASSERT_TRUE(store().enqueue_webhook_row(row(id, 10, 10), 100));
  ASSERT_TRUE(store().enqueue_webhook_row(row(id, 11, 50), 100));
  auto due = store().due_webhook_rows(20, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  const auto r = (*due)[0];
  EXPECT_EQ(r.state, OutboxState::kPending);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(r.body, "{\"event\":\"rollout.paused\"}");
  EXPECT_TRUE(*store().claim_webhook_row(r.id, 0, 80));
  EXPECT_FALSE(*store().claim_webhook_row(r.id, 0, 80));  // taken already
  EXPECT_EQ(store().due_webhook_rows(20, 10)->size(), 0u);
  ASSERT_TRUE(store().finish_webhook_attempt(r.id, OutboxState::kPending, 30, 500, "HTTP 500", 21));
  auto again = store().due_webhook_rows(30, 10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].attempts, 1);
  EXPECT_EQ((*again)[0].last_status, 500);
  auto w = *store().webhook(id);
  EXPECT_EQ(w.last_time, 21);
  EXPECT_EQ(w.last_status, 500);
  EXPECT_EQ(w.last_error, "HTTP 500");
  ASSERT_TRUE(store().claim_webhook_row(r.id, 1, 90));
  ASSERT_TRUE(store().finish_webhook_attempt(r.id, OutboxState::kDelivered, 90, 200, "", 31));
  auto rows = *store().webhook_rows(id, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].state, OutboxState::kDelivered);  // newest first
  EXPECT_EQ(rows[1].finished, 31);
  EXPECT_EQ(rows[1].attempts, 2);
  // The later row is due in next_try order; finished rows prune after their time.
  EXPECT_EQ(store().due_webhook_rows(60, 10)->size(), 1u);
  EXPECT_EQ(*store().prune_webhook_rows(31), 0);
  EXPECT_EQ(*store().prune_webhook_rows(32), 1);
  EXPECT_EQ(store().webhook_rows(id, 10)->size(), 1u);
}

TEST_P(WebhooksConformance, PendingRowsAreCappedOldestFirst) {
  const auto id = *store().insert_webhook(hook("ops"));
  const auto other = *store().insert_webhook(hook("other"));
  ASSERT_TRUE(store().enqueue_webhook_row(row(other, 1, 1), 3));
  for (int i = 0; i < 5; ++i) {
    auto dropped = store().enqueue_webhook_row(row(id, 100 + i, 100 + i), 3);
    ASSERT_TRUE(dropped);
    EXPECT_EQ(*dropped, i < 3 ? 0 : 1);
  }
  auto rows = *store().webhook_rows(id, 10);
  ASSERT_EQ(rows.size(), 5u);
  for (const auto& r : rows)
    EXPECT_EQ(r.state, r.created >= 102 ? OutboxState::kPending : OutboxState::kAbandoned);
  EXPECT_EQ(store().webhook_rows(other, 10)->front().state, OutboxState::kPending);
}

TEST_P(WebhooksConformance, DeletingAWebhookDeletesItsRowsAndAFailedChangeQueuesNothing) {
  const auto id = *store().insert_webhook(hook("ops"));
  auto failed = store().transact([&](Tx& tx) -> Status {
    if (auto r = tx.enqueue_webhook_row(row(id, 1, 1), 10); !r) return r.error();
    return make_error(Code::kInternal, "the audit write failed");
  });
  EXPECT_FALSE(failed);
  EXPECT_TRUE(store().webhook_rows(id, 10)->empty());
  ASSERT_TRUE(store().enqueue_webhook_row(row(id, 1, 1), 10));
  EXPECT_TRUE(*store().delete_webhook(id));
  EXPECT_FALSE(*store().delete_webhook(id));
  EXPECT_TRUE(store().due_webhook_rows(100, 10)->empty());
  EXPECT_TRUE(store().list_webhooks()->empty());
}

TEST_P(WebhooksConformance, ASecretIsSealedAnewInPlace) {
  const auto id = *store().insert_webhook(hook("ops"));
  ASSERT_TRUE(store().set_webhook_secret(id, "sealed-with-the-new-key"));
  EXPECT_EQ(store().webhook(id)->secret_sealed, "sealed-with-the-new-key");
  EXPECT_EQ(store().set_webhook_secret(id + 1, "x").error().code, Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::store::conformance
