// LastSeen: a poll's last_seen waits in memory until the next flush, which writes every
// terminal's newest time in one go.
#include "server/domain/last_seen.h"

#include <thread>
#include <vector>

#include "core/clock.h"
#include "server/domain/deployments.h"
#include "server/domain/terminal_view.h"
#include "server/testing/domain_fixture.h"

namespace posfleet::domain {
namespace {

class LastSeenTest : public testing::DomainTest {
 protected:
  LastSeenTest() : DomainTest(3) {}
  std::int64_t stored(int i) { return store_->terminal_by_id(terminals_[i].id)->last_seen; }
};

TEST_F(LastSeenTest, AFirstPollIsWrittenAtOnceTheNextAtTheNextFlush) {
  LastSeen batch;
  ctx_->last_seen = &batch;
  ASSERT_TRUE(note_poll(*ctx_, terminals_[1]));
  EXPECT_GT(stored(1), 0) << "a terminal's first poll waited for the batch";
  EXPECT_EQ(batch.pending(), 0u);
  ASSERT_TRUE(store_->touch_terminal(terminals_[1].id, 100));
  terminals_[1].last_seen = 100;
  ASSERT_TRUE(note_poll(*ctx_, terminals_[1]));
  EXPECT_EQ(stored(1), 100) << "written at once";
  EXPECT_EQ(batch.pending(), 1u);
  ASSERT_TRUE(batch.flush(*store_));
  EXPECT_GT(stored(1), 100);
  EXPECT_EQ(stored(0), 0);
  EXPECT_EQ(batch.pending(), 0u);
}

TEST_F(LastSeenTest, TheNewestTimeOfEachTerminalIsKeptFromManyThreads) {
  LastSeen batch;
  std::vector<std::thread> pollers;
  for (int k = 0; k < 4; ++k)
    pollers.emplace_back([&, k] {
      for (int n = 0; n < 1000; ++n) batch.seen(terminals_[n % 3].id, 100 + n + k);
    });
  for (auto& p : pollers) p.join();
  EXPECT_EQ(batch.pending(), 3u);
  ASSERT_TRUE(batch.flush(*store_));
  EXPECT_EQ(stored(0), 100 + 999 + 3);
  EXPECT_EQ(stored(1), 100 + 997 + 3);
  EXPECT_EQ(stored(2), 100 + 998 + 3);
}

TEST_F(LastSeenTest, APollWithinAStepOfTheStoredTimeWritesNothing) {
  LastSeen batch;
  ctx_->last_seen = &batch;
  ctx_->poll_seconds = 60;  // a 180 s online window: a step of 60 s
  ASSERT_EQ(last_seen_step_seconds(*ctx_), 60);
  const auto now = unix_now();
  ASSERT_TRUE(store_->touch_terminal(terminals_[1].id, now - 50));
  terminals_[1].last_seen = now - 50;
  ASSERT_TRUE(note_poll(*ctx_, terminals_[1]));
  EXPECT_EQ(batch.pending(), 0u) << "a poll 50 s after the stored time was written";
  terminals_[1].last_seen = now - 70;
  ASSERT_TRUE(note_poll(*ctx_, terminals_[1]));
  EXPECT_EQ(batch.pending(), 1u) << "a poll a step after the stored time was not written";
}

TEST_F(LastSeenTest, AStepKeepsATerminalPollingAtItsIntervalOnline) {
  for (int poll : {1, 5, 15, 29, 60, 300, 3600}) {
    ctx_->poll_seconds = poll;
    // Stored at most a poll interval, a step and a flush (10 s) behind its last contact.
    EXPECT_LT(poll + last_seen_step_seconds(*ctx_) + 10, online_window_seconds(*ctx_))
        << "poll every " << poll << " s";
  }
}

TEST_F(LastSeenTest, WithoutABatchAPollWritesAtOnce) {
  ASSERT_TRUE(note_poll(*ctx_, terminals_[2]));
  EXPECT_GT(stored(2), 0);
}

}  // namespace
}  // namespace posfleet::domain
