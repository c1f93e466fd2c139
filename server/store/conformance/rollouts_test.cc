// Store conformance: the staged-rollouts area keeps rollouts, waves and members as written,
// counts a rollout's members per wave by their deployment's phase (unreachable, pending and
// skipped included), pages its members, caps its history samples, and keeps the kill switch's
// stopped releases.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

RolloutRecord rollout_of(std::int64_t release_id) {
  RolloutRecord r;
  r.name = "r";
  r.release_id = release_id;
  return r;
}
RolloutWaveRecord wave_of(std::int64_t rollout_id, std::int64_t index, const std::string& state,
                          std::int64_t terminals = 0, std::int64_t started = 0) {
  RolloutWaveRecord w;
  w.rollout_id = rollout_id;
  w.index = index;
  w.state = state;
  w.terminals = terminals;
  w.started = started;
  return w;
}
std::vector<RolloutMemberRecord> members_of(std::vector<std::pair<std::int64_t, std::int64_t>> ts) {
  std::vector<RolloutMemberRecord> out;
  for (auto [t, w] : ts) {
    RolloutMemberRecord m;
    m.terminal_id = t;
    m.wave = w;
    out.push_back(m);
  }
  return out;
}

TEST_P(RolloutsConformance, KeepsARolloutItsWavesAndMembers) {
  auto rel = release("2.0.0");
  RolloutRecord r;
  r.name = "first";
  r.release_id = rel.id;
  r.created_by = "alice";
  r.created = 100;
  auto id = store().insert_rollout(r);
  ASSERT_TRUE(id) << id.error().to_string();
  ASSERT_TRUE(
      store().insert_rollout_waves({wave_of(*id, 0, "pending"), wave_of(*id, 1, "pending")}));
  auto t1 = terminal("R1"), t2 = terminal("R2"), t3 = terminal("R3");
  ASSERT_TRUE(store().transact([&](Tx& tx) {
    return tx.insert_rollout_members(*id, members_of({{t1, 0}, {t2, 0}, {t3, 1}}));
  }));
  auto got = store().rollout(*id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "first");
  EXPECT_EQ(got->state, "draft");
  got->state = "running";
  got->current_wave = 1;
  ASSERT_TRUE(store().update_rollout(*got));
  EXPECT_EQ(store().rollout(*id)->state, "running");
  EXPECT_EQ(*store().count_rollouts("running", rel.id, ""), 1);
  EXPECT_EQ(*store().count_rollouts("paused", 0, ""), 0);
  EXPECT_EQ(*store().rollouts_in_states({"running", "scheduled"}), std::vector<std::int64_t>{*id});
  auto waves = store().rollout_waves(*id);
  ASSERT_EQ(waves->size(), 2u);
  (*waves)[0].state = "soaking";
  (*waves)[0].soak_until = 500;
  ASSERT_TRUE(store().update_rollout_wave((*waves)[0]));
  EXPECT_EQ((*store().rollout_waves(*id))[0].soak_until, 500);
  EXPECT_EQ(store().unassigned_members(*id, 0, 10)->size(), 2u);
  EXPECT_EQ(store().rollout(*id + 100).error().code, Code::kNotFound);
}

TEST_P(RolloutsConformance, CountsMembersByPhasePerWave) {
  auto rel = release("2.0.0");
  auto id = store().insert_rollout(rollout_of(rel.id));
  ASSERT_TRUE(id);
  ASSERT_TRUE(store().insert_rollout_waves({wave_of(*id, 0, "running", 4, 1000)}));
  auto ok = terminal("C1"), bad = terminal("C2"), gone = terminal("C3"), later = terminal("C4");
  ASSERT_TRUE(store().touch_terminal(ok, 2000));
  ASSERT_TRUE(store().touch_terminal(bad, 2000));
  ASSERT_TRUE(store().touch_terminal(gone, 10));  // not seen since the wave started at 1000
  ASSERT_TRUE(
      store().insert_rollout_members(*id, members_of({{ok, 0}, {bad, 0}, {gone, 0}, {later, 0}})));
  auto d_ok = deployment(ok, rel.id, "finished", "success");
  auto d_bad = deployment(bad, rel.id, "finished", "failure");
  auto d_gone = deployment(gone, rel.id, "scheduled");
  ASSERT_TRUE(store().set_member_deployment(*id, ok, d_ok, ""));
  ASSERT_TRUE(store().set_member_deployment(*id, bad, d_bad, ""));
  ASSERT_TRUE(store().set_member_deployment(*id, gone, d_gone, ""));
  auto counts = store().rollout_wave_counts(*id, 1500);
  ASSERT_TRUE(counts) << counts.error().to_string();
  auto& w = (*counts)[0];
  EXPECT_EQ(w["success"], 1);
  EXPECT_EQ(w["failed"], 1);  // ended without a phase set: counted by its outcome
  EXPECT_EQ(w["unreachable"], 1);
  EXPECT_EQ(w["pending"], 1);
  auto failed = store().members_in_phases(*id, 0, {"failed"});
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].terminal_id, bad);
  RolloutMemberQuery q;
  q.rollout_id = *id;
  q.seen_after = 1500;
  q.phase = "unreachable";
  auto rows = store().rollout_members(q);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].serial, "C3");
  EXPECT_EQ(*store().count_rollout_members(q), 1);
  q.phase = "";
  q.limit = 2;
  EXPECT_EQ(store().rollout_members(q)->size(), 2u);
  EXPECT_EQ(*store().count_rollout_members(q), 4);
  EXPECT_EQ(*store().unfetched_deployments_of_rollout(*id), std::vector<std::int64_t>{});
  // One wave alone: the same counts, and none of another wave's members.
  ASSERT_TRUE(store().insert_rollout_waves({wave_of(*id, 1, "pending", 4, 0)}));
  ASSERT_TRUE(store().insert_rollout_members(*id, members_of({{terminal("C5"), 1}})));
  EXPECT_EQ(*store().rollout_wave_count(*id, 0, 1500), w);
  EXPECT_EQ((*store().rollout_wave_count(*id, 1, 1500))["pending"], 1);
  EXPECT_EQ(store().rollout_wave_count(*id, 1, 1500)->size(), 1u);
  EXPECT_TRUE(store().rollout_wave_count(*id, 7, 1500)->empty());
}

TEST_P(RolloutsConformance, KeepsOnlyTheNewestSamples) {
  auto rel = release("2.0.0");
  auto id = store().insert_rollout(rollout_of(rel.id));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store().insert_rollout_sample(*id, {i, 0, "{\"n\":" + std::to_string(i) + "}"}, 3));
  auto samples = store().rollout_samples(*id);
  ASSERT_EQ(samples->size(), 3u);
  EXPECT_EQ((*samples)[0].time, 2);
  EXPECT_EQ((*samples)[2].time, 4);
}

TEST_P(RolloutsConformance, KeepsStoppedReleasesAndOpenDeployments) {
  auto rel = release("2.0.0");
  auto t = terminal("K1");
  auto d = deployment(t, rel.id, "running");
  EXPECT_FALSE(store().release_stop(rel.id)->has_value());
  ASSERT_TRUE(store().put_release_stop(ReleaseStopRecord{rel.id, "", "boot loop", "alice", 7}));
  auto stop = store().release_stop(rel.id);
  ASSERT_TRUE(stop && stop->has_value());
  EXPECT_EQ((*stop)->version, "2.0.0");
  EXPECT_EQ((*stop)->reason, "boot loop");
  EXPECT_EQ(store().release_stops()->size(), 1u);
  auto open = store().open_deployments_of_release(rel.id);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, d);
  EXPECT_TRUE(*store().delete_release_stop(rel.id));
  EXPECT_FALSE(*store().delete_release_stop(rel.id));
}

}  // namespace
}  // namespace posfleet::store::conformance
