#include "server/domain/load.h"

#include <gtest/gtest.h>

#include <vector>

namespace posfleet::domain {
namespace {

TEST(LoadState, RefusesBeyondTheCapUntilASlotIsGivenBack) {
  LoadState load(2);
  auto a = load.acquire(1), b = load.acquire(2);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  auto c = load.acquire(3);
  ASSERT_FALSE(c);
  EXPECT_GE(c.retry_after_seconds, 5);
  EXPECT_LE(c.retry_after_seconds, 15);
  a.slot.reset();
  auto d = load.acquire(4);
  EXPECT_TRUE(d);
  auto f = load.figures();
  EXPECT_EQ(f.active, 2);
  EXPECT_EQ(f.peak, 2);
  EXPECT_EQ(f.refused, 1);
  EXPECT_EQ(f.early_retries, 0);
}

TEST(LoadState, CountsATerminalThatComesBackBeforeItsRetryAfter) {
  LoadState load(1);
  auto a = load.acquire(1);
  ASSERT_FALSE(load.acquire(2));
  a.slot.reset();
  EXPECT_TRUE(load.acquire(2));  // served (a slot is free), but counted: it was told to wait
  EXPECT_EQ(load.figures().early_retries, 1);
}

TEST(LoadState, StretchesThePollWhileBusy) {
  LoadState load(1);
  EXPECT_EQ(load.poll_seconds(60), 60);
  auto a = load.acquire(1);
  EXPECT_EQ(load.poll_seconds(60), 120);  // slots exhausted
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(load.acquire(10 + i));
  EXPECT_EQ(load.poll_seconds(60), 240);  // more than four rounds of slots turned away
  EXPECT_EQ(load.poll_seconds(86400), 86400);
  EXPECT_TRUE(load.figures().busy);
}

TEST(LoadState, UnlimitedNeverRefusesNorStretches) {
  LoadState load(0);
  std::vector<DownloadGrant> grants;
  for (int i = 0; i < 100; ++i) {
    grants.push_back(load.acquire(i));
    ASSERT_TRUE(grants.back());
  }
  EXPECT_EQ(load.poll_seconds(60), 60);
  EXPECT_EQ(load.figures().peak, 100);
}

}  // namespace
}  // namespace posfleet::domain
