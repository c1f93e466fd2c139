// The terminal page's progress and slots, and the overview's day window.
#include "server/domain/terminal_view.h"

#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

store::ActionStatusRecord status(const std::string& line, std::int64_t cnt = 0,
                                 std::int64_t of = 0) {
  return {0, 1, 10, "proceeding", "none", "[\"" + line + "\"]", 0, cnt, of};
}

TEST(UpdateProgress, FollowsTheNewestReportedBytesAndLine) {
  store::DeploymentRecord d{
      1, 1, 1, store::DeploymentStatus::kRunning, store::DeploymentResult::kNone, "", 5, 5};
  auto p = update_progress(d, {});
  EXPECT_EQ(p.percent, 0);
  EXPECT_EQ(p.total, 0);
  EXPECT_TRUE(p.active);
  EXPECT_EQ(p.time, 5);

  p = update_progress(d, {status("downloading 1000 bytes"), status("", 250, 1000),
                          status("waiting: on battery", 500, 1000)});
  EXPECT_EQ(p.percent, 50);
  EXPECT_EQ(p.bytes, 500);
  EXPECT_EQ(p.line, "waiting: on battery");

  // A status without progress keeps the last figure.
  p = update_progress(
      d, {status("", 1000, 1000), status("installed 2.0.0 to slot b; restarting into it")});
  EXPECT_EQ(p.percent, 100);
  EXPECT_EQ(p.line, "installed 2.0.0 to slot b; restarting into it");
}

TEST(UpdateProgress, SuccessIsWholeAndFailureKeepsWhereItStopped) {
  store::DeploymentRecord d{
      1, 1, 1, store::DeploymentStatus::kFinished, store::DeploymentResult::kSuccess, "", 5, 5};
  EXPECT_EQ(update_progress(d, {}).percent, 100);
  EXPECT_FALSE(update_progress(d, {}).active);
  d.result = store::DeploymentResult::kFailure;
  EXPECT_EQ(update_progress(d, {status("", 300, 1000)}).percent, 30);
}

TEST(UpdateState, NamesTheNewestDeployment) {
  EXPECT_EQ(update_state(std::nullopt), store::UpdateState::kIdle);
  store::DeploymentRecord d{
      1, 1, 1, store::DeploymentStatus::kFinished, store::DeploymentResult::kFailure, "", 5, 5};
  EXPECT_EQ(update_state(d), store::UpdateState::kFailed);
  d.status = store::DeploymentStatus::kCanceling;
  EXPECT_EQ(update_state(d), store::UpdateState::kRunning);
  d.status = store::DeploymentStatus::kScheduled;
  EXPECT_EQ(update_state(d), store::UpdateState::kScheduled);
}

TEST(Slots, ComeFromConfigData) {
  auto s = slots_from_attributes(
      R"({"slot_active":"b","slot_booted":"b","slot_a_version":"1.0.0","slot_b_version":"2.0.0"})");
  EXPECT_TRUE(s.reported);
  EXPECT_EQ(s.active, "b");
  EXPECT_EQ(s.b_version, "2.0.0");
  EXPECT_FALSE(slots_from_attributes(R"({"model":"A920"})").reported);
  EXPECT_FALSE(slots_from_attributes("not json").reported);
}

TEST(FleetOverview, HasFourteenUtcDaysEndingToday) {
  posfleet::testing::TempDir dir("posfleet_overview");
  auto s = store::SqliteStore::open(dir.file("db"));
  ASSERT_TRUE(s);
  store::ArtifactStore artifacts(dir.file("artifacts"));
  Context ctx{**s, artifacts};
  constexpr std::int64_t kDay = 86400, kNow = 100 * kDay + 7200;  // 1970-04-11 02:00 UTC
  auto o = fleet_overview(ctx, kNow);
  ASSERT_TRUE(o) << o.error().to_string();
  ASSERT_EQ(o->outcomes.size(), static_cast<size_t>(kOutcomeDays));
  EXPECT_EQ(o->outcomes.front().day, "1970-03-29");
  EXPECT_EQ(o->outcomes.back().day, "1970-04-11");
}

}  // namespace
}  // namespace posfleet::domain
