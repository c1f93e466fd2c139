// Store conformance: limits — events counted per key in a sliding window (time > since), the
// check-and-add that never lets the count pass its maximum (also with writers racing on real
// threads, as servers sharing a database would), clearing a key, and pruning old events.
#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

TEST_P(LimitsConformance, EventsCountPerKeyInsideTheWindow) {
  ASSERT_TRUE(store().add_limit_event("name:a", 100));
  ASSERT_TRUE(store().add_limit_event("name:a", 200));
  ASSERT_TRUE(store().add_limit_event("name:a", 200));
  ASSERT_TRUE(store().add_limit_event("name:b", 200));
  EXPECT_EQ(*store().count_limit_events("name:a", 0), 3);
  EXPECT_EQ(*store().count_limit_events("name:a", 100), 2) << "an event at `since` is outside";
  EXPECT_EQ(*store().count_limit_events("name:a", 200), 0);
  EXPECT_EQ(*store().count_limit_events("name:b", 0), 1);
  EXPECT_EQ(*store().count_limit_events("name:c", 0), 0);
}

TEST_P(LimitsConformance, TakeAddsOnlyBelowTheMaximumAndTheWindowSlides) {
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(*store().take_limit_event("addr:x", 40, 100 + i, 3));
  EXPECT_FALSE(*store().take_limit_event("addr:x", 40, 103, 3));
  EXPECT_EQ(*store().count_limit_events("addr:x", 0), 3) << "a refused event is not counted";
  EXPECT_TRUE(*store().take_limit_event("addr:y", 40, 103, 3)) << "other keys are not limited";
  // 60 seconds on the first event (at 100) has left the window; the next two have not.
  EXPECT_TRUE(*store().take_limit_event("addr:x", 100, 160, 3));
  EXPECT_FALSE(*store().take_limit_event("addr:x", 100, 160, 3));
}

TEST_P(LimitsConformance, TakeJoinsAnOuterTransaction) {
  auto st = store().transact([](Tx& tx) -> Status {
    EXPECT_TRUE(*tx.take_limit_event("k", 0, 1, 1));
    return make_error(Code::kInternal, "undo");
  });
  EXPECT_FALSE(st);
  EXPECT_EQ(*store().count_limit_events("k", 0), 0) << "undone with the outer transaction";
  EXPECT_TRUE(*store().take_limit_event("k", 0, 1, 1));
}

TEST_P(LimitsConformance, ClearForgetsOneKey) {
  ASSERT_TRUE(store().add_limit_event("name:a", 100));
  ASSERT_TRUE(store().add_limit_event("addr:a", 100));
  ASSERT_TRUE(store().clear_limit_events("name:a"));
  EXPECT_EQ(*store().count_limit_events("name:a", 0), 0);
  EXPECT_EQ(*store().count_limit_events("addr:a", 0), 1);
}

TEST_P(LimitsConformance, PruneDeletesOldEventsAtMostLimitAtATime) {
  for (int t = 1; t <= 5; ++t) ASSERT_TRUE(store().add_limit_event("k" + std::to_string(t), t));
  auto n = store().prune_limit_events(4, 2);
  ASSERT_TRUE(n) << n.error().to_string();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(*store().prune_limit_events(4, 100), 2);
  EXPECT_EQ(*store().prune_limit_events(4, 100), 0);
  EXPECT_EQ(*store().count_limit_events("k5", 0), 1);
}

TEST_P(LimitsConformance, RacingTakesNeverPassTheMaximum) {
  constexpr int kThreads = 8, kEach = 5, kMax = 10;
  std::latch start(kThreads);
  std::atomic<int> taken{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int j = 0; j < kEach; ++j) {
        auto r = store().take_limit_event("addr:race", 0, 1000, kMax);
        if (!r) ++failed;
        if (r && *r) ++taken;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(taken.load(), kMax);
  EXPECT_EQ(*store().count_limit_events("addr:race", 0), kMax);
}

}  // namespace
}  // namespace posfleet::store::conformance
