// Store conformance: the health area keeps each terminal's latest report with its conditions,
// adds to the history at most once a terminal per interval, reads the history oldest first,
// prunes what is past the retention, and the terminal filter finds the conditions.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

HealthRecord report(std::int64_t terminal, std::int64_t time, const std::string& sample,
                    bool low_storage = false, bool weak_signal = false, bool low_battery = false) {
  return HealthRecord{terminal, time, sample, low_storage, weak_signal, low_battery};
}

std::vector<std::int64_t> times(const std::vector<HealthRecord>& rows) {
  std::vector<std::int64_t> out;
  for (const auto& r : rows) out.push_back(r.time);
  return out;
}

TEST_P(HealthConformance, KeepsTheLatestAndAHistoryRowPerInterval) {
  const auto a = terminal("H-1");
  auto none = store().latest_health(a);
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_FALSE(*none);
  // Reports at 1000, 1300, 1900, 4700 with an interval of 3600: history at 1000 and 4700.
  for (std::int64_t t : {1000, 1300, 1900, 4700})
    ASSERT_TRUE(store().record_health(
        report(a, t, R"({"battery":)" + std::to_string(t % 100) + "}", t == 1900, false, t == 1900),
        3600));
  auto latest = store().latest_health(a);
  ASSERT_TRUE(latest);
  ASSERT_TRUE(*latest);
  EXPECT_EQ((*latest)->time, 4700);
  EXPECT_EQ((*latest)->sample_json, R"({"battery":0})");
  EXPECT_FALSE((*latest)->low_storage) << "the latest report's conditions, not an earlier one's";
  auto history = store().health_history(a, 0, 100);
  ASSERT_TRUE(history);
  EXPECT_EQ(times(*history), (std::vector<std::int64_t>{1000, 4700}));
  EXPECT_EQ((*history)[0].sample_json, R"({"battery":0})");
  // Since, and the newest `limit` rows, still oldest first.
  ASSERT_TRUE(store().record_health(report(a, 9000, "{}"), 3600));
  EXPECT_EQ(times(*store().health_history(a, 2000, 100)), (std::vector<std::int64_t>{4700, 9000}));
  EXPECT_EQ(times(*store().health_history(a, 0, 2)), (std::vector<std::int64_t>{4700, 9000}));
  // Another terminal's reports are its own.
  const auto b = terminal("H-2");
  ASSERT_TRUE(store().record_health(report(b, 1100, "{}"), 3600));
  EXPECT_EQ(times(*store().health_history(b, 0, 100)), (std::vector<std::int64_t>{1100}));
  EXPECT_EQ(times(*store().health_history(a, 0, 100)),
            (std::vector<std::int64_t>{1000, 4700, 9000}));
}

TEST_P(HealthConformance, PrunesTheHistoryPastTheRetentionInBoundedSteps) {
  const auto a = terminal("H-3");
  for (std::int64_t t = 100; t <= 1000; t += 100)
    ASSERT_TRUE(store().record_health(report(a, t, "{}"), 1));
  auto removed = store().prune_health_history(650, 4);
  ASSERT_TRUE(removed) << removed.error().to_string();
  EXPECT_EQ(*removed, 4);
  EXPECT_EQ(*store().prune_health_history(650, 4), 2);
  EXPECT_EQ(*store().prune_health_history(650, 4), 0);
  EXPECT_EQ(times(*store().health_history(a, 0, 100)),
            (std::vector<std::int64_t>{700, 800, 900, 1000}));
  EXPECT_TRUE(*store().latest_health(a)) << "the latest report stays";
}

TEST_P(HealthConformance, TheTerminalFilterFindsEachCondition) {
  const auto a = terminal("H-4"), b = terminal("H-5"), c = terminal("H-6");
  terminal("H-7");  // never reported
  ASSERT_TRUE(store().record_health(report(a, 10, "{}", true, false, false), 60));
  ASSERT_TRUE(store().record_health(report(b, 10, "{}", true, true, false), 60));
  ASSERT_TRUE(store().record_health(report(c, 10, "{}", false, false, true), 60));
  auto serials = [&](const std::string& health) {
    TerminalQuery q;
    q.health = health;
    q.limit = 100;
    std::vector<std::string> out;
    auto rows = store().query_terminals(q);
    EXPECT_TRUE(rows);
    if (!rows) return out;
    for (const auto& r : *rows) out.push_back(r.terminal.serial);
    EXPECT_EQ(*store().count_terminals(q), static_cast<std::int64_t>(out.size())) << health;
    return out;
  };
  EXPECT_EQ(serials("low_storage"), (std::vector<std::string>{"H-4", "H-5"}));
  EXPECT_EQ(serials("weak_signal"), (std::vector<std::string>{"H-5"}));
  EXPECT_EQ(serials("low_battery"), (std::vector<std::string>{"H-6"}));
  // A newer report that no longer has the condition takes the terminal off the list.
  ASSERT_TRUE(store().record_health(report(a, 20, "{}"), 60));
  EXPECT_EQ(serials("low_storage"), (std::vector<std::string>{"H-5"}));
  EXPECT_EQ(serials("1 = 1 OR low_storage"), std::vector<std::string>{}) << "no other text";
}

}  // namespace
}  // namespace posfleet::store::conformance
