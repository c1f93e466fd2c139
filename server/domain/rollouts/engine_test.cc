// Staged rollouts on a real SQLite store: the wave split is stable, thresholds pause, a wave
// soaks before the next starts, the two-person rule, unreachable terminals do not hold a wave
// back, the kill switch, and a restart of the store loses nothing. A terminal's feedback is
// played by setting its deployment's phase and outcome in the store, as record_feedback leaves
// them.
#include "server/domain/rollouts/engine.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "server/domain/deployments.h"
#include "server/domain/freezes.h"
#include "server/domain/rollouts/actions.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::domain::rollouts {
namespace {

using store::DeploymentPhase;

class RolloutEngineTest : public testing::HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    add_release("2.0.0");
  }

  std::int64_t terminal(const std::string& serial, const std::string& group = "",
                        std::int64_t last_seen = unix_now()) {
    store::TerminalRecord t;
    t.tenant = "DEFAULT";
    t.serial = serial;
    t.model = "A920";
    t.token_hash = "h" + serial;
    t.created = unix_now() - 86400;
    auto id = store_->insert_terminal(t);
    EXPECT_TRUE(id) << id.error().to_string();
    EXPECT_TRUE(store_->touch_terminal(*id, last_seen));
    if (!group.empty()) {
      EXPECT_TRUE(store_->set_terminal_group(*id, group));
    }
    return *id;
  }
  void fleet(int n, const std::string& prefix = "T") {
    for (int i = 0; i < n; ++i) terminal(prefix + std::to_string(1000 + i));
  }

  Plan plan(std::vector<WaveSpec> waves, bool start = true) {
    Plan p;
    p.release = "2.0.0";
    p.target.filter = store::TerminalQuery{};
    p.target.filter->model = "A920";
    p.target.filter_json = boost::json::object{{"model", "A920"}};
    p.waves = std::move(waves);
    p.start = start;
    p.reason = "test";
    return p;
  }
  static WaveSpec percent(int p, std::int64_t soak = 0, bool approval = false) {
    WaveSpec w;
    w.percent = p;
    w.soak_seconds = soak;
    w.needs_approval = approval;
    return w;
  }

  Actor alice{"alice", "user", "console"};
  Actor bob{"bob", "user", "console"};

  store::RolloutRecord create(const Plan& p) {
    auto r = create_rollout(*ctx_, p, alice);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : store::RolloutRecord{};
  }
  store::RolloutRecord advance(std::int64_t id) {
    EXPECT_TRUE(advance_rollouts(*ctx_));
    auto r = store_->rollout(id);
    EXPECT_TRUE(r);
    return *r;
  }
  std::vector<store::RolloutMemberRow> members(std::int64_t id, std::int64_t wave) {
    store::RolloutMemberQuery q;
    q.rollout_id = id;
    q.wave = wave;
    q.limit = 100000;
    auto rows = store_->rollout_members(q);
    EXPECT_TRUE(rows);
    return *rows;
  }
  // The terminal reports the end of its deployment.
  void report(std::int64_t deployment_id, DeploymentPhase phase) {
    auto d = store_->deployment(deployment_id);
    ASSERT_TRUE(d);
    d->phase = phase;
    d->status = store::DeploymentStatus::kFinished;
    d->result = phase == DeploymentPhase::kSuccess ? store::DeploymentResult::kSuccess
                                                   : store::DeploymentResult::kFailure;
    ASSERT_TRUE(store_->update_deployment(*d));
  }
  void report_wave(std::int64_t id, std::int64_t wave, DeploymentPhase phase,
                   std::size_t n = 1000) {
    for (const auto& m : members(id, wave)) {
      if (n-- == 0) break;
      ASSERT_NE(m.deployment_id, 0) << m.serial;
      report(m.deployment_id, phase);
    }
  }
  bool audited(const std::string& action) {
    auto entries = store_->audit_entries(0, 10000);
    for (const auto& e : *entries)
      if (e.action == action) return true;
    return false;
  }
};

TEST_F(RolloutEngineTest, TheSplitIsFixedByTheSerialsHashAndCumulative) {
  fleet(200);
  auto a = preview(*ctx_, plan({percent(10), percent(50), percent(100)}));
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->total, 200);
  ASSERT_EQ(a->waves.size(), 3u);
  EXPECT_EQ(a->waves[0].terminals, 20);
  EXPECT_EQ(a->waves[1].terminals, 80);
  EXPECT_EQ(a->waves[2].terminals, 100);
  // Two rollouts over the same fleet give their first wave the same terminals.
  auto r1 = create(plan({percent(10), percent(50), percent(100)}, false));
  auto r2 = create(plan({percent(10), percent(100)}, false));
  ASSERT_EQ(r1.state, "draft");
  ASSERT_EQ(act(*ctx_, r1.id, Action::kStart, alice, "")->state, "running");
  auto m1 = members(r1.id, 0);
  ASSERT_TRUE(act(*ctx_, r1.id, Action::kCancel, alice, "make way"));
  ASSERT_EQ(act(*ctx_, r2.id, Action::kStart, alice, "")->state, "running");
  auto m2 = members(r2.id, 0);
  ASSERT_EQ(m1.size(), 20u);
  ASSERT_EQ(m2.size(), 20u);
  for (std::size_t i = 0; i < m1.size(); ++i) EXPECT_EQ(m1[i].serial, m2[i].serial);
}

TEST_F(RolloutEngineTest, PreviewCountsWhyTerminalsAreLeftOut) {
  fleet(5);
  terminal("OLD1", "", unix_now() - 30 * 86400);
  auto retired = terminal("GONE1");
  ASSERT_TRUE(store_->retire_terminal(retired, unix_now(), "lost", "x"));
  auto p = preview(*ctx_, plan({percent(100)}));
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->total, 5);
  EXPECT_EQ(p->excluded["offline"], 1);
  EXPECT_EQ(p->excluded["retired"], 1);
  ASSERT_TRUE(p->waves[0].can_start_at.has_value());
}

TEST_F(RolloutEngineTest, FailuresAboveTheErrorThresholdPauseTheRollout) {
  fleet(10);
  auto r = create(plan({percent(50), percent(100)}));
  ASSERT_EQ(members(r.id, 0).size(), 5u);
  report_wave(r.id, 0, DeploymentPhase::kSuccess, 4);
  r = advance(r.id);
  EXPECT_EQ(r.state, "running");  // 4 of 5 succeeded: below 95 %, nothing failed
  auto ms = members(r.id, 0);
  for (const auto& m : ms)
    if (m.phase != "success") report(m.deployment_id, DeploymentPhase::kRolledBack);
  r = advance(r.id);
  EXPECT_EQ(r.state, "paused");
  EXPECT_NE(r.state_reason.find("1 of 5 reachable terminals failed"), std::string::npos)
      << r.state_reason;
  EXPECT_TRUE(audited("rollout.pause"));
  // Resuming accepts the failure seen so far: 4 of 4 remaining succeeded, the next wave starts.
  auto resumed = act(*ctx_, r.id, Action::kResume, alice, "known bad terminal");
  ASSERT_TRUE(resumed) << resumed.error().to_string();
  EXPECT_EQ(resumed->state, "running");
  EXPECT_EQ(resumed->current_wave, 1);
  EXPECT_FALSE(members(r.id, 1).empty());
  EXPECT_NE(members(r.id, 1)[0].deployment_id, 0);
}

TEST_F(RolloutEngineTest, AWaveSoaksBeforeTheNextStarts) {
  fleet(4);
  auto r = create(plan({percent(50, 3600), percent(100)}));
  report_wave(r.id, 0, DeploymentPhase::kSuccess);
  r = advance(r.id);
  auto waves = store_->rollout_waves(r.id);
  ASSERT_TRUE(waves);
  EXPECT_EQ((*waves)[0].state, "soaking");
  EXPECT_GE((*waves)[0].soak_until, unix_now() + 3500);
  EXPECT_EQ(members(r.id, 1)[0].deployment_id, 0);  // not started during the soak
  // Soak over (as if time had passed): the next wave starts.
  (*waves)[0].soak_until = unix_now() - 1;
  ASSERT_TRUE(store_->update_rollout_wave((*waves)[0]));
  r = advance(r.id);
  EXPECT_EQ(r.current_wave, 1);
  EXPECT_NE(members(r.id, 1)[0].deployment_id, 0);
  report_wave(r.id, 1, DeploymentPhase::kSuccess);
  r = advance(r.id);
  EXPECT_EQ(r.state, "finished");
  EXPECT_TRUE(audited("rollout.finish"));
}

TEST_F(RolloutEngineTest, AFreezeHoldsTheNextWaveUntilItIsRemoved) {
  fleet(4);
  auto r = create(plan({percent(50), percent(100)}));
  report_wave(r.id, 0, DeploymentPhase::kSuccess);
  // A freeze of the whole fleet covering today (in the fleet window's zone) and tomorrow.
  char today[16], tomorrow[16];
  for (auto [buf, at] : {std::pair{today, unix_now()}, std::pair{tomorrow, unix_now() + 86400}}) {
    auto lt = local_time("Asia/Shanghai", at);
    ASSERT_TRUE(lt);
    std::snprintf(buf, 16, "%04d-%02d-%02d", lt->year, lt->month, lt->day);
  }
  FreezeInput in;
  in.from = today;
  in.to = tomorrow;
  in.reason = "双十一";
  auto f = create_freeze(*ctx_, in, alice);
  ASSERT_TRUE(f) << f.error().to_string();
  r = advance(r.id);
  EXPECT_EQ(r.current_wave, 0);
  EXPECT_EQ(members(r.id, 1)[0].deployment_id, 0);  // the next wave made no deployment
  EXPECT_NE(r.state_reason.find("双十一"), std::string::npos) << r.state_reason;
  ASSERT_TRUE(delete_freeze(*ctx_, f->id, alice, "sale is over"));
  r = advance(r.id);
  EXPECT_EQ(r.current_wave, 1);
  EXPECT_NE(members(r.id, 1)[0].deployment_id, 0);
}

TEST_F(RolloutEngineTest, TheNextWaveWaitsForAnApprovalBySomeoneElse) {
  fleet(4);
  auto r = create(plan({percent(50), percent(100, 0, true)}));
  report_wave(r.id, 0, DeploymentPhase::kSuccess);
  r = advance(r.id);
  EXPECT_EQ(r.state, "waiting_approval");
  auto self = act(*ctx_, r.id, Action::kApprove, alice, "");
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, Code::kTwoPersonRule);
  EXPECT_NE(self.error().message.find("someone other than alice"), std::string::npos);
  auto other = act(*ctx_, r.id, Action::kApprove, bob, "looks good");
  ASSERT_TRUE(other) << other.error().to_string();
  EXPECT_EQ(other->state, "running");
  auto waves = store_->rollout_waves(r.id);
  EXPECT_EQ((*waves)[1].approved_by, "bob");
  EXPECT_EQ((*waves)[1].state, "running");
  EXPECT_NE(members(r.id, 1)[0].deployment_id, 0);
  EXPECT_TRUE(audited("rollout.approve"));
}

TEST_F(RolloutEngineTest, UnreachableTerminalsDoNotHoldTheWaveBack) {
  ctx_->rollout_unreachable_seconds = 60;
  terminal("A1");
  terminal("A2");
  terminal("A3", "", unix_now() - 3600);  // seen an hour ago, before the wave started
  auto r = create(plan({percent(100)}));
  auto ms = members(r.id, 0);
  ASSERT_EQ(ms.size(), 3u);
  for (const auto& m : ms)
    if (m.serial != "A3") report(m.deployment_id, DeploymentPhase::kSuccess);
  r = advance(r.id);
  EXPECT_EQ(r.state, "finished");
  auto view = rollout_view(*ctx_, r.id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->waves[0].counts["unreachable"], 1);
  // It still has its deployment for when it comes back.
  auto a3 = store_->terminal_by_serial("DEFAULT", "A3");
  auto open = store_->open_deployment(a3->id);
  ASSERT_TRUE(open && open->has_value());
}

TEST_F(RolloutEngineTest, TheKillSwitchStopsEveryRolloutAndRefusesTheRelease) {
  fleet(6);
  auto r = create(plan({percent(50), percent(100)}));
  auto stop = stop_release(*ctx_, "2.0.0", "", alice);
  ASSERT_FALSE(stop);  // a reason is required
  stop = stop_release(*ctx_, "2.0.0", "crashes on boot", alice);
  ASSERT_TRUE(stop) << stop.error().to_string();
  EXPECT_EQ(stop->rollouts_stopped, 1);
  EXPECT_EQ(stop->deployments_canceled, 3);
  EXPECT_EQ(store_->rollout(r.id)->state, "stopped");
  for (const auto& m : members(r.id, 0))
    EXPECT_EQ(store_->deployment(m.deployment_id)->status, store::DeploymentStatus::kCanceled);
  auto again = assign_release(*ctx_, "2.0.0", "T1000");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kReleaseStopped);
  auto refused = create_rollout(*ctx_, plan({percent(100)}), alice);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kReleaseStopped);
  auto stops = stopped_releases(*ctx_);
  ASSERT_EQ(stops->size(), 1u);
  EXPECT_EQ((*stops)[0].reason, "crashes on boot");
  ASSERT_TRUE(lift_release_stop(*ctx_, "2.0.0", "fixed", alice));
  EXPECT_TRUE(assign_release(*ctx_, "2.0.0", "T1000"));
  EXPECT_TRUE(audited("release.stop"));
  EXPECT_TRUE(audited("release.stop_lift"));
}

TEST_F(RolloutEngineTest, AScheduledRolloutStartsAtItsTime) {
  fleet(2);
  auto p = plan({percent(100)});
  p.start_at = unix_now() + 3600;
  auto r = create(p);
  EXPECT_EQ(r.state, "scheduled");
  r = advance(r.id);
  EXPECT_EQ(r.state, "scheduled");
  r.start_at = unix_now() - 1;
  ASSERT_TRUE(store_->update_rollout(r));
  r = advance(r.id);
  EXPECT_EQ(r.state, "running");
  EXPECT_EQ(members(r.id, 0).size(), 2u);
}

TEST_F(RolloutEngineTest, RetryGivesFailedTerminalsANewDeployment) {
  fleet(2);
  auto r = create(plan({percent(100)}));
  auto ms = members(r.id, 0);
  report(ms[0].deployment_id, DeploymentPhase::kFailed);
  auto retried = act(*ctx_, r.id, Action::kRetry, alice, "network fixed");
  ASSERT_TRUE(retried) << retried.error().to_string();
  auto after = members(r.id, 0);
  EXPECT_NE(after[0].deployment_id, ms[0].deployment_id);
  EXPECT_EQ(after[0].phase, "scheduled");
}

TEST_F(RolloutEngineTest, ARetryTellsTheNextStepToCountAgain) {
  // A step may judge a wave by counts read before its transaction only while the rollout is
  // unchanged (engine.h); a retry makes failed members pending again, so it must change it.
  fleet(2);
  auto r = create(plan({percent(100)}));
  auto ms = members(r.id, 0);
  report(ms[0].deployment_id, DeploymentPhase::kFailed);
  r = advance(r.id);
  ASSERT_EQ(r.state, "paused");  // 1 of 2 failed
  ASSERT_TRUE(act(*ctx_, r.id, Action::kResume, alice, "known bad terminal"));
  r = advance(r.id);
  ASSERT_EQ(r.state, "running");
  EXPECT_FALSE(r.last_counts.empty());
  auto retried = act(*ctx_, r.id, Action::kRetry, alice, "network fixed");
  ASSERT_TRUE(retried) << retried.error().to_string();
  EXPECT_TRUE(retried->last_counts.empty());
  EXPECT_EQ(advance(r.id).state, "running");
}

TEST_F(RolloutEngineTest, ALargeWaveIsAssignedInBatchesOfItsOwnTransactions) {
  const int n = static_cast<int>(kAssignPerStep * 5 / 2);
  fleet(n);
  auto r = create(plan({percent(100)}));
  // The start's own step makes one batch; the next tick the rest, a batch per transaction.
  auto assigned = [&] {
    int k = 0;
    for (const auto& m : members(r.id, 0)) k += m.deployment_id != 0;
    return k;
  };
  EXPECT_EQ(assigned(), kAssignPerStep);
  r = advance(r.id);
  EXPECT_EQ(assigned(), n);
  EXPECT_EQ(r.state, "running");
  report_wave(r.id, 0, DeploymentPhase::kSuccess, static_cast<std::size_t>(n));
  EXPECT_EQ(advance(r.id).state, "finished");
}

TEST_F(RolloutEngineTest, ARestartLosesNothing) {
  fleet(8);
  auto r = create(plan({percent(50, 3600), percent(100)}));
  report_wave(r.id, 0, DeploymentPhase::kSuccess);
  r = advance(r.id);
  const auto before = members(r.id, 0);
  // posfleetd stops and starts again: a new store on the same file.
  ctx_.reset();
  store_.reset();
  auto reopened = store::SqliteStore::open(dir_.file("posfleet.db"));
  ASSERT_TRUE(reopened);
  store_ = std::move(*reopened);
  ctx_ = std::make_unique<Context>(Context{.store = *store_, .artifacts = *artifacts_});
  auto again = store_->rollout(r.id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, "running");
  auto waves = store_->rollout_waves(r.id);
  EXPECT_EQ((*waves)[0].state, "soaking");
  EXPECT_GT((*waves)[0].soak_until, unix_now() + 3000);
  const auto after = members(r.id, 0);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].serial, before[i].serial);
    EXPECT_EQ(after[i].deployment_id, before[i].deployment_id);
  }
  EXPECT_EQ(advance(r.id).state, "running");  // still soaking
}

}  // namespace
}  // namespace posfleet::domain::rollouts
