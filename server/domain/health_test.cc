// HealthReports: a terminal's reports closer together than the gap are dropped, the rest are
// written in one transaction a flush (the newest per terminal), and a failed write keeps them.
#include "server/domain/health.h"

#include <gtest/gtest.h>

#include "server/testing/domain_fixture.h"

namespace posfleet::domain {
namespace {

class HealthReportsTest : public posfleet::testing::DomainTest {
 protected:
  HealthReportsTest() : DomainTest(2) {}
};

TEST_F(HealthReportsTest, ReportsCloserThanTheGapAreDroppedAndTheRestWrittenAtOnce) {
  HealthReports reports;
  const auto a = terminals_[0].id, b = terminals_[1].id;
  EXPECT_TRUE(reports.report({a, 1000, R"({"battery":50})"}, 30));
  EXPECT_FALSE(reports.report({a, 1029, R"({"battery":49})"}, 30)) << "29 s after the last";
  EXPECT_TRUE(reports.report({b, 1010, R"({"battery":80})", false, false, false}, 30));
  EXPECT_TRUE(reports.report({a, 1030, R"({"battery":48})", false, false, true}, 30));
  EXPECT_EQ(reports.pending(), 2u) << "one a terminal: the newest";
  ASSERT_TRUE(reports.flush(*store_, 3600));
  EXPECT_EQ(reports.pending(), 0u);
  auto latest = store_->latest_health(a);
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->sample_json, R"({"battery":48})");
  EXPECT_TRUE((*latest)->low_battery);
  EXPECT_EQ(store_->health_history(a, 0, 10)->size(), 1u);
  EXPECT_EQ(store_->health_history(b, 0, 10)->size(), 1u);
  // After the flush the gap still holds from the last report kept.
  EXPECT_FALSE(reports.report({a, 1040, "{}"}, 30));
  EXPECT_TRUE(reports.report({a, 1060, "{}"}, 30));
}

TEST_F(HealthReportsTest, ReceivingChecksTheSampleAndWritesItWithoutAGatherer) {
  EXPECT_EQ(receive_health(*ctx_, terminals_[0], R"({"signal":5,"network":"wifi"})", 5000), "");
  auto latest = store_->latest_health(terminals_[0].id);
  ASSERT_TRUE(latest && *latest);
  EXPECT_TRUE((*latest)->weak_signal);
  EXPECT_EQ((*latest)->sample_json, R"({"apps":{},"network":"wifi","signal":5})");
  EXPECT_EQ(receive_health(*ctx_, terminals_[0], "not json", 5001), "health must be a JSON object");
}

TEST_F(HealthReportsTest, TheRetentionDropsOldHistoryInSteps) {
  ctx_->health_retention_days = 1;
  const auto a = terminals_[0].id;
  for (std::int64_t t = 0; t < 5; ++t) ASSERT_TRUE(store_->record_health({a, 1000 + t, "{}"}, 1));
  const std::int64_t now = 1000 + 86400 + 3;  // the first three are past a day
  EXPECT_EQ(*prune_health(*ctx_, now, 2), 2);
  EXPECT_EQ(*prune_health(*ctx_, now, 2), 1);
  EXPECT_EQ(*prune_health(*ctx_, now, 2), 0);
  EXPECT_EQ(store_->health_history(a, 0, 10)->size(), 2u);
}

}  // namespace
}  // namespace posfleet::domain
