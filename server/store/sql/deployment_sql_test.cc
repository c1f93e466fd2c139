// The update state has one C++ definition (store::update_state_of) and one SQL form built from
// it (deployment_sql.h). This property test gives random fleets random deployment histories
// and checks that what SQL answers — the state query_terminals shows, count_terminals by state,
// release_state_counts — is what the C++ rule says. The seed is printed on failure; set
// POSFLEET_SEED to replay one.
#include "server/store/sql/deployment_sql.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>

#include "core/testing/temp_dir.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::store {
namespace {

TEST(DeploymentWords, EveryWordReadsBackAsItself) {
  for (auto s : kAllDeploymentStatuses) EXPECT_EQ(*parse_deployment_status(to_string(s)), s);
  for (auto r : kAllDeploymentResults) EXPECT_EQ(*parse_deployment_result(to_string(r)), r);
  for (auto u : kAllUpdateStates) EXPECT_EQ(*parse_update_state(to_string(u)), u);
  EXPECT_EQ(parse_deployment_status("Running").error().code, Code::kInvalidArgument);
  EXPECT_EQ(parse_update_state("").error().code, Code::kInvalidArgument);
}

TEST(UpdateStateSql, AgreesWithTheCxxRuleOnRandomFleets) {
  const char* env = std::getenv("POSFLEET_SEED");
  const unsigned seed = env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10))
                            : static_cast<unsigned>(std::random_device{}());
  SCOPED_TRACE("seed " + std::to_string(seed) + " (POSFLEET_SEED=" + std::to_string(seed) +
               " replays it)");
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };

  posfleet::testing::TempDir dir{"posfleet_state_sql"};
  auto opened = SqliteStore::open(dir.file("posfleet.db"));
  ASSERT_TRUE(opened) << opened.error().to_string();
  auto& store = **opened;

  constexpr int kCases = 300;
  for (int c = 0; c < kCases; ++c) {
    const std::string group = "case" + std::to_string(c);
    // Two releases per case, so that release_state_counts sees a mix.
    std::int64_t releases[2];
    for (int i = 0; i < 2; ++i) {
      ReleaseRecord r{0,    std::to_string(c) + "." + std::to_string(i) + ".0",
                      "{}", "A920",
                      "k",  1LL << 40,
                      1,    false,
                      {}};
      ASSERT_TRUE(store.insert_release(r));
      releases[i] = r.id;
    }
    std::map<std::int64_t, UpdateState> expected_state;      // terminal → state
    std::map<UpdateState, std::int64_t> expected_counts[2];  // per release
    const int terminals = 1 + pick(6);
    for (int n = 0; n < terminals; ++n) {
      const std::string serial = group + "-" + std::to_string(n);
      auto id = store.insert_terminal(
          {0, "DEFAULT", serial, "A920", "h-" + serial, "", "{}", 1, 0, "", 0, 0, "", ""});
      ASSERT_TRUE(id);
      ASSERT_TRUE(store.set_terminal_group(*id, group));
      UpdateState state = UpdateState::kIdle;
      const int history = pick(5);  // 0: idle
      for (int k = 0; k < history; ++k) {
        // Any status and result, at most one open deployment (the store's rule); every
        // combination, not only those the life cycle makes, so the SQL covers them all.
        DeploymentStatus status = kAllDeploymentStatuses[pick(5)];
        const bool last = k == history - 1;
        while (!last && is_open(status)) status = kAllDeploymentStatuses[pick(5)];
        const DeploymentResult result = kAllDeploymentResults[pick(3)];
        const int rel = pick(2);
        ASSERT_TRUE(
            store.insert_deployment({0, *id, releases[rel], status, result, "", 1 + k, 1 + k}));
        state = update_state_of(status, result);
        ++expected_counts[rel][state];
      }
      expected_state[*id] = state;
    }

    TerminalQuery q;
    q.group = group;
    q.limit = 100;
    auto rows = store.query_terminals(q);
    ASSERT_TRUE(rows) << rows.error().to_string();
    ASSERT_EQ(rows->size(), expected_state.size());
    for (const auto& row : *rows)
      EXPECT_EQ(to_string(row.state), to_string(expected_state[row.terminal.id]))
          << "case " << c << " " << row.terminal.serial;
    for (auto s : kAllUpdateStates) {
      std::int64_t want = 0;
      for (const auto& [id, st] : expected_state) want += st == s;
      q.state = s;
      EXPECT_EQ(*store.count_terminals(q), want) << "case " << c << " state " << to_string(s);
      auto page = store.query_terminals(q);
      ASSERT_TRUE(page);
      EXPECT_EQ(static_cast<std::int64_t>(page->size()), want) << "case " << c;
    }
    for (int i = 0; i < 2; ++i) {
      auto counts = store.release_state_counts(releases[i]);
      ASSERT_TRUE(counts) << counts.error().to_string();
      for (auto s : kAllUpdateStates) {
        if (s == UpdateState::kIdle) continue;
        EXPECT_EQ(counts->at(s), expected_counts[i][s])
            << "case " << c << " release " << i << " state " << to_string(s);
      }
    }
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace posfleet::store
