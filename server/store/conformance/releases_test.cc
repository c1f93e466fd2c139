// Store conformance: artifacts, releases, deployments (the DDI actions) and
// their status history, and the roll-out views of a release.
#include <algorithm>
#include <atomic>
#include <thread>

#include "server/store/conformance/fixture.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace posfleet::store::conformance {
namespace {

TEST_P(ReleasesConformance, AnArtifactIsStoredOnceAndFoundByItsHash) {
  ASSERT_TRUE(store().put_artifact({"aa", "s1", "m5", 3}));
  ASSERT_TRUE(store().put_artifact({"aa", "s1", "m5", 3})) << "idempotent";
  auto a = store().artifact("aa");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->size, 3u);
  EXPECT_EQ(a->md5, "m5");
  EXPECT_EQ(store().artifact("bb").error().code, Code::kNotFound);
}

TEST_P(ReleasesConformance, AReleaseWithComponentsRoundTripsAndItsVersionIsUnique) {
  auto r = release("1.0.0");
  EXPECT_GT(r.id, 0);
  ASSERT_EQ(r.components.size(), 1u);
  EXPECT_GT(r.components[0].id, 0) << "insert_release fills the ids";
  auto back = store().release_by_version("1.0.0");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, r.id);
  EXPECT_EQ(back->manifest_json, r.manifest_json);
  ASSERT_EQ(back->components.size(), 1u);
  EXPECT_EQ(back->components[0].filename, "os.img");
  EXPECT_EQ(store().release_by_id(r.id)->version, "1.0.0");
  auto c = store().component(r.components[0].id);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->release_id, r.id);
  EXPECT_EQ(store().release_by_version("9.9.9").error().code, Code::kNotFound);
  EXPECT_EQ(store().release_by_id(r.id + 100).error().code, Code::kNotFound);
  EXPECT_EQ(store().component(r.components[0].id + 100).error().code, Code::kNotFound);
  auto again = store().insert_release(r);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kConflict);
}

TEST_P(ReleasesConformance, ReleasesAreListedOldestFirstAndKeepTheirDeadline) {
  auto a = release("1.0.0"), b = release("1.1.0", true);
  ASSERT_TRUE(store().set_release_deadline(b.id, 5000));
  auto all = store().list_releases();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, a.id);
  EXPECT_EQ((*all)[1].id, b.id);
  EXPECT_TRUE((*all)[1].security);
  EXPECT_EQ((*all)[1].security_deadline, 5000);
}

TEST_P(ReleasesConformance, ADeploymentIsWrittenOnlyOverTheStatusItWasReadWith) {
  const auto t = terminal("PF1");
  const auto r = release("1.0.0");
  const auto id = deployment(t, r.id, "running");
  auto read = *store().deployment(id);  // a progress report reads "running" ...
  auto cancel = read;
  cancel.status = DeploymentStatus::kCanceling;  // ... a cancel lands meanwhile ...
  ASSERT_TRUE(store().update_deployment(cancel));
  read.message = "downloaded 50%";  // ... and the report must not undo it
  EXPECT_FALSE(*store().update_deployment_if(read, DeploymentStatus::kRunning));
  EXPECT_EQ(store().deployment(id)->status, DeploymentStatus::kCanceling);
  read.status = DeploymentStatus::kCanceling;
  EXPECT_TRUE(*store().update_deployment_if(read, DeploymentStatus::kCanceling));
  EXPECT_EQ(store().deployment(id)->message, "downloaded 50%");
  EXPECT_EQ(store().deployment(id + 100).error().code, Code::kNotFound);
}

TEST_P(ReleasesConformance, ATerminalHasAtMostOneOpenDeployment) {
  const auto t = terminal("PF1");
  const auto r = release("1.0.0");
  EXPECT_FALSE(store().open_deployment(t)->has_value());
  const auto first = deployment(t, r.id, "scheduled");
  auto open = store().open_deployment(t);
  ASSERT_TRUE(open && open->has_value());
  EXPECT_EQ((*open)->id, first);
  auto second = store().insert_deployment(
      {0, t, r.id, DeploymentStatus::kScheduled, DeploymentResult::kNone, "", 2, 2});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Code::kConflict);
  auto ended = *store().deployment(first);
  ended.status = DeploymentStatus::kFinished;
  ended.result = DeploymentResult::kSuccess;
  ASSERT_TRUE(store().update_deployment(ended));
  EXPECT_FALSE(store().open_deployment(t)->has_value());
  EXPECT_TRUE(store().insert_deployment(
      {0, t, r.id, DeploymentStatus::kScheduled, DeploymentResult::kNone, "", 3, 3}));
  EXPECT_TRUE(*store().release_assigned(t, r.id));
  EXPECT_FALSE(*store().release_assigned(t, r.id + 100));
}

TEST_P(ReleasesConformance, APollReadsTheTerminalWithItsOpenDeploymentAtOnce) {
  const auto t = terminal("PF1");
  const auto other = terminal("PF2");
  const auto r = release("1.0.0");
  auto none = store().polling_terminal("DEFAULT", "PF1");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->terminal.id, t);
  EXPECT_EQ(none->terminal.serial, "PF1");
  EXPECT_EQ(none->terminal.token_hash, store().terminal_by_id(t)->token_hash);
  EXPECT_FALSE(none->open.has_value()) << "no deployment at all";

  const auto theirs = deployment(other, r.id, "running");
  const auto first = deployment(t, r.id, "running");
  auto open = store().polling_terminal("DEFAULT", "PF1");
  ASSERT_TRUE(open);
  ASSERT_TRUE(open->open.has_value());
  EXPECT_EQ(open->open->id, first) << "its own, not PF2's " << theirs;
  EXPECT_EQ(open->open->status, DeploymentStatus::kRunning);
  EXPECT_EQ(open->open->release_id, r.id);

  auto ended = *store().deployment(first);
  ended.status = DeploymentStatus::kFinished;
  ended.result = DeploymentResult::kSuccess;
  ASSERT_TRUE(store().update_deployment(ended));
  auto after = store().polling_terminal("DEFAULT", "PF1");
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->open.has_value()) << "the newest deployment has ended";
  EXPECT_TRUE(store().polling_terminal("DEFAULT", "PF2")->open.has_value());

  EXPECT_EQ(store().polling_terminal("DEFAULT", "PF9").error().code, Code::kNotFound);
  EXPECT_EQ(store().polling_terminal("OTHER", "PF1").error().code, Code::kNotFound);
}

TEST_P(ReleasesConformance, APollSeesEveryCommittedChangeOfItsTerminalAtOnce) {
  // A backend may answer polls from a cache (sqlite/poll_cache.h): each poll below follows a
  // poll that could have filled it.
  const auto t = terminal("PF1");
  const auto r = release("1.0.0");
  auto poll = [&] {
    auto p = store().polling_terminal("DEFAULT", "PF1");
    EXPECT_TRUE(p);
    return p ? *p : PollingTerminal{};
  };
  poll();
  ASSERT_TRUE(store().set_terminal_token(t, "rotated"));
  EXPECT_EQ(poll().terminal.token_hash, "rotated");
  ASSERT_TRUE(store().set_terminal_attributes(t, R"({"version":"1.0.0"})"));
  EXPECT_EQ(poll().terminal.attributes_json, R"({"version":"1.0.0"})");
  ASSERT_TRUE(store().set_installed_version(t, "1.0.0"));
  EXPECT_EQ(poll().terminal.installed_version, "1.0.0");

  // A transaction that fails changes nothing, and one that commits is seen.
  auto failed = store().transact([&](Tx& tx) -> Status {
    if (auto id = tx.insert_deployment(
            {0, t, r.id, DeploymentStatus::kScheduled, DeploymentResult::kNone, "", 1, 1});
        !id)
      return id.error();
    return make_error(Code::kConflict, "changed my mind");
  });
  ASSERT_FALSE(failed);
  EXPECT_FALSE(poll().open.has_value());
  ASSERT_TRUE(store().transact([&](Tx& tx) -> Status {
    auto id = tx.insert_deployment(
        {0, t, r.id, DeploymentStatus::kScheduled, DeploymentResult::kNone, "", 2, 2});
    return id ? ok_status() : Status(id.error());
  }));
  ASSERT_TRUE(poll().open.has_value());
  EXPECT_EQ(poll().open->status, DeploymentStatus::kScheduled);

  // last_seen written in a batch is seen too, and never goes back.
  ASSERT_TRUE(store().touch_terminals({{t, 5000}}));
  EXPECT_EQ(poll().terminal.last_seen, 5000);
  ASSERT_TRUE(store().touch_terminals({{t, 4000}}));
  EXPECT_EQ(poll().terminal.last_seen, 5000);

  ASSERT_TRUE(store().retire_terminal(t, 6000, "stolen", "nobody-has-this"));
  EXPECT_NE(poll().terminal.retired, 0);
  EXPECT_EQ(poll().terminal.token_hash, "nobody-has-this");
  EXPECT_FALSE(poll().open.has_value()) << "retiring cancels its deployment";
}

TEST_P(ReleasesConformance, PollsOnOtherThreadsSeeADeploymentOnceItIsCommitted) {
  // A poll on one thread races deployments committed on another: once the writer is done,
  // every poll sees the last committed state, never an older one kept from during the race.
  const auto t = terminal("PF1");
  const auto r = release("1.0.0");
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::thread reader([&] {
    while (!done.load())
      if (!store().polling_terminal("DEFAULT", "PF1")) ++errors;
  });
  for (int i = 0; i < 60; ++i) {
    auto id = store().insert_deployment(
        {0, t, r.id, DeploymentStatus::kScheduled, DeploymentResult::kNone, "", i, i});
    ASSERT_TRUE(id);
    auto ended = *store().deployment(*id);
    ended.status = DeploymentStatus::kFinished;
    ended.result = DeploymentResult::kSuccess;
    if (i + 1 < 60) {
      ASSERT_TRUE(store().update_deployment(ended));
    }
  }
  done = true;
  reader.join();
  EXPECT_EQ(errors.load(), 0);
  for (int i = 0; i < 3; ++i) {
    auto p = store().polling_terminal("DEFAULT", "PF1");
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->open.has_value()) << "the last deployment is open";
  }
  auto last = *store().open_deployment(t);
  ASSERT_TRUE(last.has_value());
  auto ended = *last;
  ended.status = DeploymentStatus::kFinished;
  ended.result = DeploymentResult::kSuccess;
  ASSERT_TRUE(store().update_deployment(ended));
  EXPECT_FALSE(store().polling_terminal("DEFAULT", "PF1")->open.has_value());
}

TEST_P(ReleasesConformance, DeploymentsAreListedNewestFirstFilteredAndCounted) {
  const auto a = terminal("PF1"), b = terminal("PF2");
  const auto r1 = release("1.0.0"), r2 = release("2.0.0");
  const auto d1 = deployment(a, r1.id, "finished", "success");
  const auto d2 = deployment(a, r2.id, "finished", "failure");
  const auto d3 = deployment(b, r2.id, "running");
  auto all = store().list_deployments(std::nullopt, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, d3);
  EXPECT_EQ((*all)[2].id, d1);
  auto of_a = store().list_deployments(a, 1);
  ASSERT_EQ(of_a->size(), 1u);
  EXPECT_EQ(of_a->front().id, d2);

  auto ids = [&](DeploymentQuery q) {
    std::vector<std::int64_t> out;
    auto rows = store().query_deployments(q);
    EXPECT_TRUE(rows);
    if (rows)
      for (const auto& d : *rows) out.push_back(d.id);
    return out;
  };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids({.release_id = r2.id}), (Ids{d3, d2}));
  EXPECT_EQ(ids({.terminal_id = a, .result = DeploymentResult::kSuccess}), (Ids{d1}));
  EXPECT_EQ(ids({.status = DeploymentStatus::kRunning}), (Ids{d3}));
  EXPECT_EQ(ids({.offset = 1, .limit = 1}), (Ids{d2}));
  EXPECT_EQ(*store().count_deployments({.offset = 1, .limit = 1}), 3) << "ignores the page";
  EXPECT_EQ(*store().count_deployments({.release_id = r2.id}), 2);
}

TEST_P(ReleasesConformance, StatusHistoryIsKeptInOrderWithProgress) {
  const auto d = deployment(terminal("PF1"), release("1.0.0").id, "running");
  ActionStatusRecord s1{0, d, 10, "proceeding", "none", R"(["downloading"])", 0, 5, 10};
  ActionStatusRecord s2{0, d, 20, "closed", "success", "[]", 0, 0, 0};
  ASSERT_TRUE(store().append_action_status(s1));
  ASSERT_TRUE(store().append_action_status(s2));
  auto h = store().action_history(d);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].execution, "proceeding");
  EXPECT_EQ((*h)[0].details_json, R"(["downloading"])");
  EXPECT_EQ((*h)[0].progress_cnt, 5);
  EXPECT_EQ((*h)[0].progress_of, 10);
  EXPECT_EQ((*h)[1].result, "success");
}

// What a release's downloads sent adds up, per release, from threads at once (migration 26).
TEST_P(ReleasesConformance, TheBytesAReleasesDownloadsSentAddUpPerRelease) {
  const auto a = release("1.0.0"), b = release("1.1.0");
  EXPECT_EQ(store().release_bytes(a.id)->sent, 0u);
  ASSERT_TRUE(store().add_release_bytes(a.id, {100, 1000}));
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(store().add_release_bytes(a.id, {1, 10}));
    });
  for (auto& t : threads) t.join();
  ASSERT_TRUE(store().add_release_bytes(b.id, {5, 5}));
  const auto got = store().release_bytes(a.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->sent, 200u);
  EXPECT_EQ(got->full, 2000u);
  EXPECT_EQ(store().release_bytes(b.id)->full, 5u);
}

// A zchunk file is listed once any release lists it; listing it again changes nothing
// (migration 27).
TEST_P(ReleasesConformance, AZchunkFileIsListedOnceAReleaseListsIt) {
  const auto a = release("1.0.0"), b = release("1.1.0");
  const std::string sha(64, 'c');
  EXPECT_FALSE(*store().zchunk_file_listed(sha));
  ASSERT_TRUE(store().add_zchunk_file(a.id, sha));
  ASSERT_TRUE(store().add_zchunk_file(a.id, sha));
  ASSERT_TRUE(store().add_zchunk_file(b.id, sha));
  EXPECT_TRUE(*store().zchunk_file_listed(sha));
  EXPECT_FALSE(*store().zchunk_file_listed(std::string(64, 'd')));
}

TEST_P(ReleasesConformance, ReleaseCheckAndRollOutViews) {
  const auto r = release("1.0.0");
  EXPECT_FALSE(store().release_check(r.id)->has_value());
  ASSERT_TRUE(store().put_release_check({r.id, true, 2, "k1,k2"}));
  auto check = store().release_check(r.id);
  ASSERT_TRUE(check && check->has_value());
  EXPECT_TRUE((*check)->verified);
  EXPECT_EQ((*check)->threshold, 2);
  EXPECT_EQ((*check)->trusted_key_ids_csv, "k1,k2");

  deployment(terminal("A"), r.id, "scheduled");
  deployment(terminal("B"), r.id, "canceling");
  deployment(terminal("C"), r.id, "finished", "success");
  deployment(terminal("D"), r.id, "finished", "failure");
  deployment(terminal("E"), r.id, "canceled");
  auto counts = store().release_state_counts(r.id);
  ASSERT_TRUE(counts);
  EXPECT_EQ((*counts)[UpdateState::kScheduled], 1);
  EXPECT_EQ((*counts)[UpdateState::kRunning], 1) << "canceling counts as running";
  EXPECT_EQ((*counts)[UpdateState::kSuccess], 1);
  EXPECT_EQ((*counts)[UpdateState::kFailed], 1);
  EXPECT_EQ((*counts)[UpdateState::kCanceled], 1);
  auto rows = store().release_deployments(r.id, 10);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 5u);
  std::vector<std::string> serials;
  for (const auto& row : *rows) serials.push_back(row.serial);
  std::sort(serials.begin(), serials.end());
  EXPECT_EQ(serials, (std::vector<std::string>{"A", "B", "C", "D", "E"}));

  // Within a subtree: its terminals' deployments alone.
  auto east = store().insert_organisation({0, 1, "reseller", "华东代理", "", "alice", 100});
  ASSERT_TRUE(east) << east.error().to_string();
  auto shop = store().insert_organisation({0, east->id, "merchant", "西湖茶馆", "", "alice", 100});
  ASSERT_TRUE(shop) << shop.error().to_string();
  ASSERT_TRUE(
      store().set_terminal_organisation(store().terminal_by_serial("DEFAULT", "C")->id, shop->id));
  ASSERT_TRUE(
      store().set_terminal_organisation(store().terminal_by_serial("DEFAULT", "A")->id, east->id));
  auto theirs = store().release_state_counts(r.id, east->path);
  ASSERT_TRUE(theirs) << theirs.error().to_string();
  EXPECT_EQ((*theirs)[UpdateState::kScheduled], 1);
  EXPECT_EQ((*theirs)[UpdateState::kSuccess], 1);
  EXPECT_EQ((*theirs)[UpdateState::kRunning], 0);
  EXPECT_EQ((*theirs)[UpdateState::kFailed], 0);
  auto their_rows = store().release_deployments(r.id, 10, east->path);
  ASSERT_TRUE(their_rows) << their_rows.error().to_string();
  serials.clear();
  for (const auto& row : *their_rows) serials.push_back(row.serial);
  std::sort(serials.begin(), serials.end());
  EXPECT_EQ(serials, (std::vector<std::string>{"A", "C"}));
  EXPECT_EQ(store().release_deployments(r.id, 10, shop->path)->size(), 1u);
}

}  // namespace
}  // namespace posfleet::store::conformance
