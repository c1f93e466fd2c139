#include "server/domain/deployments.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>

#include "core/testing/temp_dir.h"

#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

class DeploymentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(Context{.store = *store_, .artifacts = *artifacts_});
    auto t = register_terminal(*ctx_, "PF1", "A920");
    ASSERT_TRUE(t);
    terminal_ = t->record;
    ASSERT_TRUE(store_->put_artifact({"aa", "s1", "m5", 3}));
    store::ReleaseRecord r{
        0, "2.0.0", "{}", "A920", "k", 100, 1, false, {{0, 0, "os", "2.0.0", "os.img", "aa", 3}}};
    ASSERT_TRUE(store_->insert_release(r));
  }
  posfleet::testing::TempDir dir_{"posfleet_deploy"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  store::TerminalRecord terminal_;
};

TEST_F(DeploymentsTest, SuccessRecordsTheVersionAndClosesTheAction) {
  auto d = assign_release(*ctx_, "2.0.0", "PF1");
  ASSERT_TRUE(d);
  ASSERT_TRUE(record_feedback(*ctx_, terminal_, d->id, {"proceeding", "none", {"downloading"}, 0}));
  EXPECT_EQ(store_->deployment(d->id)->status, store::DeploymentStatus::kRunning);
  ASSERT_TRUE(record_feedback(*ctx_, terminal_, d->id, {"closed", "success", {"installed"}, 0}));
  auto done = store_->deployment(d->id);
  EXPECT_EQ(done->status, store::DeploymentStatus::kFinished);
  EXPECT_EQ(done->result, store::DeploymentResult::kSuccess);
  EXPECT_EQ(store_->terminal_by_id(terminal_.id)->installed_version, "2.0.0");
  EXPECT_EQ(store_->action_history(d->id)->size(), 2u);
  // An ended action takes no more feedback.
  EXPECT_EQ(record_feedback(*ctx_, terminal_, d->id, {"closed", "failure", {}, 0}).error().code,
            Code::kGone);
}

TEST_F(DeploymentsTest, OneOpenDeploymentPerTerminal) {
  ASSERT_TRUE(assign_release(*ctx_, "2.0.0", "PF1"));
  EXPECT_EQ(assign_release(*ctx_, "2.0.0", "PF1").error().code, Code::kConflict);
  EXPECT_EQ(assign_release(*ctx_, "9.9.9", "PF1").error().code, Code::kNotFound);
  EXPECT_EQ(assign_release(*ctx_, "2.0.0", "NOPE").error().code, Code::kNotFound);
}

TEST_F(DeploymentsTest, FailureAndCancelPaths) {
  auto d = assign_release(*ctx_, "2.0.0", "PF1");
  ASSERT_TRUE(
      record_feedback(*ctx_, terminal_, d->id, {"closed", "failure", {"bad signature"}, 10}));
  EXPECT_EQ(store_->deployment(d->id)->result, store::DeploymentResult::kFailure);
  EXPECT_EQ(store_->deployment(d->id)->message, "bad signature");
  EXPECT_EQ(store_->terminal_by_id(terminal_.id)->installed_version, "");

  auto d2 = assign_release(*ctx_, "2.0.0", "PF1");
  ASSERT_TRUE(d2);
  ASSERT_TRUE(record_feedback(*ctx_, terminal_, d2->id,
                              {"proceeding", "none", {"downloading 3 bytes"}, 0}));
  ASSERT_TRUE(request_cancel(*ctx_, d2->id));
  // The terminal refuses: the action goes on.
  ASSERT_TRUE(
      record_cancel_feedback(*ctx_, terminal_, d2->id, {"rejected", "none", {"installing"}, 0}));
  EXPECT_EQ(store_->deployment(d2->id)->status, store::DeploymentStatus::kRunning);
  ASSERT_TRUE(request_cancel(*ctx_, d2->id));
  ASSERT_TRUE(record_cancel_feedback(*ctx_, terminal_, d2->id, {"closed", "success", {}, 0}));
  EXPECT_EQ(store_->deployment(d2->id)->status, store::DeploymentStatus::kCanceled);
  EXPECT_EQ(request_cancel(*ctx_, d2->id).error().code, Code::kWrongState);
}

TEST_F(DeploymentsTest, ANeverFetchedDeploymentIsCanceledAtOnce) {
  auto d = assign_release(*ctx_, "2.0.0", "PF1");
  ASSERT_TRUE(d);
  EXPECT_EQ(request_cancel(*ctx_, d->id)->status, store::DeploymentStatus::kCanceled);
  EXPECT_FALSE(*store_->open_deployment(terminal_.id));
}

TEST_F(DeploymentsTest, TheVersionComesFromWhatTheTerminalReports) {
  // posfleet's agent: the committed slot wins over anything else.
  EXPECT_EQ(
      reported_version(
          boost::json::parse(R"({"version":"1.0.0","slot_active":"b","slot_b_version":"1.2.0"})")
              .as_object()),
      "1.2.0");
  // A stock swupdate names it in its identify section.
  EXPECT_EQ(
      reported_version(boost::json::parse(R"({"serial":"X","sw_version":"2021.04"})").as_object()),
      "2021.04");
  EXPECT_EQ(reported_version(boost::json::parse(R"({"version":"1.0 <script>"})").as_object()), "");
  ASSERT_TRUE(record_attributes(*ctx_, terminal_,
                                boost::json::parse(R"({"version":"1.0.0"})").as_object()));
  EXPECT_EQ(store_->terminal_by_id(terminal_.id)->installed_version, "1.0.0");
  // Reported before versions were read from reports: adopted once, on a poll.
  ASSERT_TRUE(store_->set_installed_version(terminal_.id, ""));
  ASSERT_TRUE(store_->set_terminal_attributes(terminal_.id, R"({"sw_version":"0.9"})"));
  ASSERT_TRUE(adopt_reported_version(*ctx_, *store_->terminal_by_id(terminal_.id)));
  EXPECT_EQ(store_->terminal_by_id(terminal_.id)->installed_version, "0.9");
  // Attributes without a version keep the one known.
  ASSERT_TRUE(record_attributes(*ctx_, *store_->terminal_by_id(terminal_.id),
                                boost::json::parse(R"({"model":"A920"})").as_object()));
  EXPECT_EQ(store_->terminal_by_id(terminal_.id)->installed_version, "0.9");
}

TEST_F(DeploymentsTest, ATerminalAlreadyRunningTheReleaseIsSkipped) {
  ASSERT_TRUE(store_->set_installed_version(terminal_.id, "2.0.0"));
  auto t = *store_->terminal_by_id(terminal_.id);
  auto r = *store_->release_by_version("2.0.0");
  auto a = assign_to(*ctx_, r, t, false, kSystemActor);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->created);
  EXPECT_EQ(a->skipped, "already_installed");
  EXPECT_FALSE(*store_->open_deployment(terminal_.id));
  EXPECT_EQ(assign_release(*ctx_, "2.0.0", "PF1").error().code, Code::kConflict);
}

TEST_F(DeploymentsTest, ANewerReleaseReplacesAnOpenOneNotYetInstalling) {
  store::ReleaseRecord newer{
      0, "2.1.0", "{}", "A920", "k", 100, 1, false, {{0, 0, "os", "2.1.0", "os.img", "aa", 3}}};
  ASSERT_TRUE(store_->insert_release(newer));
  store::ReleaseRecord newest{
      0, "2.2.0", "{}", "A920", "k", 100, 1, false, {{0, 0, "os", "2.2.0", "os.img", "aa", 3}}};
  ASSERT_TRUE(store_->insert_release(newest));
  auto old = assign_release(*ctx_, "2.0.0", "PF1");
  ASSERT_TRUE(old);
  ASSERT_TRUE(record_feedback(*ctx_, terminal_, old->id,
                              {"proceeding", "none", {"downloaded 40%"}, 0, 4, 10}));
  // An older release does not replace a newer one.
  store::ReleaseRecord older{
      0, "1.9.0", "{}", "A920", "k", 100, 1, false, {{0, 0, "os", "1.9.0", "os.img", "aa", 3}}};
  ASSERT_TRUE(store_->insert_release(older));
  auto t = *store_->terminal_by_id(terminal_.id);
  EXPECT_EQ(assign_to(*ctx_, older, t, false, kSystemActor)->skipped, "busy");

  auto replaced = assign_to(*ctx_, newer, t, false, kSystemActor);
  ASSERT_TRUE(replaced);
  ASSERT_TRUE(replaced->created);
  EXPECT_EQ(replaced->replaced, old->id);
  EXPECT_EQ(store_->deployment(old->id)->status, store::DeploymentStatus::kCanceled);
  EXPECT_EQ((*store_->open_deployment(terminal_.id))->id, replaced->created->id);
  auto audit = store_->audit_entries(0, 100);
  ASSERT_TRUE(audit);
  EXPECT_TRUE(std::any_of(audit->begin(), audit->end(),
                          [](const auto& e) { return e.action == "deployment.replace"; }));

  // Once the download is whole the terminal may be installing: it is left alone.
  const auto id = replaced->created->id;
  ASSERT_TRUE(record_feedback(*ctx_, terminal_, id,
                              {"proceeding", "none", {"downloaded 100%"}, 0, 10, 10}));
  auto busy = assign_to(*ctx_, newest, t, false, kSystemActor);
  EXPECT_EQ(busy->skipped, "installing");
  EXPECT_EQ(store_->deployment(id)->status, store::DeploymentStatus::kRunning);
}

TEST_F(DeploymentsTest, RejectsUnknownExecutionAndForeignActions) {
  auto d = assign_release(*ctx_, "2.0.0", "PF1");
  EXPECT_EQ(record_feedback(*ctx_, terminal_, d->id, {"dancing", "none", {}, 0}).error().code,
            Code::kInvalidArgument);
  auto other = register_terminal(*ctx_, "PF2", "A920");
  EXPECT_EQ(record_feedback(*ctx_, other->record, d->id, {"closed", "success", {}, 0}).error().code,
            Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::domain
