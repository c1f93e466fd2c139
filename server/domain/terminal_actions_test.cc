// Remote actions in the domain: asked with a reason (audited), at most 10 waiting; a terminal
// finishes only its own; a bundle is capped and scrubbed again here before it is kept; the
// download is audited; another reseller's terminal is as missing.
#include "server/domain/terminal_actions.h"

#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"
#include "server/domain/organisations.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

class TerminalActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(Context{.store = *store_, .artifacts = *artifacts_});
    ASSERT_TRUE(register_terminal(*ctx_, "A-1", "A920"));
    ASSERT_TRUE(register_terminal(*ctx_, "A-2", "A920"));
  }
  store::TerminalRecord terminal(const char* serial) {
    return *store_->terminal_by_serial("DEFAULT", serial);
  }
  posfleet::testing::TempDir dir_{"posfleet_actions"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  Actor amy_{"amy", "support", "console"};
};

TEST_F(TerminalActionsTest, AskedFinishedAndTheBundleScrubbedAgain) {
  EXPECT_EQ(request_action(*ctx_, Scope{}, "A-1", "format", "x", amy_).error().code,
            Code::kInvalidArgument);
  EXPECT_EQ(request_action(*ctx_, Scope{}, "A-1", "logs", "", amy_).error().code,
            Code::kInvalidArgument);
  auto logs = request_action(*ctx_, Scope{}, "A-1", "logs", "打印异常", amy_);
  ASSERT_TRUE(logs) << logs.error().to_string();
  auto pending = pending_actions(*ctx_, terminal("A-1"));
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].kind, "logs");
  EXPECT_TRUE(pending_actions(*ctx_, terminal("A-2"))->empty());

  EXPECT_EQ(bundle_uploaded(*ctx_, terminal("A-2"), logs->id, "x").error().code, Code::kNotFound)
      << "another terminal's action";
  EXPECT_EQ(bundle_uploaded(*ctx_, terminal("A-1"), logs->id, std::string(kMaxBundleBytes + 1, 'a'))
                .error()
                .code,
            Code::kTooLarge);
  ASSERT_TRUE(bundle_uploaded(*ctx_, terminal("A-1"), logs->id, "card 6222021234567890128\n"));
  EXPECT_TRUE(pending_actions(*ctx_, terminal("A-1"))->empty());
  auto bundle = download_bundle(*ctx_, Scope{}, "A-1", logs->id, amy_);
  ASSERT_TRUE(bundle);
  EXPECT_EQ(*bundle, "card [card]\n") << "scrubbed here too";
  EXPECT_EQ(download_bundle(*ctx_, Scope{}, "A-2", logs->id, amy_).error().code, Code::kNotFound);

  auto reboot = request_action(*ctx_, Scope{}, "A-1", "reboot", "远程重启", amy_);
  ASSERT_TRUE(reboot);
  EXPECT_EQ(bundle_uploaded(*ctx_, terminal("A-1"), reboot->id, "x").error().code,
            Code::kWrongState);
  ASSERT_TRUE(action_finished(*ctx_, terminal("A-1"), reboot->id, true, "restarting"));
  EXPECT_EQ(store_->terminal_action(reboot->id)->state, "done");
  for (int i = 0; i < kMaxPendingActions; ++i)
    ASSERT_TRUE(request_action(*ctx_, Scope{}, "A-2", "reboot", "r", amy_));
  EXPECT_EQ(request_action(*ctx_, Scope{}, "A-2", "reboot", "r", amy_).error().code,
            Code::kTooManyRequests);
  int audited = 0;
  auto log = store_->audit_entries(0, 1000);
  ASSERT_TRUE(log);
  for (const auto& e : *log)
    if (e.action.starts_with("terminal.action.") || e.action == "terminal.bundle.download")
      ++audited;
  EXPECT_EQ(audited, 3 + kMaxPendingActions);
}

TEST_F(TerminalActionsTest, AnotherResellersTerminalIsMissing) {
  auto east = create_organisation(*ctx_, Scope{}, {"华东代理", "reseller", 0}, amy_);
  ASSERT_TRUE(east);
  auto r = request_action(*ctx_, Scope{east->id, east->path}, "A-1", "logs", "x", amy_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kNotFound);
  EXPECT_EQ(actions_of(*ctx_, Scope{east->id, east->path}, "A-1").error().code, Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::domain
