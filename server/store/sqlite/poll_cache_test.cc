// The poll cache on its own: what it keeps, what drops an entry, and the read that raced a
// commit. That SqliteStore keeps it coherent is the conformance suite's to prove
// (conformance/releases_test.cc, every poll there after one that could fill the cache).
#include "server/store/sqlite/poll_cache.h"

#include <gtest/gtest.h>

namespace posfleet::store {
namespace {

PollingTerminal polled(std::int64_t id, const std::string& serial) {
  PollingTerminal p;
  p.terminal.id = id;
  p.terminal.tenant = "DEFAULT";
  p.terminal.serial = serial;
  p.terminal.token_hash = "h" + serial;
  return p;
}

TEST(PollCacheTest, KeepsATerminalWithNothingToDoUntilItsRowChanges) {
  PollCache cache(10);
  EXPECT_FALSE(cache.find("DEFAULT", "PF1"));
  cache.put(cache.generation(), polled(1, "PF1"));
  cache.put(cache.generation(), polled(2, "PF2"));
  ASSERT_TRUE(cache.find("DEFAULT", "PF1"));
  EXPECT_EQ(cache.find("DEFAULT", "PF1")->terminal.token_hash, "hPF1");
  EXPECT_FALSE(cache.find("OTHER", "PF1")) << "the tenant is part of the key";
  cache.committed({1}, false);
  EXPECT_FALSE(cache.find("DEFAULT", "PF1"));
  EXPECT_TRUE(cache.find("DEFAULT", "PF2")) << "another terminal's change leaves it";
  cache.committed({}, true);
  EXPECT_FALSE(cache.find("DEFAULT", "PF2")) << "any deployment change drops every entry";
  EXPECT_EQ(cache.size(), 0u);
}

TEST(PollCacheTest, AReadThatRacedACommitIsNotKept) {
  PollCache cache(10);
  const auto before = cache.generation();
  cache.committed({7}, false);  // lands between the read and the put
  cache.put(before, polled(1, "PF1"));
  EXPECT_FALSE(cache.find("DEFAULT", "PF1"));
  cache.put(cache.generation(), polled(1, "PF1"));
  EXPECT_TRUE(cache.find("DEFAULT", "PF1"));
}

TEST(PollCacheTest, KeepsNoTerminalWithWorkOrALargeConfigurationAndNothingWhenOff) {
  PollCache cache(10);
  auto busy = polled(1, "PF1");
  busy.open = DeploymentRecord{};
  cache.put(cache.generation(), busy);
  EXPECT_FALSE(cache.find("DEFAULT", "PF1"));
  auto large = polled(2, "PF2");
  large.terminal.attributes_json = "{\"x\":\"" + std::string(4096, 'a') + "\"}";
  cache.put(cache.generation(), large);
  EXPECT_FALSE(cache.find("DEFAULT", "PF2"));
  PollCache off(0);
  off.put(off.generation(), polled(3, "PF3"));
  EXPECT_FALSE(off.find("DEFAULT", "PF3"));
}

TEST(PollCacheTest, LastSeenBatchesRaiseTheCopiesAndNeverLowerThem) {
  PollCache cache(10);
  cache.put(cache.generation(), polled(1, "PF1"));
  cache.touched({{1, 500}, {99, 700}});
  EXPECT_EQ(cache.find("DEFAULT", "PF1")->terminal.last_seen, 500);
  cache.touched({{1, 400}});
  EXPECT_EQ(cache.find("DEFAULT", "PF1")->terminal.last_seen, 500);
}

TEST(PollCacheTest, HoldsAtMostItsCapacity) {
  PollCache cache(3);
  for (int i = 1; i <= 10; ++i) cache.put(cache.generation(), polled(i, "PF" + std::to_string(i)));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.find("DEFAULT", "PF10")) << "the newest is kept";
  // Invalidation still finds the survivors by id.
  cache.committed({10}, false);
  EXPECT_FALSE(cache.find("DEFAULT", "PF10"));
  EXPECT_EQ(cache.size(), 2u);
}

}  // namespace
}  // namespace posfleet::store
