#include "server/background/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/testing/temp_dir.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::background {
namespace {

using namespace std::chrono_literals;

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::open(dir_.file("posfleet.db"));
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
  }
  testing::TempDir dir_{"runner"};
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(RunnerTest, ALeasedJobRunsOnOneServerAndMovesWhenItStops) {
  std::atomic<int> first_runs = 0, second_runs = 0;
  Runner first(*store_, "server-1", 60s), second(*store_, "server-2", 60s);
  first.every(
      "tick", 1ms,
      [&] {
        ++first_runs;
        return ok_status();
      },
      "tick");
  second.every(
      "tick", 1ms,
      [&] {
        ++second_runs;
        return ok_status();
      },
      "tick");
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    first.run_due(t0 + i * 10ms);
    second.run_due(t0 + i * 10ms);
  }
  EXPECT_EQ(first_runs, 5);
  EXPECT_EQ(second_runs, 0);
  first.stop();  // gives the lease up
  second.run_due(t0 + 100ms);
  EXPECT_EQ(second_runs, 1);
}

TEST_F(RunnerTest, AnExpiredLeaseIsTakenOver) {
  auto take = [&](const char* owner, std::int64_t now, std::int64_t until) {
    auto held = store_->take_lease("tick", owner, now, until);
    EXPECT_TRUE(held) << held.error().to_string();
    return held && *held;
  };
  EXPECT_TRUE(take("gone", 1000, 2000));
  EXPECT_FALSE(take("other", 1500, 2500));
  EXPECT_TRUE(take("other", 2001, 3000));
  EXPECT_FALSE(take("gone", 2100, 3100));
}

TEST_F(RunnerTest, AJobThatFailsOrThrowsRunsAgain) {
  int runs = 0;
  Runner r(*store_, "server-1");
  r.every("flaky", 1ms, [&]() -> Status {
    ++runs;
    if (runs == 1) throw std::runtime_error("boom");
    return make_error(Code::kIo, "disk");
  });
  const auto t0 = std::chrono::steady_clock::now();
  r.run_due(t0);
  r.run_due(t0 + 5ms);
  r.run_due(t0 + 10ms);
  EXPECT_EQ(runs, 3);
}

TEST_F(RunnerTest, StartRunsJobsOnItsThreadUntilStopped) {
  std::atomic<int> runs = 0;
  Runner r(*store_, Runner::make_owner());
  r.every(
      "tick", 5ms,
      [&] {
        ++runs;
        return ok_status();
      },
      "tick");
  r.start();
  for (int i = 0; i < 400 && runs < 3; ++i) std::this_thread::sleep_for(5ms);
  r.stop();
  const int after = runs;
  EXPECT_GE(after, 3);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runs, after);
}

}  // namespace
}  // namespace posfleet::background
