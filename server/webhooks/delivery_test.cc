// Webhook delivery over real SQLite with a scripted Poster and times the test chooses: events are
// queued only with their change and only for webhooks that asked; failures are retried with
// exponential backoff and given up when they will not heal or after a day; a robot with a secret
// gets DingTalk's signed URL; the outbox stays bounded.
#include "server/webhooks/delivery.h"

#include <gtest/gtest.h>

#include <deque>

#include "core/testing/temp_dir.h"
#include "server/domain/audit.h"
#include "server/domain/secrets.h"
#include "server/domain/webhooks.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/webhooks/formats.h"

namespace posfleet::webhooks {
namespace {

// Answers each POST with the next scripted result (200 once the script is used up).
class ScriptedPoster final : public Poster {
 public:
  std::deque<PostResult> script;
  std::vector<PostRequest> seen;
  std::vector<PostResult> post_all(const std::vector<PostRequest>& requests) override {
    std::vector<PostResult> out;
    for (const auto& r : requests) {
      seen.push_back(r);
      if (script.empty()) {
        out.push_back({200, R"({"errcode":0})", ""});
      } else {
        out.push_back(script.front());
        script.pop_front();
      }
    }
    return out;
  }
};

class WebhookDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    box_ = std::make_unique<domain::SecretBox>(*domain::SecretBox::open(dir_.file("secret.key")));
    ctx_ = std::make_unique<domain::Context>(
        domain::Context{.store = *store_, .artifacts = *artifacts_, .secrets = box_.get()});
    ctx_->webhook_poster = &poster_;
  }
  std::int64_t add(const std::string& name, const std::string& format,
                   std::vector<std::string> events, const std::string& secret = "") {
    auto w = domain::create_webhook(
        *ctx_,
        {name, "https://hooks.example.com/" + name + "?access_token=tok123456", format,
         std::move(events), secret},
        admin_);
    EXPECT_TRUE(w) << w.error().message;
    return w ? w->id : 0;
  }
  Status event(const std::string& kind, std::int64_t time) {
    return ctx_->store.transact([&](store::Tx& tx) {
      domain::WebhookEvent e;
      e.kind = kind;
      e.rollout_id = 3;
      e.release = "2.0.0";
      e.title_zh = "测试";
      e.title_en = "test";
      e.time = time;
      return domain::enqueue_webhook_event(tx, e);
    });
  }
  std::vector<store::WebhookOutboxRecord> rows(std::int64_t id) {
    return *store_->webhook_rows(id, 2000);
  }

  posfleet::testing::TempDir dir_{"posfleet_webhook_delivery"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<domain::SecretBox> box_;
  std::unique_ptr<domain::Context> ctx_;
  ScriptedPoster poster_;
  const domain::Actor admin_{"admin", "user", "api"};
  const std::int64_t t0_ = 1795000000;
};

TEST_F(WebhookDeliveryTest, AnEventIsQueuedWithItsChangeForTheWebhooksThatAskedOnly) {
  const auto ops = add("ops", "json", {"rollout.paused", "rollout.finished"});
  const auto quiet = add("quiet", "wecom", {"rollout.finished"});
  ASSERT_TRUE(event("rollout.paused", t0_));
  EXPECT_EQ(rows(ops).size(), 1u);
  EXPECT_EQ(rows(quiet).size(), 0u);
  // A change that fails takes its event with it.
  auto failed = ctx_->store.transact([&](store::Tx& tx) -> Status {
    domain::WebhookEvent e;
    e.kind = "rollout.finished";
    e.time = t0_;
    if (auto s = domain::enqueue_webhook_event(tx, e); !s) return s;
    return make_error(Code::kInternal, "the audit write failed");
  });
  EXPECT_FALSE(failed);
  EXPECT_EQ(rows(ops).size(), 1u);
  EXPECT_EQ(rows(quiet).size(), 0u);

  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_));
  ASSERT_EQ(poster_.seen.size(), 1u);
  EXPECT_EQ(poster_.seen[0].url, "https://hooks.example.com/ops?access_token=tok123456");
  EXPECT_NE(poster_.seen[0].body.find(R"("event":"rollout.paused")"), std::string::npos);
  auto r = rows(ops);
  EXPECT_EQ(r[0].state, store::OutboxState::kDelivered);
  EXPECT_EQ(r[0].attempts, 1);
  auto w = *store_->webhook(ops);
  EXPECT_EQ(w.last_status, 200);
  EXPECT_EQ(w.last_time, t0_);
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_ + 100));
  EXPECT_EQ(poster_.seen.size(), 1u);  // delivered once
}

TEST_F(WebhookDeliveryTest, AFailureIsRetriedWithBackoffUntilItIsTaken) {
  const auto id = add("ops", "json", {"rollout.paused"});
  ASSERT_TRUE(event("rollout.paused", t0_));
  poster_.script = {{500, "", ""}, {0, "", "no answer within 10 s"}};
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_));
  auto r = rows(id)[0];
  EXPECT_EQ(r.state, store::OutboxState::kPending);
  EXPECT_EQ(r.next_try, t0_ + 10);
  EXPECT_EQ(r.last_status, 500);
  EXPECT_NE(store_->webhook(id)->last_error.find("HTTP 500"), std::string::npos);
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_ + 9));  // not due yet
  EXPECT_EQ(poster_.seen.size(), 1u);
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_ + 10));
  EXPECT_EQ(poster_.seen.size(), 2u);
  r = rows(id)[0];
  EXPECT_EQ(r.next_try, t0_ + 10 + 20);  // doubled
  EXPECT_NE(r.last_error.find("no answer"), std::string::npos);
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_ + 30));
  r = rows(id)[0];
  EXPECT_EQ(r.state, store::OutboxState::kDelivered);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(store_->webhook(id)->last_error, "");
}

TEST_F(WebhookDeliveryTest, BackoffDoublesToAnHourAndGivesUpAfterADay) {
  EXPECT_EQ(retry_delay(1, 10), 10);
  EXPECT_EQ(retry_delay(2, 10), 20);
  EXPECT_EQ(retry_delay(5, 10), 160);
  EXPECT_EQ(retry_delay(9, 10), 2560);
  EXPECT_EQ(retry_delay(10, 10), 3600);
  EXPECT_EQ(retry_delay(60, 10), 3600);
  const auto id = add("down", "json", {"rollout.stopped"});
  ASSERT_TRUE(event("rollout.stopped", t0_));
  for (int i = 0; i < 100; ++i) poster_.script.push_back({503, "", ""});
  std::int64_t now = t0_;
  int runs = 0;
  while (rows(id)[0].state == store::OutboxState::kPending && runs < 100) {
    now = std::max(now, rows(id)[0].next_try);
    ASSERT_TRUE(deliver_due(*ctx_, poster_, now));
    ++runs;
  }
  auto r = rows(id)[0];
  EXPECT_EQ(r.state, store::OutboxState::kAbandoned);
  EXPECT_GE(now - t0_, 24 * 3600);
  EXPECT_LT(now - t0_, 26 * 3600);
  EXPECT_NE(r.last_error.find("given up after"), std::string::npos) << r.last_error;
  EXPECT_EQ(r.attempts, runs);
}

TEST_F(WebhookDeliveryTest, AnAnswerThatWillNotChangeIsGivenUpAtOnce) {
  const auto hook = add("robot", "wecom", {"rollout.finished"});
  const auto gone = add("gone", "json", {"rollout.finished"});
  ASSERT_TRUE(event("rollout.finished", t0_));
  poster_.script = {{200, R"({"errcode":93000,"errmsg":"invalid webhook url"})", ""},
                    {404, "<html>not here</html>", ""}};
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_));
  EXPECT_EQ(rows(hook)[0].state, store::OutboxState::kAbandoned);
  EXPECT_NE(rows(hook)[0].last_error.find("93000"), std::string::npos);
  EXPECT_EQ(rows(gone)[0].state, store::OutboxState::kAbandoned);
  EXPECT_EQ(rows(gone)[0].last_error.find("<html>"), std::string::npos);
}

TEST_F(WebhookDeliveryTest, ADingTalkRobotWithASecretGetsTheSignedUrl) {
  const auto id = add("dt", "dingtalk", {"rollout.approval_needed"}, "SECabc");
  EXPECT_NE(store_->webhook(id)->secret_sealed.find("s2."), std::string::npos);  // sealed
  EXPECT_EQ(store_->webhook(id)->secret_sealed.find("SECabc"), std::string::npos);
  ASSERT_TRUE(event("rollout.approval_needed", t0_));
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_));
  ASSERT_EQ(poster_.seen.size(), 1u);
  const std::string& url = poster_.seen[0].url;
  const auto ts_at = url.find("&timestamp=");
  ASSERT_NE(ts_at, std::string::npos) << url;
  const auto sign_at = url.find("&sign=");
  const std::int64_t ts = std::stoll(url.substr(ts_at + 11, sign_at - ts_at - 11));
  EXPECT_EQ(ts / 1000, t0_);
  EXPECT_EQ(url.substr(sign_at + 6), url_encode(dingtalk_sign("SECabc", ts)));
  // No answer, no audit entry carries the secret.
  auto audit = store_->audit_entries(0, 100);
  ASSERT_TRUE(audit);
  for (const auto& e : *audit) {
    EXPECT_EQ(e.after.find("SECabc"), std::string::npos);
    EXPECT_EQ(e.after.find("tok123456"), std::string::npos);  // the URL's token is cut
  }
}

TEST_F(WebhookDeliveryTest, TheOutboxKeepsTheNewestEventsPerWebhook) {
  const auto id = add("slow", "json", {"deployment.timed_out"});
  for (std::int64_t i = 0; i < domain::kMaxPendingPerWebhook + 3; ++i)
    ASSERT_TRUE(event("deployment.timed_out", t0_ + i));
  auto all = rows(id);
  std::int64_t pending = 0, dropped = 0;
  for (const auto& r : all) {
    pending += r.state == store::OutboxState::kPending;
    if (r.state == store::OutboxState::kAbandoned) {
      ++dropped;
      EXPECT_NE(r.last_error.find("dropped"), std::string::npos);
      EXPECT_LT(r.created, t0_ + 3);  // the oldest went
    }
  }
  EXPECT_EQ(pending, domain::kMaxPendingPerWebhook);
  EXPECT_EQ(dropped, 3);
  // Finished rows are pruned after a week.
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_ + 8 * 24 * 3600));
  for (const auto& r : rows(id)) EXPECT_NE(r.state, store::OutboxState::kAbandoned);
}

TEST_F(WebhookDeliveryTest, ARowAnotherServerClaimedIsNotSentTwice) {
  const auto id = add("ops", "json", {"rollout.paused"});
  ASSERT_TRUE(event("rollout.paused", t0_));
  const auto row = rows(id)[0];
  ASSERT_TRUE(*store_->claim_webhook_row(row.id, 0, t0_ + 60));  // the other server, mid-POST
  EXPECT_FALSE(*store_->claim_webhook_row(row.id, 0, t0_ + 60));
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_ + 1));
  EXPECT_TRUE(poster_.seen.empty());
  // It died: the row is due again when its claim runs out, and sent once.
  ASSERT_TRUE(deliver_due(*ctx_, poster_, t0_ + 60));
  EXPECT_EQ(poster_.seen.size(), 1u);
  EXPECT_EQ(rows(id)[0].attempts, 2);
}

TEST_F(WebhookDeliveryTest, UrlsAreCheckedAndRedacted) {
  using domain::check_webhook_url;
  EXPECT_TRUE(check_webhook_url("https://oapi.dingtalk.com/robot/send?access_token=x", false));
  EXPECT_TRUE(check_webhook_url("http://127.0.0.1:9000/hook", false));
  EXPECT_TRUE(check_webhook_url("http://localhost/hook", false));
  EXPECT_TRUE(check_webhook_url("http://[::1]:8/hook", false));
  auto plain = check_webhook_url("http://hooks.example.com/x", false);
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.error().message.find("--webhook-allow-http"), std::string::npos);
  EXPECT_TRUE(check_webhook_url("http://hooks.example.com/x", true));
  EXPECT_FALSE(check_webhook_url("http://127.0.0.1.evil.com/x", false));
  EXPECT_FALSE(check_webhook_url("ftp://example.com/x", false));
  EXPECT_FALSE(check_webhook_url("file:///etc/passwd", false));
  EXPECT_FALSE(check_webhook_url("https://user:pw@example.com/x", false));
  EXPECT_FALSE(check_webhook_url("https://example.com/a b", false));
  EXPECT_FALSE(check_webhook_url("https://example.com/" + std::string(3000, 'a'), false));
  EXPECT_FALSE(check_webhook_url("not a url", false));
  EXPECT_EQ(domain::redact_url("https://h/robot/send?access_token=abcdefgh&x=1"),
            "https://h/robot/send?access_token=abcd…&x=…");
  EXPECT_EQ(domain::redact_url("https://h/p"), "https://h/p");
}

TEST_F(WebhookDeliveryTest, CreationRefusesWhatCannotWork) {
  auto bad_event =
      domain::create_webhook(*ctx_, {"a", "https://h/x", "json", {"rollout.exploded"}, ""}, admin_);
  EXPECT_EQ(bad_event.error().code, Code::kInvalidArgument);
  auto no_events = domain::create_webhook(*ctx_, {"a", "https://h/x", "json", {}, ""}, admin_);
  EXPECT_EQ(no_events.error().code, Code::kInvalidArgument);
  auto wecom_secret =
      domain::create_webhook(*ctx_, {"a", "https://h/x", "wecom", {"rollout.paused"}, "s"}, admin_);
  EXPECT_EQ(wecom_secret.error().code, Code::kInvalidArgument);
  add("a", "json", {"rollout.paused"});
  auto twice =
      domain::create_webhook(*ctx_, {"a", "https://h/y", "json", {"rollout.paused"}, ""}, admin_);
  EXPECT_EQ(twice.error().code, Code::kConflict);
  EXPECT_EQ(domain::delete_webhook(*ctx_, 999, admin_, "").error().code, Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::webhooks
