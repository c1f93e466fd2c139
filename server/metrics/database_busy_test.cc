// The SQLite busy figures GET /metrics shows (posfleet_database_busy_*):
// counted by the busy handler of every store connection.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/testing/temp_dir.h"
#include "server/store/sqlite/sqlite_db.h"

namespace posfleet::store {
namespace {

TEST(DatabaseBusyTest, AWriterThatFindsTheDatabaseLockedWaitsAndIsCounted) {
  testing::TempDir dir("posfleet_busy");
  auto a = SqliteConnection::open(dir.file("posfleet.db"));
  auto b = SqliteConnection::open(dir.file("posfleet.db"));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE((*a)->exec("CREATE TABLE t(x)"));
  ASSERT_TRUE((*a)->begin());  // BEGIN IMMEDIATE: `a` holds the write lock
  ASSERT_TRUE((*a)->exec("INSERT INTO t VALUES (1)"));
  const auto waits = busy_waits();
  const auto timeouts = busy_timeouts();

  Status written = ok_status();
  std::thread writer([&] { written = (*b)->exec("INSERT INTO t VALUES (2)"); });
  // The writer is now waiting in the busy handler: wait until it has been counted.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  while (busy_waits() == waits && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  EXPECT_EQ(busy_waits(), waits + 1);
  ASSERT_TRUE((*a)->commit());  // the lock is free: the writer goes on
  writer.join();
  EXPECT_TRUE(written) << written.error().to_string();
  EXPECT_EQ(busy_timeouts(), timeouts);
}

}  // namespace
}  // namespace posfleet::store
