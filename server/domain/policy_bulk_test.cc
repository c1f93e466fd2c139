#include "server/domain/policy_bulk.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/testing/temp_dir.h"
#include "server/domain/policy.h"
#include "server/domain/rollout.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

PolicyPatch patch(const char* json_text) {
  return *PolicyPatch::from_json(boost::json::parse(json_text).as_object());
}

// Six terminals: T1-T3 in group "north", T4-T5 in "south", T6 in none.
class PolicyBulkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(Context{.store = *store_, .artifacts = *artifacts_});
    for (int i = 1; i <= 6; ++i) {
      auto t = register_terminal(*ctx_, "T" + std::to_string(i), i == 6 ? "S300" : "A920");
      ASSERT_TRUE(t);
      if (i <= 5) {
        ASSERT_TRUE(store_->set_terminal_group(t->record.id, i <= 3 ? "north" : "south"));
      }
    }
  }
  std::int64_t changing(const std::string& scope, const std::string& key, const char* change) {
    auto p = preview_scope(*ctx_, scope, key, patch(change));
    EXPECT_TRUE(p) << (p ? "" : p.error().message);
    return p ? p->changing : -1;
  }
  void set(const std::string& scope, const std::string& key, const char* change) {
    ASSERT_TRUE(change_policy(*ctx_, scope, key, patch(change), admin_, "test"));
  }
  posfleet::testing::TempDir dir_{"posfleet_bulk"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  Actor admin_{"admin", "user", "console"};
};

TEST_F(PolicyBulkTest, ScopePreviewCountsOnlyTerminalsWhoseEffectivePolicyChanges) {
  EXPECT_EQ(preview_scope(*ctx_, "fleet", "", patch(R"({"mode":"never"})"))->in_scope, 6);
  EXPECT_EQ(changing("fleet", "", R"({"mode":"never"})"), 6);
  EXPECT_EQ(changing("fleet", "", R"({"mode":"auto"})"), 0);  // already the default
  set("group", "north", R"({"mode":"manual"})");
  set("terminal", "T4", R"({"mode":"manual"})");
  // north and T4 set their own mode: the fleet's reaches T5 and T6 only.
  EXPECT_EQ(changing("fleet", "", R"({"mode":"never"})"), 2);
  // A window change reaches all six: nobody overrides the window.
  EXPECT_EQ(
      changing("fleet", "",
               R"({"window":{"days":[1,2,3],"start":"01:00","end":"03:00","tz":"Asia/Shanghai"}})"),
      6);
  auto south = preview_scope(*ctx_, "group", "south", patch(R"({"mode":"never"})"));
  ASSERT_TRUE(south);
  EXPECT_EQ(south->in_scope, 2);
  EXPECT_EQ(south->changing, 1);  // T4 keeps its own manual
  EXPECT_EQ(changing("group", "north", R"({"mode":"manual"})"), 0);
  EXPECT_EQ(changing("terminal", "T6", R"({"mode":"never"})"), 1);
  EXPECT_EQ(changing("terminal", "T4", R"({"mode":"manual"})"), 0);
  // The preview changes nothing.
  EXPECT_EQ(effective_policy(*ctx_, *store_->terminal_by_serial("DEFAULT", "T5"))->mode,
            PolicyMode::kAuto);
}

// An organisation's policy counts as the policy chain does: a reseller's mode holds over the
// fleet's and its group's, and its lock keeps a filter's change from its terminals.
TEST_F(PolicyBulkTest, PreviewsFoldTheOrganisationsPolicies) {
  auto east = store_->insert_organisation({0, 1, "reseller", "华东代理", "", "admin", 1});
  ASSERT_TRUE(east) << east.error().to_string();
  for (const char* serial : {"T2", "T5"})
    ASSERT_TRUE(store_->set_terminal_organisation(store_->terminal_by_serial("DEFAULT", serial)->id,
                                                  east->id));
  set("organisation", east->path, R"({"mode":"manual"})");
  // The fleet's never reaches the four terminals outside the reseller.
  EXPECT_EQ(changing("fleet", "", R"({"mode":"never"})"), 4);
  // north's never reaches T1 and T3; T2 keeps the reseller's manual.
  EXPECT_EQ(changing("group", "north", R"({"mode":"never"})"), 2);
  EXPECT_EQ(changing("terminal", "T2", R"({"mode":"manual"})"), 0);
  set("organisation", east->path, R"({"locked":true,"lock_reason":"代理商锁定"})");
  store::TerminalQuery north;
  north.group = "north";
  auto filtered = preview_terminals(*ctx_, north, patch(R"({"mode":"never"})"));
  ASSERT_TRUE(filtered) << filtered.error().message;
  EXPECT_EQ(filtered->in_scope, 3);
  EXPECT_EQ(filtered->locked, 1) << "T2, under the reseller's lock";
  EXPECT_EQ(filtered->changing, 2);
}

TEST_F(PolicyBulkTest, ScopePreviewRefusesWhatTheChangeWouldRefuse) {
  EXPECT_EQ(preview_scope(*ctx_, "region", "x", patch(R"({"mode":"never"})")).error().code,
            Code::kInvalidArgument);
  EXPECT_EQ(
      preview_scope(*ctx_, "group", "north", patch(R"({"security_deadline_days":3})")).error().code,
      Code::kInvalidArgument);
  EXPECT_EQ(preview_scope(*ctx_, "terminal", "NOPE", patch(R"({"mode":"never"})")).error().code,
            Code::kNotFound);
}

TEST_F(PolicyBulkTest, BulkEditAppliesPerTerminalAndRefusesLockedOnes) {
  set("terminal", "T2", R"({"mode":"never","locked":true,"lock_reason":"bank audit"})");
  store::TerminalQuery north;
  north.group = "north";
  auto preview = preview_terminals(*ctx_, north, patch(R"({"mode":"manual"})"));
  ASSERT_TRUE(preview);
  EXPECT_EQ(preview->in_scope, 3);
  EXPECT_EQ(preview->changing, 2);
  EXPECT_EQ(preview->locked, 1);
  auto out = bulk_policy(*ctx_, north, patch(R"({"mode":"manual"})"), admin_, "pilot group");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->matched, 3);
  EXPECT_EQ(out->applied, 2);
  EXPECT_EQ(out->refused, 1);
  EXPECT_EQ(effective_policy(*ctx_, *store_->terminal_by_serial("DEFAULT", "T1"))->mode,
            PolicyMode::kManual);
  EXPECT_EQ(effective_policy(*ctx_, *store_->terminal_by_serial("DEFAULT", "T2"))->mode,
            PolicyMode::kNever);
  EXPECT_EQ(store_->policy_history("terminal", "T1", 10)->front().reason, "pilot group");
  EXPECT_EQ(bulk_policy(*ctx_, north, patch(R"({"mode":"manual"})"), admin_, "").error().code,
            Code::kInvalidArgument);
}

TEST_F(PolicyBulkTest, AChangeThatKeepsLockedModesChecksTheLockWhereItWrites) {
  set("group", "north", R"({"mode":"never","locked":true,"lock_reason":"peak"})");
  // What a bulk edit or a release manager's change asks for, after a lock landed since its own
  // check:
  auto refused =
      change_policy(*ctx_, "terminal", "T1", patch(R"({"mode":"auto"})"), admin_, "late", true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kLocked);
  EXPECT_NE(refused.error().message.find("peak"), std::string::npos);
  EXPECT_TRUE(store_->policy_history("terminal", "T1", 10)->empty());  // nothing written
  // Elsewhere, and for an administrator's own change, it goes through.
  EXPECT_TRUE(
      change_policy(*ctx_, "terminal", "T4", patch(R"({"mode":"auto"})"), admin_, "fine", true));
  EXPECT_TRUE(change_policy(*ctx_, "terminal", "T1", patch(R"({"mode":"auto"})"), admin_, "admin"));
  EXPECT_EQ(effective_policy(*ctx_, *store_->terminal_by_serial("DEFAULT", "T1"))->mode,
            PolicyMode::kNever);  // the lock holds
}

TEST_F(PolicyBulkTest, MoreThanTheCapIsRefusedAsAWhole) {
  ctx_->bulk_cap = 5;
  auto out =
      bulk_policy(*ctx_, store::TerminalQuery{}, patch(R"({"mode":"manual"})"), admin_, "all");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Code::kInvalidArgument);
  EXPECT_NE(out.error().message.find("narrow the filter"), std::string::npos);
  EXPECT_EQ(effective_policy(*ctx_, *store_->terminal_by_serial("DEFAULT", "T1"))->mode,
            PolicyMode::kAuto);
}

TEST_F(PolicyBulkTest, DeployingToManySkipsOtherModelsAndOpenDeployments) {
  ASSERT_TRUE(store_->put_artifact({"aa", "s1", "m5", 3}));
  store::ReleaseRecord r{
      0, "2.0.0", "{}", "A920", "k", 100, 1, false, {{0, 0, "os", "2.0.0", "os.img", "aa", 3}}};
  ASSERT_TRUE(store_->insert_release(r));
  auto all = all_matching(*ctx_, store::TerminalQuery{}, "");
  ASSERT_TRUE(all);
  auto dry = assign_many(*ctx_, r, Targets{*all, 0, ""}, true);
  ASSERT_TRUE(dry);
  EXPECT_EQ(dry->created, 5);
  EXPECT_EQ(store_->release_state_counts(r.id)->at(store::UpdateState::kScheduled), 0);
  auto first = assign_many(*ctx_, r, Targets{*all, 0, ""}, false);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->created, 5);
  EXPECT_EQ(first->skipped.at("wrong_model"), 1);
  auto again = assign_many(*ctx_, r, Targets{*all, 0, ""}, false);
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(again->skipped.at("already_open"), 5);
  EXPECT_EQ(store_->release_state_counts(r.id)->at(store::UpdateState::kScheduled), 5);
  auto progress = release_progress(*ctx_, r, 3);
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->newest.size(), 3u);
  EXPECT_EQ(progress->newest.front().row.serial, "T5");  // newest first
}

}  // namespace
}  // namespace posfleet::domain
