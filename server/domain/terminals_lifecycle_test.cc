#include "server/domain/terminals_lifecycle.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/hashing.h"
#include "core/testing/temp_dir.h"
#include "server/domain/deployments.h"
#include "server/domain/onboarding.h"
#include "server/domain/policy_bulk.h"
#include "server/domain/rollout.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

class TerminalLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(Context{.store = *store_, .artifacts = *artifacts_});
    auto t = register_terminal(*ctx_, "PF1", "A920");
    ASSERT_TRUE(t);
    token_ = t->token;
    ASSERT_TRUE(register_terminal(*ctx_, "PF2", "A920"));
    ASSERT_TRUE(store_->put_artifact({"aa", "s1", "m5", 3}));
    store::ReleaseRecord r{
        0, "2.0.0", "{}", "A920", "k", 100, 1, false, {{0, 0, "os", "2.0.0", "os.img", "aa", 3}}};
    ASSERT_TRUE(store_->insert_release(r));
  }
  Expected<store::TerminalRecord> poll_as(const std::string& serial, const std::string& token) {
    return authenticate_terminal(*ctx_, "DEFAULT", serial, "TargetToken " + token);
  }
  std::vector<AuditEntry> audit() { return *store_->audit_entries(0, 1000); }

  posfleet::testing::TempDir dir_{"posfleet_lifecycle"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  std::string token_;
  const Actor admin_{"admin", "user", "api"};
};

TEST_F(TerminalLifecycleTest, RetiredTerminalIsRefusedAtOnceAndItsDeploymentCanceled) {
  ASSERT_TRUE(poll_as("PF1", token_));
  auto d = assign_release(*ctx_, "2.0.0", "PF1");
  ASSERT_TRUE(d);
  EXPECT_EQ(retire_terminal(*ctx_, "PF1", "  ", admin_).error().code, Code::kInvalidArgument);
  EXPECT_EQ(retire_terminal(*ctx_, "PF1", std::string(501, 'x'), admin_).error().code,
            Code::kInvalidArgument);
  EXPECT_EQ(retire_terminal(*ctx_, "PF1", "bad \xe9 byte", admin_).error().code,
            Code::kInvalidArgument);
  EXPECT_EQ(retire_terminal(*ctx_, "NOPE", "stolen", admin_).error().code, Code::kNotFound);

  auto r = retire_terminal(*ctx_, "PF1", "stolen from the shop", admin_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(r->terminal.retired, 0);
  ASSERT_TRUE(r->canceled);
  EXPECT_EQ(r->canceled->id, d->id);
  EXPECT_EQ(store_->deployment(d->id)->status, store::DeploymentStatus::kCanceled);
  auto refused = poll_as("PF1", token_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kUnauthorized);
  EXPECT_EQ(retire_terminal(*ctx_, "PF1", "again", admin_).error().code, Code::kConflict);

  // Out of deployments, roll-outs, bulk edits and the overview's counts.
  EXPECT_EQ(assign_release(*ctx_, "2.0.0", "PF1").error().code, Code::kWrongState);
  auto many = assign_many(*ctx_, *store_->release_by_version("2.0.0"),
                          Targets{{*store_->terminal_by_serial("DEFAULT", "PF1"),
                                   *store_->terminal_by_serial("DEFAULT", "PF2")},
                                  0,
                                  ""},
                          true);
  ASSERT_TRUE(many);
  EXPECT_EQ(many->created, 1);
  EXPECT_EQ(many->skipped["retired"], 1);
  store::TerminalQuery q;
  q.model = "A920";
  auto matching = all_matching(*ctx_, q, "narrow it");
  ASSERT_TRUE(matching);
  ASSERT_EQ(matching->size(), 1u);
  EXPECT_EQ((*matching)[0].serial, "PF2");
  auto o = store_->overview(0, 0, unix_now());
  ASSERT_TRUE(o);
  EXPECT_EQ(o->online + o->offline, 1);
  EXPECT_EQ(o->mode_auto, 1);
  // Still listed, as retired.
  q.retired = true;
  EXPECT_EQ(*store_->count_terminals(q), 1);

  const auto entries = audit();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back().action, "terminal.retire");
  EXPECT_EQ(entries.back().target, "terminal:PF1");
  EXPECT_EQ(entries.back().reason, "stolen from the shop");
  EXPECT_NE(entries.back().after.find("deployment " + std::to_string(d->id) + " canceled"),
            std::string::npos);
}

TEST_F(TerminalLifecycleTest, RetirementVoidsActivationCodesAndEnrolmentIsRefused) {
  const std::string code_hash = sha256_hex("posfleet activation:ABCD2345");
  ASSERT_TRUE(store_->insert_activation(
      {0, code_hash, "PF1", "A920", 0, 0, unix_now() + 3600, 0, unix_now()}));
  ASSERT_TRUE(retire_terminal(*ctx_, "PF1", "returned", admin_));
  EXPECT_EQ(store_->activation_by_hash(code_hash)->used, -1);
  auto e = enroll_terminal(*ctx_, "ABCD-2345", "PF1", "A920", "127.0.0.1");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, Code::kWrongState);
  EXPECT_NE(e.error().message.find("retired"), std::string::npos);
}

TEST_F(TerminalLifecycleTest, RotationRefusesTheOldTokenAndAcceptsTheNewOne) {
  auto r = rotate_terminal_token(*ctx_, "PF1", "token leaked in a log", admin_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(r->token, token_);
  EXPECT_EQ(poll_as("PF1", token_).error().code, Code::kUnauthorized);
  EXPECT_TRUE(poll_as("PF1", r->token));
  EXPECT_EQ(audit().back().action, "terminal.token_rotate");
  EXPECT_EQ(audit().back().after.find(r->token), std::string::npos);  // never in the log
  ASSERT_TRUE(retire_terminal(*ctx_, "PF1", "returned", admin_));
  EXPECT_EQ(rotate_terminal_token(*ctx_, "PF1", "", admin_).error().code, Code::kConflict);
  EXPECT_EQ(poll_as("PF1", r->token).error().code, Code::kUnauthorized);
}

TEST_F(TerminalLifecycleTest, ARetiredSerialIsRegisteredAgainAsANewTerminal) {
  ASSERT_TRUE(
      store_->set_terminal_group(store_->terminal_by_serial("DEFAULT", "PF1")->id, "north"));
  EXPECT_EQ(register_terminal(*ctx_, "PF1", "A920").error().code, Code::kConflict);  // in service
  ASSERT_TRUE(retire_terminal(*ctx_, "PF1", "refurbished", admin_));
  auto again = register_terminal(*ctx_, "PF1", "A930");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->reregistered);
  EXPECT_EQ(poll_as("PF1", token_).error().code, Code::kUnauthorized);
  auto t = poll_as("PF1", again->token);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->retired, 0);
  EXPECT_EQ(t->model, "A930");
  EXPECT_EQ(t->group, "");
}

}  // namespace
}  // namespace posfleet::domain
