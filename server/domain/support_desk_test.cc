#include "server/domain/support_desk.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>

#include "core/clock.h"
#include "core/fs.h"
#include "core/testing/temp_dir.h"
#include "server/domain/accounts.h"
#include "server/domain/audit.h"
#include "server/domain/policy.h"
#include "server/domain/support.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

class SupportDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("posfleet.db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(
        Context{.store = *store_, .artifacts = *artifacts_, .data_dir = dir_.path()});
  }
  std::int64_t ticket() {
    auto id = store_->insert_ticket({0, 1, "PF1", "1.0.0", "{}", "hi", "open", "", 1, 1});
    EXPECT_TRUE(id);
    return *id;
  }
  std::vector<AuditEntry> audit() { return *store_->audit_entries(0, 1000); }
  posfleet::testing::TempDir dir_{"posfleet_desk_domain"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  const Actor amy_{"amy", "support", "support"};
};

TEST_F(SupportDeskTest, NotesNeedTextWithinTheLimitAndAreAudited) {
  const auto id = ticket();
  EXPECT_EQ(add_ticket_note(*ctx_, id, " \n ", amy_).error().code, Code::kInvalidArgument);
  std::string long_note;
  for (int i = 0; i < 1001; ++i) long_note += "长";
  EXPECT_EQ(add_ticket_note(*ctx_, id, long_note, amy_).error().code, Code::kInvalidArgument);
  EXPECT_TRUE(add_ticket_note(*ctx_, id, long_note.substr(3), amy_));  // 1000 characters
  EXPECT_EQ(add_ticket_note(*ctx_, 999, "x", amy_).error().code, Code::kNotFound);
  auto n = add_ticket_note(*ctx_, id, "  called back  ", amy_);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->text, "called back");
  EXPECT_EQ(n->author, "amy");
  const auto log = audit();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().action, "ticket.note");
  EXPECT_EQ(log.back().target, "ticket:" + std::to_string(id));
  EXPECT_EQ(log.back().actor, "amy");
}

TEST_F(SupportDeskTest, ClosingNeedsANoteWhichJoinsTheNotesAndHappensOnce) {
  const auto id = ticket();
  EXPECT_EQ(close_ticket(*ctx_, id, "", amy_).error().code, Code::kInvalidArgument);
  ASSERT_TRUE(close_ticket(*ctx_, id, "turned updates off", amy_));
  EXPECT_EQ(store_->ticket(id)->status, "closed");
  auto notes = store_->ticket_notes(id);
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ(notes->front().text, "turned updates off");
  EXPECT_EQ(close_ticket(*ctx_, id, "again", amy_).error().code, Code::kWrongState);
}

TEST_F(SupportDeskTest, LookupNeedsTwoCharacters) {
  EXPECT_EQ(find_merchants(*ctx_, " 张 ").error().code, Code::kInvalidArgument);
  EXPECT_TRUE(find_merchants(*ctx_, "张三"));
  // Two NULs are two code points but no search: they matched every merchant.
  EXPECT_EQ(find_merchants(*ctx_, std::string("\0\0", 2)).error().code, Code::kInvalidArgument);
  EXPECT_EQ(find_merchants(*ctx_, "\xE5\xBC").error().code, Code::kInvalidArgument);
  EXPECT_EQ(find_merchants(*ctx_, std::string(101, 'a')).error().code, Code::kInvalidArgument);
}

TEST_F(SupportDeskTest, TicketsKeepWholeCharactersAndAreBoundedPerDay) {
  auto reg = register_terminal(*ctx_, "PFT1", "A920");
  ASSERT_TRUE(reg);
  std::string chinese;
  for (int i = 0; i < 1000; ++i) chinese += "打";
  auto whole = open_ticket(*ctx_, reg->record, chinese, "1.0.0");
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(store_->ticket(whole->id)->message, chinese);  // 3,000 bytes, not cut at 2,000
  EXPECT_EQ(audit().back().after, chinese);
  auto too_long = open_ticket(*ctx_, reg->record, chinese + chinese + "打", "");
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("at most 2000"), std::string::npos);
  EXPECT_FALSE(open_ticket(*ctx_, reg->record, "ok\xE6\x89", ""));
  EXPECT_FALSE(open_ticket(*ctx_, reg->record, "ok", std::string("1.0\0", 4)));
  for (std::size_t i = 1; i < limits::kTicketsPerDay; ++i)
    ASSERT_TRUE(open_ticket(*ctx_, reg->record, "again", ""));
  auto flood = open_ticket(*ctx_, reg->record, "again", "");
  ASSERT_FALSE(flood);
  EXPECT_EQ(flood.error().code, Code::kTooManyRequests);
}

TEST_F(SupportDeskTest, TheLastAdministratorStays) {
  const Actor root{"root", "user", "console"};
  ASSERT_TRUE(create_user(*ctx_, "ann", Role::kAdmin, "ann-password", root));
  EXPECT_EQ(change_user(*ctx_, "ann", std::nullopt, true, "", root).error().code,
            Code::kWrongState);
  EXPECT_EQ(change_user(*ctx_, "ann", Role::kAuditor, std::nullopt, "", root).error().code,
            Code::kWrongState);
  EXPECT_EQ(change_user(*ctx_, "ann", std::nullopt, std::nullopt, "", root).error().code,
            Code::kInvalidArgument);
  ASSERT_TRUE(create_user(*ctx_, "ben", Role::kAdmin, "ben-password", root));
  EXPECT_TRUE(
      change_user(*ctx_, "ann", std::nullopt, true, "", root));  // ben is still an administrator
  EXPECT_EQ(change_user(*ctx_, "ben", Role::kSupport, std::nullopt, "", root).error().code,
            Code::kWrongState);
  EXPECT_TRUE(change_user(*ctx_, "ann", std::nullopt, false, "", root));
  EXPECT_TRUE(change_user(*ctx_, "ben", Role::kSupport, std::nullopt, "", root));
}

TEST_F(SupportDeskTest, VerifyFindsAnEditedEntryAndACutEnd) {
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(record_audit(*ctx_, amy_, "x", "fleet", "", std::to_string(i), ""));
  auto v = verify_audit(*ctx_);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->check.ok);
  EXPECT_EQ(v->check.entries, 3);
  EXPECT_EQ(v->head.id, 3);

  // Entries cut off the end: the anchor outside the database remembers more.
  ASSERT_TRUE(write_file_atomic(dir_.file("audit-head.json"), R"({"id":4,"hash":"ab"})"));
  v = verify_audit(*ctx_);
  EXPECT_FALSE(v->check.ok);
  EXPECT_NE(v->check.problem.find("removed from the end"), std::string::npos);
  ASSERT_TRUE(write_file_atomic(dir_.file("audit-head.json"),
                                R"({"id":3,"hash":")" + audit().back().hash + R"("})"));

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("posfleet.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(
          db,
          "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET after = 'changed' WHERE id = 2",
          nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  v = verify_audit(*ctx_);
  EXPECT_FALSE(v->check.ok);
  EXPECT_EQ(v->check.first_bad_id, 2);
  EXPECT_NE(v->check.problem.find("entry 2 was altered"), std::string::npos);
}

TEST_F(SupportDeskTest, ALockedTerminalIsPassedToAnAdministratorNotADeadEnd) {
  auto t = register_terminal(*ctx_, "PF9", "A920");
  ASSERT_TRUE(t);
  auto m = store_->insert_merchant({0, "张三", "13800138000", "sealed", 1});
  ASSERT_TRUE(m);
  ASSERT_TRUE(store_->set_terminal_merchant(t->record.id, *m));
  auto ticket_id =
      store_->insert_ticket({0, t->record.id, "PF9", "1.0.0", "{}", "please", "open", "", 1, 1});
  ASSERT_TRUE(ticket_id);
  PolicyPatch lock;
  lock.mode = PolicyMode::kAuto;
  lock.locked = true;
  lock.lock_reason = "peak season";
  ASSERT_TRUE(change_policy(*ctx_, "terminal", "PF9", lock, {"root", "user", "console"}, "peak"));
  auto v = store_->insert_verification({0, *m, "amy", "h", "code_sent", 0, 1, unix_now() + 300, 0});
  ASSERT_TRUE(v);
  ASSERT_TRUE(*store_->mark_verified(*v, unix_now() + 900));
  PolicyPatch never;
  never.mode = PolicyMode::kNever;
  auto refused = support_change_policy(*ctx_, *v, never, "merchant asks", amy_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kLocked);
  EXPECT_NE(refused.error().message.find("ask an administrator"), std::string::npos)
      << refused.error().message;

  auto asked = support_ask_admin(*ctx_, *v, never, "merchant asks", amy_);
  ASSERT_TRUE(asked) << asked.error().message;
  EXPECT_EQ(*asked, std::vector<std::string>{"PF9"});
  const auto log = audit();
  EXPECT_EQ(log.back().action, "support.ask_admin");
  EXPECT_EQ(log.back().target, "terminal:PF9");
  EXPECT_EQ(log.back().after, "mode never");
  auto notes = store_->ticket_notes(*ticket_id);
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_NE(notes->front().text.find("administrator"), std::string::npos);
  auto told = store_->notifications(t->record.id, 0, 10);
  ASSERT_TRUE(told);
  EXPECT_TRUE(std::any_of(told->begin(), told->end(),
                          [](const auto& n) { return n.kind == "support_ask_admin"; }));
  // The lock holds: only an administrator changes it.
  EXPECT_EQ(effective_policy(*ctx_, *store_->terminal_by_id(t->record.id))->mode,
            PolicyMode::kAuto);
}

}  // namespace
}  // namespace posfleet::domain
