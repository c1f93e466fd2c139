// Changes to people, tickets and applications commit whole or not at all:
// with one table refusing writes (a full disk, a broken database), an
// approval, a user change or a ticket leaves nothing behind; and limits that
// count then insert hold when requests arrive at the same moment.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "core/clock.h"
#include "core/limits.h"
#include "core/testing/temp_dir.h"
#include "server/domain/accounts.h"
#include "server/domain/audit.h"
#include "server/domain/identity_verifier.h"
#include "server/domain/onboarding.h"
#include "server/domain/secrets.h"
#include "server/domain/sms.h"
#include "server/domain/support.h"
#include "server/domain/terminals.h"
#include "server/domain/tokens.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/store/sqlite/testing/fail_writes.h"

namespace posfleet::domain {
namespace {

using store::testing::allow_writes_to;
using store::testing::fail_writes_to;

class FailingSms final : public SmsSender {
 public:
  Status send(const std::string&, const std::string&) override {
    ++tries;
    return make_error(Code::kIo, "gateway down");
  }
  std::atomic<int> tries{0};
};

class PeopleChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(db()));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    secrets_ = std::make_unique<SecretBox>(*SecretBox::open(dir_.file("secret.key")));
    sms_ = std::make_unique<OutboxSmsSender>(dir_.file("sms-outbox.jsonl"));
    ctx_ = std::make_unique<Context>(Context{.store = *store_,
                                             .artifacts = *artifacts_,
                                             .data_dir = dir_.path(),
                                             .sms = sms_.get(),
                                             .secrets = secrets_.get(),
                                             .verifier = &verifier_});
  }
  std::string db() { return dir_.file("posfleet.db"); }

  std::int64_t application(const std::string& address = "上海市浦东新区世纪大道 100 号") {
    store::ApplicationRecord a;
    a.address = address;
    a.number = "PA" + std::to_string(++numbers_);
    a.kind = "individual";
    a.legal_name = "张三";
    a.resident_id_enc = secrets_->seal("11010119900307" + std::to_string(4470 + numbers_));
    a.resident_id_index = secrets_->index(a.number);
    a.resident_id_masked = "1101**********4471";
    a.phone = "13800138000";
    a.card_enc = secrets_->seal("6222020200112233445");
    a.model = "A920";
    a.created = a.updated = unix_now();
    auto id = store_->insert_application(a);
    EXPECT_TRUE(id) << id.error().to_string();
    return *id;
  }
  std::int64_t merchants() {
    return static_cast<std::int64_t>(store_->merchants_after(0, 100)->size());
  }
  std::size_t audit_entries() { return store_->audit_entries(0, 10000)->size(); }

  posfleet::testing::TempDir dir_{"posfleet_people_changes"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<SecretBox> secrets_;
  std::unique_ptr<OutboxSmsSender> sms_;
  FormatOnlyVerifier verifier_;
  std::unique_ptr<Context> ctx_;
  int numbers_ = 0;
  const Actor admin_{"root", "user", "console"};
};

TEST_F(PeopleChangesTest, AnApprovalThatFailsAnywhereLeavesNothingBehind) {
  // The audit log refuses (the last write of an approval), the activation
  // codes do (after the merchant and a terminal were written), or the terminals do.
  for (const char* table : {"audit_log", "activations", "terminals"}) {
    SCOPED_TRACE(table);
    const auto id = application();
    const auto entries = audit_entries();
    const auto merchants_before = merchants();
    const std::string serial = std::string("T-") + table;
    ASSERT_TRUE(fail_writes_to(db(), table));
    auto refused =
        approve_application(*ctx_, id, {serial, serial + "-2"}, "documents complete", admin_);
    ASSERT_TRUE(allow_writes_to(db(), table));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("injected failure"), std::string::npos)
        << refused.error().to_string();
    EXPECT_EQ(merchants(), merchants_before);
    EXPECT_FALSE(store_->terminal_by_serial(ctx_->tenant, serial));
    EXPECT_FALSE(store_->terminal_by_serial(ctx_->tenant, serial + "-2"));
    EXPECT_TRUE(store_->activations_of(id)->empty());
    EXPECT_EQ(store_->application(id)->status, "submitted");
    EXPECT_EQ(audit_entries(), entries);
    // Nothing was left to clean up: the same approval now goes through whole.
    auto approved =
        approve_application(*ctx_, id, {serial, serial + "-2"}, "documents complete", admin_);
    ASSERT_TRUE(approved) << approved.error().to_string();
    EXPECT_EQ(approved->codes.size(), 2u);
    const auto a = *store_->application(id);
    EXPECT_EQ(a.status, "approved");
    EXPECT_EQ(store_->terminal_by_serial(ctx_->tenant, serial)->merchant_id, a.merchant_id);
    EXPECT_EQ(store_->activations_of(id)->size(), 2u);
    EXPECT_EQ(merchants(), merchants_before + 1);
    EXPECT_EQ(audit_entries(), entries + 4);  // merchant.create, merchant.link ×2, approve
  }
}

TEST_F(PeopleChangesTest, AnApprovedApplicationIsInTheWrongStateForASecondApproval) {
  const auto id = application();
  ASSERT_TRUE(approve_application(*ctx_, id, {"W1"}, "ok", admin_));
  auto again = approve_application(*ctx_, id, {"W2"}, "ok", admin_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kWrongState);
  EXPECT_FALSE(store_->terminal_by_serial(ctx_->tenant, "W2"));
}

TEST_F(PeopleChangesTest, AnApprovedMerchantInUrumqiReadsItsWindowsInUrumqisZone) {
  const auto id = application("新疆乌鲁木齐市天山区解放北路 1 号");
  auto approved = approve_application(*ctx_, id, {"U1"}, "ok", admin_);
  ASSERT_TRUE(approved) << approved.error().to_string();
  EXPECT_EQ(*store_->merchant_time_zone(approved->record.merchant_id), "Asia/Urumqi");
  // One in Shanghai keeps the fleet's zone.
  const auto other = application();
  auto b = approve_application(*ctx_, other, {"U2"}, "ok", admin_);
  ASSERT_TRUE(b);
  EXPECT_EQ(*store_->merchant_time_zone(b->record.merchant_id), "");
}

TEST_F(PeopleChangesTest, TwoReviewersApprovingAtOnceMakeOneMerchant) {
  for (int round = 0; round < 5; ++round) {
    const auto id = application();
    const auto before = merchants();
    std::atomic<int> ok{0};
    std::vector<std::thread> reviewers;
    for (int r = 0; r < 2; ++r)
      reviewers.emplace_back([&, r] {
        auto a = approve_application(
            *ctx_, id, {"R" + std::to_string(round) + "-" + std::to_string(r)}, "ok", admin_);
        if (a)
          ++ok;
        else
          EXPECT_TRUE(a.error().code == Code::kWrongState || a.error().code == Code::kConflict)
              << a.error().to_string();
      });
    for (auto& t : reviewers) t.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(merchants(), before + 1);
  }
}

TEST_F(PeopleChangesTest, AnSmsThatCannotBeSentDoesNotUndoTheApproval) {
  FailingSms down;
  ctx_->sms = &down;
  const auto id = application();
  auto approved = approve_application(*ctx_, id, {"S1"}, "ok", admin_);
  ASSERT_TRUE(approved) << approved.error().to_string();
  EXPECT_EQ(down.tries.load(), 1);  // tried, logged; the applicant sees the status page
  EXPECT_EQ(store_->application(id)->status, "approved");
}

TEST_F(PeopleChangesTest, AUserChangeThatCannotBeAuditedLeavesNothing) {
  ASSERT_TRUE(create_user(*ctx_, "ann", Role::kAdmin, "ann-password", admin_));
  ASSERT_TRUE(create_user(*ctx_, "ben", Role::kAdmin, "ben-password", admin_));
  auto ben = *store_->user_by_name("ben");
  ASSERT_TRUE(store_->insert_session({"ben-session", ben.id, "csrf", unix_now(), unix_now()}));
  const auto entries = audit_entries();

  ASSERT_TRUE(fail_writes_to(db(), "audit_log"));
  auto changed = change_user(*ctx_, "ben", Role::kAuditor, true, "a-new-password", admin_);
  auto created = create_user(*ctx_, "cat", Role::kSupport, "cat-password", admin_);
  ASSERT_TRUE(allow_writes_to(db(), "audit_log"));
  ASSERT_FALSE(changed);
  ASSERT_FALSE(created);

  auto still = *store_->user_by_name("ben");
  EXPECT_EQ(still.role, "admin");
  EXPECT_FALSE(still.disabled);
  EXPECT_EQ(still.password_hash, ben.password_hash);
  EXPECT_TRUE(store_->session("ben-session"));  // the sessions did not end either
  EXPECT_FALSE(store_->user_by_name("cat"));
  EXPECT_EQ(audit_entries(), entries);
}

TEST_F(PeopleChangesTest, TwoAdministratorsDisablingEachOtherLeaveOneActive) {
  for (int round = 0; round < 5; ++round) {
    const std::string a = "a" + std::to_string(round), b = "b" + std::to_string(round);
    ASSERT_TRUE(create_user(*ctx_, a, Role::kAdmin, "password-123", admin_));
    ASSERT_TRUE(create_user(*ctx_, b, Role::kAdmin, "password-123", admin_));
    // Only these two are active administrators.
    const auto users = *store_->list_users();
    for (const auto& u : users)
      if (u.name != a && u.name != b && !u.disabled) {
        ASSERT_TRUE(change_user(*ctx_, u.name, std::nullopt, true, "", admin_));
      }
    std::thread one([&] { (void)change_user(*ctx_, a, std::nullopt, true, "", admin_); });
    std::thread two([&] { (void)change_user(*ctx_, b, std::nullopt, true, "", admin_); });
    one.join();
    two.join();
    int active = 0;
    const auto after = *store_->list_users();
    for (const auto& u : after) active += u.role == "admin" && !u.disabled;
    EXPECT_EQ(active, 1);
  }
}

TEST_F(PeopleChangesTest, ATicketThatCannotBeAuditedOrNotifiedLeavesNothing) {
  auto t = register_terminal(*ctx_, "PT1", "A920");
  ASSERT_TRUE(t);
  for (const char* table : {"audit_log", "notifications"}) {
    SCOPED_TRACE(table);
    ASSERT_TRUE(fail_writes_to(db(), table));
    auto refused = open_ticket(*ctx_, t->record, "the printer jams", "1.0.0");
    ASSERT_TRUE(allow_writes_to(db(), table));
    ASSERT_FALSE(refused);
    EXPECT_TRUE(store_->tickets_of_terminal(t->record.id, 10)->empty());
    EXPECT_TRUE(store_->notifications(t->record.id, 0, 10)->empty());
  }
  auto opened = open_ticket(*ctx_, t->record, "the printer jams", "1.0.0");
  ASSERT_TRUE(opened) << opened.error().to_string();
  EXPECT_EQ(store_->notifications(t->record.id, 0, 10)->size(), 1u);
}

TEST_F(PeopleChangesTest, TicketsOpenedAtOnceCannotPassTheDailyCap) {
  auto t = register_terminal(*ctx_, "PT2", "A920");
  ASSERT_TRUE(t);
  const int tries = 2 * static_cast<int>(limits::kTicketsPerDay);
  // All but one of today's tickets exist; the rest arrive at the same moment.
  const auto now = unix_now();
  for (std::size_t i = 0; i + 1 < limits::kTicketsPerDay; ++i)
    ASSERT_TRUE(store_->insert_ticket(
        {0, t->record.id, "PT2", "1.0.0", "{}", "old", "open", "", now, now}));
  std::atomic<int> opened{static_cast<int>(limits::kTicketsPerDay) - 1}, capped{0};
  std::vector<std::thread> threads;
  // Another writer holds the database while the tickets arrive, so every one
  // of them has looked at the count before any can write: a count read
  // outside the ticket's transaction would let them all through.
  ASSERT_TRUE(store_->transact([&](store::Tx&) -> Status {
    for (int i = 0; i < tries; ++i)
      threads.emplace_back([&] {
        auto r = open_ticket(*ctx_, t->record, "help", "1.0.0");
        if (r)
          ++opened;
        else if (r.error().code == Code::kTooManyRequests)
          ++capped;
        else
          ADD_FAILURE() << r.error().to_string();
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return ok_status();
  }));
  for (auto& th : threads) th.join();
  EXPECT_EQ(opened.load(), static_cast<int>(limits::kTicketsPerDay));
  EXPECT_EQ(capped.load(), tries - 1);
  EXPECT_EQ(store_->tickets_of_terminal(t->record.id, 1000)->size(), limits::kTicketsPerDay);
}

TEST_F(PeopleChangesTest, AClosedTicketIsInTheWrongStateAndAFailedCloseLeavesItOpen) {
  auto t = register_terminal(*ctx_, "PT3", "A920");
  ASSERT_TRUE(t);
  auto ticket = open_ticket(*ctx_, t->record, "help", "1.0.0");
  ASSERT_TRUE(ticket);
  const Actor amy{"amy", "support", "support"};
  ASSERT_TRUE(fail_writes_to(db(), "audit_log"));
  auto refused = close_ticket(*ctx_, ticket->id, "fixed", amy);
  ASSERT_TRUE(allow_writes_to(db(), "audit_log"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(store_->ticket(ticket->id)->status, "open");
  EXPECT_TRUE(store_->ticket_notes(ticket->id)->empty());
  ASSERT_TRUE(close_ticket(*ctx_, ticket->id, "fixed", amy));
  EXPECT_EQ(close_ticket(*ctx_, ticket->id, "again", amy).error().code, Code::kWrongState);
}

TEST_F(PeopleChangesTest, AnEnrolmentRefusalThatCannotBeAuditedFailsAndAUsedCodeIsGone) {
  const auto id = application();
  auto approved = approve_application(*ctx_, id, {"E1"}, "ok", admin_);
  ASSERT_TRUE(approved);
  const std::string code = approved->codes.front().second;
  ASSERT_TRUE(fail_writes_to(db(), "audit_log"));
  auto unaudited = enroll_terminal(*ctx_, "ZZZZ-ZZZZ-ZZZZ", "E1", "A920", "10.0.0.1");
  auto enrolled_unaudited = enroll_terminal(*ctx_, code, "E1", "A920", "10.0.0.1");
  ASSERT_TRUE(allow_writes_to(db(), "audit_log"));
  ASSERT_FALSE(unaudited);
  EXPECT_NE(unaudited.error().message.find("injected failure"), std::string::npos);
  ASSERT_FALSE(enrolled_unaudited);  // and the code was not spent
  auto enrolled = enroll_terminal(*ctx_, code, "E1", "A920", "10.0.0.1");
  ASSERT_TRUE(enrolled) << enrolled.error().to_string();
  EXPECT_EQ(store_->application(id)->status, "activated");
  auto again = enroll_terminal(*ctx_, code, "E1", "A920", "10.0.0.1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kGone);
}

TEST_F(PeopleChangesTest, AVerificationCodeThatCannotBeSentLeavesNoOpenVerification) {
  ASSERT_TRUE(register_terminal(*ctx_, "PV1", "A920"));
  auto m = create_merchant(*ctx_, "张三", "13800138000", "110101199003074471", admin_);
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_TRUE(link_terminal(*ctx_, m->id, "PV1", admin_));
  FailingSms down;
  ctx_->sms = &down;
  const Actor amy{"amy", "support", "support"};
  auto v = start_verification(*ctx_, "PV1", "张三", "4471", amy);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Code::kUnavailable);
  EXPECT_EQ(down.tries.load(), 1);
  auto log = *store_->audit_entries(0, 1000);
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().action, "support.verify.refused");
  EXPECT_EQ(log.back().reason, "the SMS could not be sent");
  EXPECT_EQ(store_->verification(1)->status, "failed");
}

TEST(PeopleWords, RolesAndStatusesRoundTripThroughTheirNames) {
  for (Role r : {Role::kAdmin, Role::kReleaseManager, Role::kSupport, Role::kAuditor})
    EXPECT_EQ(parse_role(to_string(r)), r);
  EXPECT_FALSE(parse_role("Admin"));
  EXPECT_EQ(role_named("root").error().code, Code::kInvalidArgument);
  for (auto s :
       {ApplicationStatus::kSubmitted, ApplicationStatus::kApproved, ApplicationStatus::kRejected,
        ApplicationStatus::kShipped, ApplicationStatus::kActivated})
    EXPECT_EQ(*application_status_named(to_string(s)), s);
  EXPECT_FALSE(application_status_named("approving"));
}

}  // namespace
}  // namespace posfleet::domain
