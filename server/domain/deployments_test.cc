#include "server/domain/deployments.h"

#include <gtest/gtest.h>

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
    store::ReleaseRecord r{0, "2.0.0", "{}", "A920", "k", 100, 1, false, {{0, 0, "os", "2.0.0", "os.img", "aa", 3}}};
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
  EXPECT_EQ(store_->deployment(d->id)->status, "running");
  ASSERT_TRUE(record_feedback(*ctx_, terminal_, d->id, {"closed", "success", {"installed"}, 0}));
  auto done = store_->deployment(d->id);
  EXPECT_EQ(done->status, "finished");
  EXPECT_EQ(done->result, "success");
  EXPECT_EQ(store_->terminal_by_id(terminal_.id)->installed_version, "2.0.0");
  EXPECT_EQ(store_->action_history(d->id)->size(), 2u);
  // An ended action takes no more feedback.
  EXPECT_EQ(record_feedback(*ctx_, terminal_, d->id, {"closed", "failure", {}, 0}).error().code, Code::kConflict);
}

TEST_F(DeploymentsTest, OneOpenDeploymentPerTerminal) {
  ASSERT_TRUE(assign_release(*ctx_, "2.0.0", "PF1"));
  EXPECT_EQ(assign_release(*ctx_, "2.0.0", "PF1").error().code, Code::kConflict);
  EXPECT_EQ(assign_release(*ctx_, "9.9.9", "PF1").error().code, Code::kNotFound);
  EXPECT_EQ(assign_release(*ctx_, "2.0.0", "NOPE").error().code, Code::kNotFound);
}

TEST_F(DeploymentsTest, FailureAndCancelPaths) {
  auto d = assign_release(*ctx_, "2.0.0", "PF1");
  ASSERT_TRUE(record_feedback(*ctx_, terminal_, d->id, {"closed", "failure", {"bad signature"}, 10}));
  EXPECT_EQ(store_->deployment(d->id)->result, "failure");
  EXPECT_EQ(store_->deployment(d->id)->message, "bad signature");
  EXPECT_EQ(store_->terminal_by_id(terminal_.id)->installed_version, "");

  auto d2 = assign_release(*ctx_, "2.0.0", "PF1");
  ASSERT_TRUE(d2);
  ASSERT_TRUE(request_cancel(*ctx_, d2->id));
  // The terminal refuses: the action goes on.
  ASSERT_TRUE(record_cancel_feedback(*ctx_, terminal_, d2->id, {"rejected", "none", {"installing"}, 0}));
  EXPECT_EQ(store_->deployment(d2->id)->status, "running");
  ASSERT_TRUE(request_cancel(*ctx_, d2->id));
  ASSERT_TRUE(record_cancel_feedback(*ctx_, terminal_, d2->id, {"closed", "success", {}, 0}));
  EXPECT_EQ(store_->deployment(d2->id)->status, "canceled");
  EXPECT_EQ(request_cancel(*ctx_, d2->id).error().code, Code::kConflict);
}

TEST_F(DeploymentsTest, RejectsUnknownExecutionAndForeignActions) {
  auto d = assign_release(*ctx_, "2.0.0", "PF1");
  EXPECT_EQ(record_feedback(*ctx_, terminal_, d->id, {"dancing", "none", {}, 0}).error().code, Code::kInvalidArgument);
  auto other = register_terminal(*ctx_, "PF2", "A920");
  EXPECT_EQ(record_feedback(*ctx_, other->record, d->id, {"closed", "success", {}, 0}).error().code, Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::domain
