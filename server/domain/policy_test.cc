// A policy change is one transaction: history row, patch, audit entry and
// notification commit together, and concurrent changes of one scope apply one
// after the other (no process-wide lock; SQLite's BEGIN IMMEDIATE decides).
#include "server/domain/policy.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <latch>
#include <thread>

#include "core/json.h"
#include "core/testing/temp_dir.h"
#include "server/domain/policy_bulk.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/store/sqlite/testing/fail_writes.h"

namespace posfleet::domain {
namespace {

PolicyPatch patch(const std::string& json_text) {
  return *PolicyPatch::from_json(boost::json::parse(json_text).as_object());
}

class PolicyChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(Context{.store = *store_, .artifacts = *artifacts_});
    auto t = register_terminal(*ctx_, "T1", "A920");
    ASSERT_TRUE(t);
    id_ = t->record.id;
  }
  store::TerminalRecord terminal() { return *store_->terminal_by_id(id_); }
  std::size_t history(const std::string& scope, const std::string& key) {
    return store_->policy_history(scope, key, 1000)->size();
  }
  std::size_t notices() { return store_->notifications(id_, 0, 1000)->size(); }
  void fail_audit() { ASSERT_TRUE(store::testing::fail_writes_to(dir_.file("db"), "audit_log")); }

  posfleet::testing::TempDir dir_{"posfleet_policy"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  std::int64_t id_ = 0;
  Actor admin_{"admin", "user", "console"};
};

TEST_F(PolicyChangeTest, AFailingAuditWriteLeavesNoHistoryPatchOrNotification) {
  fail_audit();
  auto p = change_policy(*ctx_, "terminal", "T1", patch(R"({"mode":"never"})"), admin_, "test");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().to_string().find("injected failure"), std::string::npos)
      << p.error().to_string();
  EXPECT_EQ(history("terminal", "T1"), 0u);
  EXPECT_FALSE(*store_->policy("terminal", "T1"));
  EXPECT_EQ(notices(), 0u);
  EXPECT_EQ(effective_policy(*ctx_, terminal())->mode, PolicyMode::kAuto);
}

TEST_F(PolicyChangeTest, AFailingAuditWriteFailsTheTerminalsOwnChangeWhole) {
  // Superseded: it would write history and a notification.
  ASSERT_TRUE(change_policy(*ctx_, "terminal", "T1", patch(R"({"mode":"manual"})"), admin_, "x"));
  const auto before_history = history("terminal", "T1");
  const auto before_notices = notices();
  fail_audit();
  auto c = terminal_policy_change(*ctx_, terminal(), PolicyMode::kNever, /*base_revision=*/0);
  ASSERT_FALSE(c);
  auto r = terminal_policy_reset(*ctx_, terminal());
  ASSERT_FALSE(r);
  EXPECT_EQ(history("terminal", "T1"), before_history);
  EXPECT_EQ(notices(), before_notices);
  EXPECT_EQ(effective_policy(*ctx_, terminal())->mode, PolicyMode::kManual);
}

TEST_F(PolicyChangeTest, AFailingAuditWriteLeavesTheGroupAndDeadlineAsTheyWere) {
  fail_audit();
  EXPECT_FALSE(move_to_group(*ctx_, "T1", "north", admin_, true));
  EXPECT_EQ(terminal().group, "");
}

TEST_F(PolicyChangeTest, AFailingAuditWriteFailsABulkEditAndItsBatch) {
  for (int i = 2; i <= 5; ++i)
    ASSERT_TRUE(register_terminal(*ctx_, "T" + std::to_string(i), "A920"));
  fail_audit();
  auto out = bulk_policy(*ctx_, store::TerminalQuery{}, patch(R"({"mode":"never"})"), admin_, "x");
  ASSERT_FALSE(out);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(history("terminal", "T" + std::to_string(i)), 0u);
  EXPECT_EQ(notices(), 0u);
}

TEST_F(PolicyChangeTest, ConcurrentChangesOfOneScopeApplyOneAfterTheOther) {
  // Each thread sets a field of its own; a change decided on a stale read
  // would drop the other thread's field from the patch.
  constexpr int kEach = 100;
  std::latch start(2);
  auto run = [&](const std::string& field, int base) {
    start.arrive_and_wait();
    for (int i = 0; i < kEach; ++i) {
      auto p = change_policy(*ctx_, "group", "north",
                             patch("{\"" + field + "\":" + std::to_string(base + i) + "}"), admin_,
                             field + " " + std::to_string(i));
      ASSERT_TRUE(p) << p.error().to_string();
    }
  };
  std::thread a(run, "cellular_limit_mb", 100);
  std::thread b(run, "cellular_limit_mb", 500);
  a.join();
  b.join();
  auto h = *store_->policy_history("group", "north", 1000);  // newest first
  ASSERT_EQ(h.size(), 2u * kEach);
  for (std::size_t i = 0; i + 1 < h.size(); ++i) {
    EXPECT_EQ(h[i].id, h[i + 1].id + 1);               // consecutive revisions
    EXPECT_EQ(h[i].before_json, h[i + 1].after_json);  // each saw the one before it
  }
  auto stored = *store_->policy("group", "north");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->patch_json, h.front().after_json);  // the later one stands
  EXPECT_EQ(stored->revision, h.front().id);
}

TEST_F(PolicyChangeTest, ConcurrentChangesOfDifferentFieldsKeepBoth) {
  constexpr int kEach = 100;
  std::latch start(2);
  std::thread a([&] {
    start.arrive_and_wait();
    for (int i = 0; i < kEach; ++i)
      ASSERT_TRUE(change_policy(*ctx_, "terminal", "T1",
                                patch("{\"cellular_limit_mb\":" + std::to_string(i + 1) + "}"),
                                admin_, "a"));
  });
  std::thread b([&] {
    start.arrive_and_wait();
    for (int i = 0; i < kEach; ++i)
      ASSERT_TRUE(change_policy(*ctx_, "terminal", "T1",
                                patch(i % 2 ? R"({"mode":"manual"})" : R"({"mode":"never"})"),
                                admin_, "b"));
  });
  a.join();
  b.join();
  auto eff = effective_policy(*ctx_, terminal());
  EXPECT_EQ(eff->cellular_limit_mb, kEach);
  EXPECT_EQ(eff->mode, PolicyMode::kManual);
  EXPECT_EQ(history("terminal", "T1"), 2u * kEach);
  EXPECT_EQ(notices(), 2u * kEach);  // one per change, each its own revision
}

TEST_F(PolicyChangeTest, ALockRefusesWithLockedInsideTheChange) {
  ASSERT_TRUE(change_policy(*ctx_, "group", "north",
                            patch(R"({"mode":"never","locked":true,"lock_reason":"peak"})"), admin_,
                            "lock"));
  ASSERT_TRUE(move_to_group(*ctx_, "T1", "north", admin_, /*may_change_locks=*/true));
  const Actor manager{"rm", "user", "console"};
  auto p = change_policy(*ctx_, "terminal", "T1", patch(R"({"mode":"auto"})"), manager, "x",
                         /*keep_locked_mode=*/true);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Code::kLocked);
  EXPECT_NE(p.error().message.find("locked by an administrator (peak)"), std::string::npos);
  auto moved = move_to_group(*ctx_, "T1", "", manager, /*may_change_locks=*/false);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, Code::kLocked);
  EXPECT_EQ(terminal().group, "north");
  EXPECT_TRUE(move_to_group(*ctx_, "T1", "", admin_, /*may_change_locks=*/true));
}

TEST_F(PolicyChangeTest, ALockNeedsItsReason) {
  auto p = change_policy(*ctx_, "fleet", "", patch(R"({"locked":true})"), admin_, "x");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Code::kInvalidArgument);
  EXPECT_EQ(history("fleet", ""), 0u);
}

TEST_F(PolicyChangeTest, TheTerminalsModeWordIsChecked) {
  auto c = terminal_policy_change(*ctx_, terminal(), std::string("sometimes"), 0);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Code::kInvalidArgument);
  auto ok = terminal_policy_change(*ctx_, terminal(), std::string("manual"), 0);
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->outcome, "applied");
  EXPECT_EQ(ok->policy.mode, PolicyMode::kManual);
}

}  // namespace
}  // namespace posfleet::domain
