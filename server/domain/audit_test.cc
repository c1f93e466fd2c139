// The audit anchor follows only committed changes: a change nested inside
// another joins its transaction, and if the outer one rolls back, the anchor
// must not point past the log.
#include "server/domain/audit.h"

#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

class AuditAnchorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(
        Context{.store = *store_, .artifacts = *artifacts_, .data_dir = dir_.path()});
  }
  posfleet::testing::TempDir dir_{"posfleet_audit"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  Actor admin_{"admin", "user", "console"};
};

TEST_F(AuditAnchorTest, ANestedChangeMovesTheAnchorOnlyWhenTheOuterOneCommits) {
  ASSERT_TRUE(record_audit(*ctx_, admin_, "user.create", "user:a", "", "", ""));
  ASSERT_EQ(audit_head(*ctx_).id, 1);
  Status outer = commit_change(*ctx_, [&](store::Tx&) -> Status {
    if (auto s = record_audit(*ctx_, admin_, "user.change", "user:a", "", "", ""); !s) return s;
    return make_error(Code::kWrongState, "the outer change fails after the inner one");
  });
  ASSERT_FALSE(outer);
  EXPECT_EQ(audit_head(*ctx_).id, 1);
  auto check = verify_audit(*ctx_);
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->check.ok) << check->check.problem;
  EXPECT_EQ(check->check.entries, 1);

  ASSERT_TRUE(commit_change(*ctx_, [&](store::Tx&) -> Status {
    return record_audit(*ctx_, admin_, "user.change", "user:a", "", "", "");
  }));
  EXPECT_EQ(audit_head(*ctx_).id, 2);
}

}  // namespace
}  // namespace posfleet::domain
