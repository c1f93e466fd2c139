// A deployment change commits whole or not at all: its rows and its audit entry are one
// transaction (audit.h commit_change), proved against the real SQLite file with a table that
// refuses writes; and two assignments racing for one terminal leave exactly one open deployment.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/hashing.h"
#include "core/manifest.h"
#include "core/testing/temp_dir.h"
#include "server/domain/deployments.h"
#include "server/domain/releases.h"
#include "server/domain/rollout.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/store/sqlite/testing/fail_writes.h"

namespace posfleet::domain {
namespace {

using store::DeploymentStatus;

const Actor kAdmin{"admin", "user", "console"};

class DeploymentChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(
        Context{.store = *store_, .artifacts = *artifacts_, .data_dir = dir_.path()});
    auto t = register_terminal(*ctx_, "PF1", "A920");
    ASSERT_TRUE(t);
    terminal_ = t->record;
    ASSERT_TRUE(store_->put_artifact({"aa", "s1", "m5", 3}));
    for (const char* v : {"2.0.0", "2.1.0", "2.2.0"}) release(v);
  }
  void release(const std::string& version) {
    store::ReleaseRecord r{
        0, version, "{}", "A920", "k", 100, 1, false, {{0, 0, "os", version, "os.img", "aa", 3}}};
    ASSERT_TRUE(store_->insert_release(r));
  }
  std::int64_t open_count(std::int64_t terminal_id) {
    std::int64_t n = 0;
    for (auto s :
         {DeploymentStatus::kScheduled, DeploymentStatus::kRunning, DeploymentStatus::kCanceling}) {
      store::DeploymentQuery q;
      q.terminal_id = terminal_id;
      q.status = s;
      n += *store_->count_deployments(q);
    }
    return n;
  }
  std::int64_t audit_entries(const std::string& action) {
    store::AuditQuery q;
    auto all = store_->query_audit(q);
    std::int64_t n = 0;
    for (const auto& e : *all) n += e.action == action;
    return n;
  }
  void fail_audit() { ASSERT_TRUE(store::testing::fail_writes_to(dir_.file("db"), "audit_log")); }

  posfleet::testing::TempDir dir_{"posfleet_deploy_changes"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  store::TerminalRecord terminal_;
};

TEST_F(DeploymentChangesTest, ACreationWhoseAuditFailsCreatesNothing) {
  fail_audit();
  EXPECT_FALSE(assign_release(*ctx_, "2.0.0", "PF1", kAdmin, "test"));
  EXPECT_EQ(open_count(terminal_.id), 0);
  EXPECT_EQ(*store_->count_deployments({}), 0);
}

TEST_F(DeploymentChangesTest, AReplacementWhoseAuditFailsKeepsTheOldDeployment) {
  auto old = assign_release(*ctx_, "2.0.0", "PF1", kAdmin);
  ASSERT_TRUE(old);
  fail_audit();
  auto t = *store_->terminal_by_serial("DEFAULT", "PF1");
  EXPECT_FALSE(assign_to(*ctx_, *store_->release_by_version("2.1.0"), t, false, kAdmin));
  EXPECT_EQ(store_->deployment(old->id)->status, DeploymentStatus::kScheduled);
  EXPECT_EQ(*store_->count_deployments({}), 1);
}

TEST_F(DeploymentChangesTest, ABulkDeploymentWhoseAuditFailsCreatesNothing) {
  ASSERT_TRUE(register_terminal(*ctx_, "PF2", "A920"));
  fail_audit();
  TargetSpec spec;
  spec.serials = std::vector<std::string>{"PF1", "PF2"};
  EXPECT_FALSE(assign_many(*ctx_, "2.0.0", spec, "", false, kAdmin, "test"));
  EXPECT_EQ(*store_->count_deployments({}), 0);
}

TEST_F(DeploymentChangesTest, ALargeBulkDeploymentIsAChangePerThousandAndGoesOnWhereItStopped) {
  const int n = static_cast<int>(kAssignPerChange * 5 / 2);  // PF1 and these: three changes
  for (int i = 0; i < n - 1; ++i) {
    store::TerminalRecord t;
    t.tenant = "DEFAULT";
    t.serial = "BK" + std::to_string(10000 + i);
    t.model = "A920";
    t.token_hash = "h" + t.serial;
    ASSERT_TRUE(store_->insert_terminal(t));
  }
  // The second change's audit entry fails: the first change stands, and says so.
  ASSERT_TRUE(store::testing::run_on(
      dir_.file("db"),
      "CREATE TRIGGER fail_part_2 BEFORE INSERT ON audit_log WHEN NEW.after LIKE '%\"part\":\"2 "
      "of 3\"%' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"));
  TargetSpec spec;
  spec.filter = store::TerminalQuery{};
  spec.filter->model = "A920";
  auto stopped = assign_many(*ctx_, "2.0.0", spec, "", false, kAdmin, "test");
  ASSERT_FALSE(stopped);
  EXPECT_NE(stopped.error().message.find("stopped after 1000 deployment(s) in 1 of 3 changes"),
            std::string::npos)
      << stopped.error().message;
  EXPECT_EQ(*store_->count_deployments({}), static_cast<std::int64_t>(kAssignPerChange));
  ASSERT_TRUE(store::testing::run_on(dir_.file("db"), "DROP TRIGGER fail_part_2"));
  auto again = assign_many(*ctx_, "2.0.0", spec, "", false, kAdmin, "test");
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->created, n - static_cast<int>(kAssignPerChange));
  EXPECT_EQ(again->skipped["already_open"], static_cast<std::int64_t>(kAssignPerChange));
  EXPECT_EQ(*store_->count_deployments({}), n);
  auto entries = store_->audit_entries(0, 100000);
  ASSERT_TRUE(entries);
  int audited = 0;
  for (const auto& e : *entries) audited += e.action == "deployment.create";
  EXPECT_EQ(audited, 4);  // 1 of 3, then 1 of 3 to 3 of 3
}

TEST_F(DeploymentChangesTest, ACancelWhoseAuditFailsLeavesTheDeploymentOpen) {
  auto d = assign_release(*ctx_, "2.0.0", "PF1", kAdmin);
  ASSERT_TRUE(d);
  fail_audit();
  EXPECT_FALSE(request_cancel(*ctx_, d->id, kAdmin));
  EXPECT_EQ(store_->deployment(d->id)->status, DeploymentStatus::kScheduled);
  TargetSpec spec;
  spec.serials = std::vector<std::string>{"PF1"};
  EXPECT_FALSE(cancel_many(*ctx_, "", spec, "", kAdmin, "test"));
  EXPECT_EQ(store_->deployment(d->id)->status, DeploymentStatus::kScheduled);
}

TEST_F(DeploymentChangesTest, ARegistrationWhoseAuditFailsRegistersNothing) {
  ASSERT_TRUE(register_terminal_as(*ctx_, kAdmin, "PF3", "A920"));
  EXPECT_EQ(audit_entries("terminal.register"), 1);
  fail_audit();
  auto t = register_terminal_as(*ctx_, kAdmin, "PF4", "A920");
  ASSERT_FALSE(t);
  EXPECT_EQ(store_->terminal_by_serial("DEFAULT", "PF4").error().code, Code::kNotFound);
}

// Many rounds of two newer releases deployed to a terminal at once, each replacing its open
// deployment of an older one: one open deployment remains; every replacement that was audited
// was followed by its new deployment; every refusal is a clean conflict, never an I/O error.
TEST_F(DeploymentChangesTest, TwoCreationsRacingForOneTerminalLeaveExactlyOneOpen) {
  for (int round = 0; round < 20; ++round) {
    const std::string serial = "RACE" + std::to_string(round);
    auto t = register_terminal(*ctx_, serial, "A920");
    ASSERT_TRUE(t);
    ASSERT_TRUE(assign_release(*ctx_, "2.0.0", serial, kAdmin));
    std::atomic<int> ready{0};
    Expected<store::DeploymentRecord> got[2] = {make_error(Code::kInternal, "not run"),
                                                make_error(Code::kInternal, "not run")};
    auto run = [&](int i, const char* version) {
      ++ready;
      while (ready < 2) std::this_thread::yield();
      got[i] = assign_release(*ctx_, version, serial, kAdmin);
    };
    std::thread a(run, 0, "2.1.0"), b(run, 1, "2.2.0");
    a.join();
    b.join();
    EXPECT_EQ(open_count(t->record.id), 1) << serial;
    for (const auto& g : got)
      if (!g) {
        EXPECT_EQ(g.error().code, Code::kConflict) << g.error().to_string();
      }
    store::DeploymentQuery q;
    q.terminal_id = t->record.id;
    q.limit = 10;
    auto ds = store_->query_deployments(q);
    ASSERT_TRUE(ds);
    // Every deployment but the newest was replaced (canceled) by the next one, never left
    // canceled with nothing after it.
    std::int64_t canceled = 0, created = 1;
    for (const auto& g : got) created += g ? 1 : 0;
    for (const auto& d : *ds) canceled += d.status == DeploymentStatus::kCanceled;
    EXPECT_EQ(static_cast<std::int64_t>(ds->size()), created) << serial;
    EXPECT_EQ(canceled, created - 1) << serial;
  }
}

// Versions are immutable: the same version again, or a version equal as numbers, is refused.
TEST_F(DeploymentChangesTest, AReleaseVersionIsNeverPublishedTwice) {
  auto key = generate_signing_key();
  const std::string digest = sha256_hex("abc");
  ASSERT_TRUE(artifacts_->init());
  auto upload = artifacts_->begin(digest);
  ASSERT_TRUE(upload);
  ASSERT_TRUE((*upload)->write("abc"));
  ASSERT_TRUE(store_artifact(*ctx_, **upload));
  auto real = [&](const std::string& version, const std::string& notes) {
    SignedManifest sm;
    sm.manifest.version = version;
    sm.manifest.expires = 4102444800;
    sm.manifest.models = {"A920"};
    sm.manifest.notes_en = notes;
    sm.manifest.components = {{"os", "3.0.0", "os.img", digest, 3, true}};
    sm.sign(key);
    return sm.to_json_text();
  };
  const std::string first = real("3.0.0", "first");
  ASSERT_TRUE(publish_release(*ctx_, first));
  EXPECT_EQ(publish_release(*ctx_, first).error().code, Code::kConflict);
  EXPECT_EQ(publish_release(*ctx_, real("3.0.0", "other")).error().code, Code::kVersionReused);
  EXPECT_EQ(publish_release(*ctx_, real("03.0.0", "first")).error().code, Code::kVersionReused);
  EXPECT_EQ(store_->list_releases()->size(), 4u);  // the three of SetUp and 3.0.0
}

}  // namespace
}  // namespace posfleet::domain
