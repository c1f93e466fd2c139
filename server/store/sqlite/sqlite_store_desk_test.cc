#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::store {
namespace {

class DeskStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::open(dir_.file("posfleet.db"));
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
  }
  std::int64_t terminal(const std::string& serial, std::int64_t merchant = 0) {
    auto id = store_->insert_terminal(
        {0, "DEFAULT", serial, "A920", "h-" + serial, "", "{}", 1, 0, "", 0, 0, ""});
    EXPECT_TRUE(id);
    if (merchant) {
      EXPECT_TRUE(store_->set_terminal_merchant(*id, merchant));
    }
    return *id;
  }
  std::int64_t ticket(const std::string& serial, const std::string& status) {
    auto id = store_->insert_ticket({0, 1, serial, "1.0.0", "{}", "hi", status, "", 10, 10});
    EXPECT_TRUE(id);
    return *id;
  }
  void audit(const std::string& actor, const std::string& kind, const std::string& path,
             const std::string& target, std::int64_t time) {
    AuditEntry e;
    e.time = time;
    e.actor = actor;
    e.actor_kind = kind;
    e.path = path;
    e.action = "x";
    e.target = target;
    ASSERT_TRUE(store_->append_audit(e));
  }
  posfleet::testing::TempDir dir_{"posfleet_desk"};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(DeskStoreTest, TicketQueueShowsOpenFirstAndFiltersBySerial) {
  const auto a = ticket("PF1", "open"), b = ticket("PF2", "closed"), c = ticket("PF1", "open");
  auto all = store_->query_tickets({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, c);  // open, newest first
  EXPECT_EQ((*all)[1].id, a);
  EXPECT_EQ((*all)[2].id, b);  // closed last
  EXPECT_EQ(*store_->count_tickets({"open", "", 0, 1}), 2);
  EXPECT_EQ(*store_->count_tickets({"", "PF2", 0, 1}), 1);
  auto page = store_->query_tickets({"", "", 1, 1});
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().id, a);
}

TEST_F(DeskStoreTest, NotesStayWithTheirTicketInOrder) {
  const auto t = ticket("PF1", "open"), other = ticket("PF2", "open");
  ASSERT_TRUE(store_->insert_ticket_note({0, t, "amy", "called back", 5}));
  ASSERT_TRUE(store_->insert_ticket_note({0, other, "bob", "elsewhere", 6}));
  ASSERT_TRUE(store_->insert_ticket_note({0, t, "amy", "done", 7}));
  auto notes = store_->ticket_notes(t);
  ASSERT_TRUE(notes);
  ASSERT_EQ(notes->size(), 2u);
  EXPECT_EQ((*notes)[0].text, "called back");
  EXPECT_EQ((*notes)[1].text, "done");
}

TEST_F(DeskStoreTest, MerchantLookupByNamePhoneOrSerial) {
  auto zhang = store_->insert_merchant({0, "张三便利店", "13800138000", "enc", 1});
  auto li = store_->insert_merchant({0, "Li 50%_Shop", "13900139000", "enc", 1});
  ASSERT_TRUE(zhang && li);
  terminal("WEB0042", *li);
  auto names = [&](const std::string& q) {
    std::vector<std::string> out;
    auto found = store_->search_merchants(q, 20);
    EXPECT_TRUE(found);
    for (const auto& m : *found) out.push_back(m.legal_name);
    return out;
  };
  EXPECT_EQ(names("便利"), std::vector<std::string>{"张三便利店"});
  EXPECT_EQ(names("13800138000"), std::vector<std::string>{"张三便利店"});
  EXPECT_TRUE(names("1380013").empty());  // a phone matches whole, not by parts
  EXPECT_EQ(names("web00"), std::vector<std::string>{"Li 50%_Shop"});
  EXPECT_EQ(names("50%_"), std::vector<std::string>{"Li 50%_Shop"});
  EXPECT_TRUE(names("Li%Shop").empty());  // a wildcard is a character here
}

TEST_F(DeskStoreTest, AuditFiltersByActorPathTerminalAndTime) {
  audit("amy", "support", "support", "terminal:PF1", 100);
  audit("PF1", "terminal", "terminal", "ticket:1", 200);
  audit("bob", "user", "console", "terminal:PF2", 300);
  audit("amy", "user", "console", "user:carl", 400);
  auto ids = [&](AuditQuery q) {
    std::vector<std::int64_t> out;
    auto found = store_->query_audit(q);
    EXPECT_TRUE(found);
    for (const auto& e : *found) out.push_back(e.id);
    return out;
  };
  AuditQuery q;
  q.actor = "amy";
  EXPECT_EQ(ids(q), (std::vector<std::int64_t>{1, 4}));
  q = {};
  q.terminal = "PF1";
  EXPECT_EQ(ids(q), (std::vector<std::int64_t>{1, 2}));
  q = {};
  q.path = "console";
  q.from = 300;
  q.to = 300;
  EXPECT_EQ(ids(q), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(*store_->count_audit(q), 1);
  q = {};
  q.newest_first = true;
  q.limit = 2;
  q.offset = 1;
  EXPECT_EQ(ids(q), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(*store_->count_audit(q), 4);
}

}  // namespace
}  // namespace posfleet::store
