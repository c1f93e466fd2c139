// Store conformance: timeouts — the fleet's limits per phase (defaults until set, one row) and
// the open deployments in a phase since before a time, oldest first, ended ones left out.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

TEST_P(TimeoutsConformance, TheLimitsHaveDefaultsAndKeepWhatIsSet) {
  auto t = store().deployment_timeouts();
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->waiting_seconds, 7 * 86400);
  EXPECT_EQ(t->downloading_seconds, 86400);
  EXPECT_EQ(t->installing_seconds, 7200);
  ASSERT_TRUE(store().set_deployment_timeouts({60, 0, 30}));
  ASSERT_TRUE(store().set_deployment_timeouts({61, 0, 31}));
  t = store().deployment_timeouts();
  EXPECT_EQ(t->waiting_seconds, 61);
  EXPECT_EQ(t->downloading_seconds, 0);
  EXPECT_EQ(t->installing_seconds, 31);
}

TEST_P(TimeoutsConformance, OpenDeploymentsInAPhaseSinceBeforeATimeOldestFirst) {
  const auto r = release("2.0.0").id;
  auto put = [&](const std::string& serial, const std::string& status, DeploymentPhase phase,
                 std::int64_t since) {
    const auto id = deployment(terminal(serial), r, status);
    auto d = *store().deployment(id);
    d.phase = phase;
    d.phase_since = since;
    EXPECT_TRUE(store().update_deployment(d));
    return id;
  };
  const auto newer = put("PF1", "running", DeploymentPhase::kDownloading, 500);
  const auto older = put("PF2", "canceling", DeploymentPhase::kDownloading, 100);
  put("PF3", "running", DeploymentPhase::kDownloading, 900);   // not before 800
  put("PF4", "running", DeploymentPhase::kInstalling, 100);    // another phase
  put("PF5", "finished", DeploymentPhase::kDownloading, 100);  // ended
  const auto sched = put("PF6", "scheduled", DeploymentPhase::kDownloading, 300);
  auto found = store().deployments_in_phase_before(DeploymentPhase::kDownloading, 800, 10);
  ASSERT_TRUE(found) << found.error().to_string();
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0].id, older);
  EXPECT_EQ((*found)[1].id, sched);
  EXPECT_EQ((*found)[2].id, newer);
  EXPECT_EQ((*found)[0].phase_since, 100);
  auto first = store().deployments_in_phase_before(DeploymentPhase::kDownloading, 800, 1);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].id, older);
}

}  // namespace
}  // namespace posfleet::store::conformance
