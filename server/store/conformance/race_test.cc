// Store conformance: writers racing on real threads. Each compare-and-set
// method lets exactly one of them win; two transactions cannot both give a
// terminal an open deployment; concurrent audit appends keep one chain.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <set>
#include <thread>
#include <vector>

#include "core/audit_chain.h"
#include "server/store/conformance/fixture.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace posfleet::store::conformance {
namespace {

constexpr int kThreads = 8;

// Runs `work(i)` on kThreads threads released together; returns how many returned true.
int race(const std::function<bool(int)>& work) {
  std::latch start(kThreads);
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      if (work(i)) ++wins;
    });
  for (auto& t : threads) t.join();
  return wins.load();
}

// The value of a compare-and-set answer; a failed call counts as a loss and is reported.
bool won(const Expected<bool>& r) {
  EXPECT_TRUE(r) << r.error().to_string();
  return r && *r;
}

TEST_P(RaceConformance, OneOfTwoDeploymentWritersWins) {
  const auto d = deployment(terminal("PF1"), release("1.0.0").id, "running");
  const auto read = *store().deployment(d);
  const int wins = race([&](int i) {
    auto mine = read;
    mine.status = i % 2 ? DeploymentStatus::kCanceling : DeploymentStatus::kFinished;
    mine.message = "writer " + std::to_string(i);
    return won(store().update_deployment_if(mine, DeploymentStatus::kRunning));
  });
  EXPECT_EQ(wins, 1);
  EXPECT_NE(store().deployment(d)->status, DeploymentStatus::kRunning);
}

TEST_P(RaceConformance, TerminalsChangesAtOnceKeepEveryCountExact) {
  // Each thread moves its own terminals between two versions in terminals' transactions, half
  // of them upgrading while the other half downgrade: on PostgreSQL these run at once and
  // move terminals between the same two tally rows in opposite directions.
  constexpr int kEach = 3, kRounds = 15;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kThreads * kEach; ++i) ids.push_back(terminal("TC" + std::to_string(i)));
  const auto r1 = release("1.0.0"), r2 = release("2.0.0");
  race([&](int i) {
    for (int round = 0; round < kRounds; ++round)
      for (int k = 0; k < kEach; ++k) {
        const auto id = ids[static_cast<std::size_t>(i * kEach + k)];
        const std::string v = (round + i) % 2 ? "2.0.0" : "1.0.0";
        auto st = store().transact_terminal(id, [&](Tx& tx) -> Status {
          if (auto s = tx.set_installed_version(id, v); !s) return s;
          DeploymentRecord d;
          d.terminal_id = id;
          d.release_id = v == "1.0.0" ? r1.id : r2.id;
          d.status = DeploymentStatus::kFinished;
          d.result = DeploymentResult::kSuccess;
          d.created = d.updated = 1;
          auto made = tx.insert_deployment(d);
          return made ? ok_status() : Status(made.error());
        });
        EXPECT_TRUE(st) << st.error().to_string();
      }
    return true;
  });
  // The last round left thread i's terminals on 2.0.0 when (kRounds - 1 + i) is odd.
  std::int64_t on2 = 0;
  for (int i = 0; i < kThreads; ++i) on2 += (kRounds - 1 + i) % 2 ? kEach : 0;
  TerminalQuery q;
  q.version = "2.0.0";
  auto n2 = store().count_terminals(q);
  ASSERT_TRUE(n2) << n2.error().to_string();
  EXPECT_EQ(*n2, on2);
  q.version = "1.0.0";
  auto n1 = store().count_terminals(q);
  ASSERT_TRUE(n1) << n1.error().to_string();
  EXPECT_EQ(*n1, kThreads * kEach - on2);
  auto o = store().overview(0, 0, 10);
  ASSERT_TRUE(o) << o.error().to_string();
  std::int64_t total = 0;
  for (const auto& v : o->versions) total += v.count;
  EXPECT_EQ(total, kThreads * kEach);
  EXPECT_EQ(o->outcomes.empty() ? 0 : o->outcomes.back().success, kThreads * kEach * kRounds);
}

TEST_P(RaceConformance, LastSeenBatchesAtOnceKeepTheOnlineCountExact) {
  // Several servers' last_seen batches (domain/last_seen.h) at once, over the same terminals in
  // different orders and seconds: on PostgreSQL each moves its terminals between the seconds of
  // terminals_seen, which the online count reads.
  constexpr int kTerminals = 40, kRounds = 12;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kTerminals; ++i) ids.push_back(terminal("LS" + std::to_string(i)));
  race([&](int i) {
    for (int round = 0; round < kRounds; ++round) {
      std::vector<std::pair<std::int64_t, std::int64_t>> batch;
      for (int k = 0; k < kTerminals; k += 1 + (i + round) % 3)
        batch.push_back(
            {ids[static_cast<std::size_t>((k + i) % kTerminals)], 1000 + round * 10 + (k + i) % 7});
      std::sort(batch.begin(), batch.end());
      auto st = store().touch_terminals(batch);
      EXPECT_TRUE(st) << st.error().to_string();
    }
    return true;
  });
  for (std::int64_t since : {0, 1000, 1050, 1100, 1105, 1110, 1200}) {
    TerminalQuery q;
    q.online = true;
    q.online_since = since;
    q.limit = 1000;
    auto rows = store().query_terminals(q);
    ASSERT_TRUE(rows) << rows.error().to_string();
    auto n = store().count_terminals(q);
    ASSERT_TRUE(n) << n.error().to_string();
    EXPECT_EQ(*n, static_cast<std::int64_t>(rows->size())) << "seen at or after " << since;
    auto o = store().overview(since, 0, 2000);
    ASSERT_TRUE(o) << o.error().to_string();
    EXPECT_EQ(o->online, *n);
    EXPECT_EQ(o->online + o->offline, kTerminals);
  }
}

// A rollout's creation inserts its members in one transaction, each row referencing its
// terminal (a key-share lock of the terminal's row on PostgreSQL), in the order of its waves;
// meanwhile the servers write last_seen chunks over the same terminals in id order. The
// transaction holds terminal 2 and then asks for terminal 1, which a chunk over 1 and 2
// took first: neither may wait for the other (found by the fleet simulation at 100,000
// terminals, where PostgreSQL ended one as a deadlock and the rollout was not created).
TEST_P(RaceConformance, ALastSeenChunkNeverWaitsForAnInsertReferencingItsTerminals) {
  const auto t1 = terminal("KS1"), t2 = terminal("KS2");
  RolloutRecord r;
  r.name = "r";
  r.release_id = release("1.0.0").id;
  auto rollout = store().insert_rollout(r);
  ASSERT_TRUE(rollout) << rollout.error().to_string();
  std::latch holds_t2(1), chunk_done(1);
  std::atomic<bool> chunk_finished{false};
  std::thread chunk([&] {
    holds_t2.wait();
    auto st = store().touch_terminals({{t1, 5000}, {t2, 5000}});
    EXPECT_TRUE(st) << st.error().to_string();
    chunk_finished = true;
    chunk_done.count_down();
  });
  Status st = store().transact([&](Tx& tx) -> Status {
    if (auto s = tx.insert_rollout_members(*rollout, {{t2, 1, 0, ""}}); !s) return s;
    holds_t2.count_down();
    // The chunk does not wait for this transaction: it finishes while it is still open. (SQLite
    // runs one writer at a time, so there it waits for the commit; nothing can cross.)
    if (GetParam().name != "sqlite") {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!chunk_finished && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      EXPECT_TRUE(chunk_finished) << "the last_seen chunk waited for the members' transaction";
    }
    return tx.insert_rollout_members(*rollout, {{t1, 1, 0, ""}});
  });
  EXPECT_TRUE(st) << st.error().to_string();
  chunk_done.wait();
  chunk.join();
  EXPECT_EQ(store().terminal_by_id(t1)->last_seen, 5000);
  EXPECT_EQ(store().terminal_by_id(t2)->last_seen, 5000);
}

TEST_P(RaceConformance, OneOfTwoReviewersMovesTheApplication) {
  ApplicationRecord a;
  a.number = "PA1";
  a.kind = "individual";
  a.resident_id_index = "r1";
  auto id = store().insert_application(a);
  ASSERT_TRUE(id);
  const auto read = *store().application(*id);
  std::atomic<int> winner{-1};
  const int wins = race([&](int i) {
    auto mine = read;
    mine.status = i % 2 ? "approved" : "rejected";
    mine.reviewer = "reviewer " + std::to_string(i);
    if (!won(store().update_application(mine, "submitted"))) return false;
    winner = i;
    return true;
  });
  ASSERT_EQ(wins, 1);
  EXPECT_EQ(store().application(*id)->reviewer, "reviewer " + std::to_string(winner.load()));
}

TEST_P(RaceConformance, AnActivationCodeIsUsedByOneThreadOnly) {
  auto id = store().insert_activation({0, "code", "PF1", "A920", 1, 1, 1000, 0, 1});
  ASSERT_TRUE(id);
  EXPECT_EQ(race([&](int i) { return won(store().use_activation(*id, 100 + i)); }), 1);
}

TEST_P(RaceConformance, CodeTriesAreCountedExactlyUnderRace) {
  const auto m = merchant("Tea House");
  VerificationRecord v;
  v.merchant_id = m;
  v.code_hash = "c";
  v.created = 1;
  v.expires = 1000;
  auto vid = store().insert_verification(v);
  ASSERT_TRUE(vid);
  EXPECT_EQ(race([&](int) { return won(store().take_code_try(*vid, 3, 10)); }), 3);
  EXPECT_EQ(store().verification(*vid)->attempts, 3);

  auto pid = store().insert_phone_code({0, "13800138000", "h", 0, false, false, 1, 1000});
  ASSERT_TRUE(pid);
  EXPECT_EQ(race([&](int) { return won(store().take_phone_code_try(*pid, 3, 10)); }), 3);
  EXPECT_EQ(store().phone_code(*pid)->attempts, 3);
  ASSERT_TRUE(store().mark_phone_code_verified(*pid));
  EXPECT_EQ(race([&](int) { return won(store().use_phone_code(*pid, "13800138000")); }), 1);
}

TEST_P(RaceConformance, TwoTransactionsCannotBothOpenADeploymentForATerminal) {
  const auto t = terminal("PF1");
  const auto r = release("1.0.0");
  std::atomic<int> failed_otherwise{0};
  const int inserted = race([&](int i) {
    bool mine = false;
    Status st = store().transact([&](Tx& tx) -> Status {
      auto open = tx.open_deployment(t);
      if (!open) return open.error();
      if (open->has_value()) return ok_status();  // assigned already: nothing to do
      auto id = tx.insert_deployment(
          {0, t, r.id, DeploymentStatus::kScheduled, DeploymentResult::kNone, "", i, i});
      if (!id) return id.error();
      mine = true;
      return ok_status();
    });
    if (!st && st.error().code != Code::kConflict) ++failed_otherwise;
    return st && mine;
  });
  EXPECT_EQ(inserted, 1);
  EXPECT_EQ(failed_otherwise.load(), 0) << "a lost race is kConflict, nothing else";
  EXPECT_EQ(*store().count_deployments({.terminal_id = t}), 1);
  EXPECT_TRUE(store().open_deployment(t)->has_value());
}

TEST_P(RaceConformance, TwoPlainInsertsCannotBothOpenADeploymentForATerminal) {
  const auto t = terminal("PF1");
  const auto r = release("1.0.0");
  const int inserted = race([&](int i) {
    auto id = store().insert_deployment(
        {0, t, r.id, DeploymentStatus::kScheduled, DeploymentResult::kNone, "", i, i});
    if (!id) {
      EXPECT_EQ(id.error().code, Code::kConflict) << id.error().to_string();
    }
    return id.ok();
  });
  EXPECT_EQ(inserted, 1);
  EXPECT_EQ(*store().count_deployments({.terminal_id = t}), 1);
}

TEST_P(RaceConformance, ConcurrentAuditAppendsKeepOneChain) {
  constexpr int kEach = 20;
  const int appended = race([&](int i) {
    int ok = 0;
    for (int n = 0; n < kEach; ++n) {
      AuditEntry e;
      e.actor = "writer" + std::to_string(i);
      e.action = "test.append";
      e.target = std::to_string(n);
      if (i % 2) {  // half inside a unit of work, as domain changes append
        Status st = store().transact([&](Tx& tx) -> Status {
          auto a = tx.append_audit(e);
          if (!a) return a.error();
          return ok_status();
        });
        EXPECT_TRUE(st) << st.error().to_string();
        ok += st.ok();
      } else {
        auto a = store().append_audit(e);
        EXPECT_TRUE(a) << a.error().to_string();
        ok += a.ok();
      }
    }
    return ok == kEach;
  });
  EXPECT_EQ(appended, kThreads);
  auto all = store().audit_entries(0, 10 * kThreads * kEach);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), static_cast<size_t>(kThreads * kEach));
  std::set<std::int64_t> ids;
  for (const auto& e : *all) ids.insert(e.id);
  EXPECT_EQ(ids.size(), all->size()) << "ids are unique";
  const auto check = verify_log(*all, all->back().id, all->back().hash);
  EXPECT_TRUE(check.ok) << check.problem << " at " << check.first_bad_id;
  EXPECT_EQ(check.entries, kThreads * kEach);
}

}  // namespace
}  // namespace posfleet::store::conformance
