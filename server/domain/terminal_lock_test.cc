// Locking a terminal in the domain: a lock needs a reason and is audited, once at a time; the
// poll's notice carries a check the code matches and nothing the code can be read from; only a
// support agent whose verification of the terminal's merchant holds gets the code; the terminal
// unlocking with it or being told of a lifted lock ends it; another reseller's terminal is as
// missing; the code is sealed at rest.
#include "server/domain/terminal_lock.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "core/signing.h"
#include "core/testing/temp_dir.h"
#include "core/unlock_code.h"
#include "server/domain/organisations.h"
#include "server/domain/secrets.h"
#include "server/domain/support.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

class TerminalLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(init_crypto().ok());
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    secrets_ = std::make_unique<SecretBox>(*SecretBox::open(dir_.file("secret.key")));
    ctx_ = std::make_unique<Context>(Context{.store = *store_,
                                             .artifacts = *artifacts_,
                                             .data_dir = dir_.path(),
                                             .secrets = secrets_.get()});
    ASSERT_TRUE(register_terminal(*ctx_, "L-1", "A920"));
    auto m = create_merchant(*ctx_, "张三", "13800138000", "110101199003077777", admin_);
    ASSERT_TRUE(m) << m.error().to_string();
    merchant_ = m->id;
    ASSERT_TRUE(link_terminal(*ctx_, merchant_, "L-1", admin_));
  }
  store::TerminalRecord terminal() { return *store_->terminal_by_serial("DEFAULT", "L-1"); }
  // A verification of the merchant by `agent`, verified (the SMS step is support.cc's tests').
  std::int64_t verified(const std::string& agent) {
    store::VerificationRecord v;
    v.merchant_id = merchant_;
    v.agent = agent;
    v.created = unix_now();
    v.expires = unix_now() + 300;
    auto id = store_->insert_verification(v);
    EXPECT_TRUE(id);
    EXPECT_TRUE(*store_->mark_verified(*id, unix_now() + 900));
    return *id;
  }
  std::vector<std::string> actions() {
    std::vector<std::string> out;
    auto all = store_->audit_entries(0, 1000);
    EXPECT_TRUE(all);
    if (all)
      for (const auto& e : *all) out.push_back(e.action);
    return out;
  }

  posfleet::testing::TempDir dir_{"posfleet_lock"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<SecretBox> secrets_;
  std::unique_ptr<Context> ctx_;
  std::int64_t merchant_ = 0;
  Actor admin_{"admin", "user", "console"};
  Actor amy_{"amy", "support", "support"};
};

TEST_F(TerminalLockTest, LockedWithACodeOnlyAVerifiedSupportAgentGets) {
  EXPECT_EQ(lock_terminal(*ctx_, Scope{}, "L-1", " ", admin_).error().code, Code::kInvalidArgument);
  auto l = lock_terminal(*ctx_, Scope{}, "L-1", "商户报失", admin_);
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_EQ(lock_terminal(*ctx_, Scope{}, "L-1", "again", admin_).error().code, Code::kConflict);

  auto notice = lock_notice(*ctx_, terminal());
  ASSERT_TRUE(notice && *notice);
  EXPECT_TRUE((*notice)->locked);
  EXPECT_EQ((*notice)->reason, "商户报失");
  auto check = unlock_check_from_json(json::parse((*notice)->check_json)->get_object());
  ASSERT_TRUE(check);

  // No verification, someone else's, or another merchant's terminal: no code.
  EXPECT_EQ(issue_unlock_code(*ctx_, 999, "L-1", "merchant called", amy_).error().code,
            Code::kNotFound);
  const auto bob_verified = verified("bob");
  EXPECT_EQ(issue_unlock_code(*ctx_, bob_verified, "L-1", "merchant called", amy_).error().code,
            Code::kUnauthorized);
  ASSERT_TRUE(register_terminal(*ctx_, "L-2", "A920"));
  const auto mine = verified("amy");
  EXPECT_EQ(issue_unlock_code(*ctx_, mine, "L-2", "merchant called", amy_).error().code,
            Code::kNotFound);
  auto code = issue_unlock_code(*ctx_, mine, "L-1", "商户来电，已核实身份", amy_);
  ASSERT_TRUE(code) << code.error().to_string();
  EXPECT_TRUE(*matches_unlock_check(*check, *code)) << "the code the terminal will check";
  EXPECT_EQ(store_->terminal_lock(terminal().id)->code_issued_by, "amy");
  EXPECT_EQ(store_->terminal_lock(terminal().id)->code_sealed.find(*code), std::string::npos)
      << "sealed at rest";

  // The terminal unlocks with it, and says so; the notice ends, the code is gone.
  EXPECT_EQ(terminal_unlocked(*ctx_, terminal(), l->id + 1, "code").error().code, Code::kNotFound);
  EXPECT_EQ(terminal_unlocked(*ctx_, terminal(), l->id, "remote").error().code, Code::kWrongState)
      << "a lock in force is not lifted by the terminal's say-so";
  ASSERT_TRUE(terminal_unlocked(*ctx_, terminal(), l->id, "code"));
  ASSERT_TRUE(terminal_unlocked(*ctx_, terminal(), l->id, "code")) << "told twice: fine";
  EXPECT_FALSE(*lock_notice(*ctx_, terminal()));
  const auto ended = *store_->terminal_lock(terminal().id);
  EXPECT_EQ(ended.state, "unlocked");
  EXPECT_EQ(ended.ended_how, "code");
  EXPECT_EQ(ended.code_sealed, "");
  EXPECT_EQ(issue_unlock_code(*ctx_, mine, "L-1", "again", amy_).error().code, Code::kWrongState);
  auto log = actions();
  for (const char* a : {"terminal.lock", "support.unlock_code", "terminal.unlocked"})
    EXPECT_NE(std::find(log.begin(), log.end(), a), log.end()) << a;
}

TEST_F(TerminalLockTest, ALiftedLockEndsWhenTheTerminalHearsOfIt) {
  EXPECT_EQ(release_terminal_lock(*ctx_, Scope{}, "L-1", "found", admin_).error().code,
            Code::kWrongState);
  auto l = lock_terminal(*ctx_, Scope{}, "L-1", "报失", admin_);
  ASSERT_TRUE(l);
  ASSERT_TRUE(release_terminal_lock(*ctx_, Scope{}, "L-1", "找到了", admin_));
  auto notice = lock_notice(*ctx_, terminal());
  ASSERT_TRUE(notice && *notice);
  EXPECT_FALSE((*notice)->locked) << "lifted, until the terminal says it heard";
  EXPECT_EQ(terminal_unlocked(*ctx_, terminal(), l->id, "code").error().code, Code::kWrongState);
  ASSERT_TRUE(terminal_unlocked(*ctx_, terminal(), l->id, "remote"));
  EXPECT_FALSE(*lock_notice(*ctx_, terminal()));
  EXPECT_EQ(store_->terminal_lock(terminal().id)->ended_how, "remote");
  EXPECT_TRUE(lock_terminal(*ctx_, Scope{}, "L-1", "又丢了", admin_)) << "locked anew";
}

TEST_F(TerminalLockTest, AnotherResellersTerminalIsMissing) {
  auto east = create_organisation(*ctx_, Scope{}, {"华东代理", "reseller", 0}, admin_);
  auto west = create_organisation(*ctx_, Scope{}, {"西部代理", "reseller", 0}, admin_);
  ASSERT_TRUE(east && west);
  ASSERT_TRUE(move_terminal(*ctx_, Scope{}, "L-1", west->id, admin_, "签约"));
  auto r = lock_terminal(*ctx_, Scope{east->id, east->path}, "L-1", "x", admin_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kNotFound);
  EXPECT_TRUE(lock_terminal(*ctx_, Scope{west->id, west->path}, "L-1", "报失", admin_));
}

}  // namespace
}  // namespace posfleet::domain
