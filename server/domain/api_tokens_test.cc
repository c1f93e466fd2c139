#include "server/domain/api_tokens.h"
#include "server/domain/audit.h"

#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"
#include "server/domain/tokens.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

class ApiTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(Context{.store = *store_, .artifacts = *artifacts_});
  }
  posfleet::testing::TempDir dir_{"posfleet_api_tokens"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  const Actor admin_{"admin", "user", "api"};
};

TEST_F(ApiTokensTest, OnlyTheHashIsKeptAndARevokedTokenIsRefusedAtOnce) {
  auto t = create_api_token(*ctx_, "ci-deploy", Role::kReleaseManager, admin_);
  ASSERT_TRUE(t) << t.error().message;
  auto listed = list_api_tokens(*ctx_);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].token_hash, hash_token(t->token));
  EXPECT_EQ((*listed)[0].last_used, 0);

  auto who = authenticate_api_token(*ctx_, t->token);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->name, "ci-deploy");
  EXPECT_NE((*list_api_tokens(*ctx_))[0].last_used, 0);  // noted

  auto revoked = revoke_api_token(*ctx_, t->record.id, admin_, "laptop lost");
  ASSERT_TRUE(revoked) << revoked.error().message;
  auto refused = authenticate_api_token(*ctx_, t->token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kUnauthorized);
  EXPECT_NE(refused.error().message.find("revoked"), std::string::npos);
  EXPECT_EQ(revoke_api_token(*ctx_, t->record.id, admin_, "").error().code, Code::kWrongState);
  EXPECT_EQ(revoke_api_token(*ctx_, 999, admin_, "").error().code, Code::kNotFound);
  // Still listed (as revoked) and still counted, so a start-up never makes
  // a revoked bootstrap token again.
  EXPECT_NE((*list_api_tokens(*ctx_))[0].revoked, 0);
  EXPECT_EQ(*store_->count_api_tokens(), 1);

  const auto log = *store_->audit_entries(0, 100);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, "token.create");
  EXPECT_EQ(log[1].action, "token.revoke");
  EXPECT_EQ(log[1].reason, "laptop lost");
  for (const auto& e : log) EXPECT_EQ(e.after.find(t->token), std::string::npos);
}

TEST_F(ApiTokensTest, NamesAndReasonsAreBounded) {
  const std::vector<std::string> bad_names = {"",       std::string(65, 'a'),     " lead",
                                              "evil\n", std::string("nul\0x", 5), "\xe5\x90"};
  for (const auto& bad : bad_names)
    EXPECT_EQ(create_api_token(*ctx_, bad, Role::kAuditor, admin_).error().code,
              Code::kInvalidArgument)
        << bad;
  EXPECT_TRUE(create_api_token(*ctx_, std::string(64, 'a'), Role::kAuditor, admin_));
  EXPECT_TRUE(create_api_token(*ctx_, "审计-巡检", Role::kAuditor, admin_));
  EXPECT_TRUE(check_reason("设备丢失", "say why"));
  EXPECT_FALSE(check_reason("", "say why"));
  EXPECT_TRUE(check_reason("", nullptr));
  EXPECT_FALSE(check_reason("\xe8\xae", nullptr));  // cut inside a character
  EXPECT_FALSE(check_reason("\xc0\xaf", nullptr));  // overlong
  EXPECT_FALSE(check_reason("bell\x07", nullptr));
}

}  // namespace
}  // namespace posfleet::domain
