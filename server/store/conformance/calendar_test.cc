// Store conformance: the calendar area keeps freezes (listed by first day, those ended before a
// day left out, deleted once) and the time zones of terminals and merchants.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

FreezeRecord freeze_of(const std::string& from, const std::string& to,
                       const std::string& group = "") {
  return FreezeRecord{
      0, group.empty() ? "fleet" : "group", group, from, to, "双十一", "hold", "alice", 100};
}

TEST_P(CalendarConformance, KeepsFreezesInDateOrderAndLeavesOutThoseEnded) {
  auto a = store().insert_freeze(freeze_of("2026-11-10", "2026-11-12"));
  auto b = store().insert_freeze(freeze_of("2026-02-01", "2026-02-07", "pilot"));
  auto c = store().insert_freeze(freeze_of("2026-10-30", "2026-10-31"));
  ASSERT_TRUE(a && b && c);
  EXPECT_NE(*a, *b);
  auto all = store().list_freezes("", 100);
  ASSERT_TRUE(all) << all.error().to_string();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, *b);
  EXPECT_EQ((*all)[0].scope, "group");
  EXPECT_EQ((*all)[0].group, "pilot");
  EXPECT_EQ((*all)[1].id, *c);
  EXPECT_EQ((*all)[2].id, *a);
  EXPECT_EQ((*all)[2].reason, "双十一");
  EXPECT_EQ((*all)[2].security, "hold");
  EXPECT_EQ((*all)[2].created_by, "alice");
  EXPECT_EQ((*all)[2].created, 100);
  // Ended before 2026-10-31: only the February one is left out; the day itself counts.
  auto open = store().list_freezes("2026-10-31", 100);
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].id, *c);
  EXPECT_EQ(store().list_freezes("", 1)->size(), 1u);
  auto one = store().freeze(*a);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->to, "2026-11-12");
  ASSERT_TRUE(store().delete_freeze(*a));
  EXPECT_EQ(store().freeze(*a).error().code, Code::kNotFound);
  EXPECT_EQ(store().delete_freeze(*a).error().code, Code::kNotFound);
  EXPECT_EQ(store().list_freezes("", 100)->size(), 2u);
}

TEST_P(CalendarConformance, AFailedTransactionStoresNoFreeze) {
  auto s = store().transact([](Tx& tx) -> Status {
    if (auto id = tx.insert_freeze(freeze_of("2026-11-11", "2026-11-11")); !id) return id.error();
    return make_error(Code::kInternal, "the audit write failed");
  });
  EXPECT_FALSE(s);
  EXPECT_TRUE(store().list_freezes("", 10)->empty());
}

TEST_P(CalendarConformance, KeepsTheTimeZonesOfTerminalsAndMerchants) {
  const auto t = terminal("TZ-1");
  EXPECT_EQ(store().terminal_by_id(t)->time_zone, "");
  ASSERT_TRUE(store().set_terminal_time_zone(t, "Asia/Urumqi"));
  EXPECT_EQ(store().terminal_by_id(t)->time_zone, "Asia/Urumqi");
  EXPECT_EQ(store().terminal_by_serial("DEFAULT", "TZ-1")->time_zone, "Asia/Urumqi");
  ASSERT_TRUE(store().set_terminal_time_zone(t, ""));
  EXPECT_EQ(store().terminal_by_id(t)->time_zone, "");
  EXPECT_EQ(store().set_terminal_time_zone(t + 1000, "UTC").error().code, Code::kNotFound);
  const auto m = merchant("张三");
  EXPECT_EQ(*store().merchant_time_zone(m), "");
  ASSERT_TRUE(store().set_merchant_time_zone(m, "Asia/Shanghai"));
  EXPECT_EQ(*store().merchant_time_zone(m), "Asia/Shanghai");
  EXPECT_EQ(store().merchant_time_zone(m + 1000).error().code, Code::kNotFound);
  EXPECT_EQ(store().set_merchant_time_zone(m + 1000, "UTC").error().code, Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::store::conformance
