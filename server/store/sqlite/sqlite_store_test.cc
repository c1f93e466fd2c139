// What only the SQLite backend has: its schema migrations. Everything the
// Store interface promises is tested for every backend by the conformance
// suite (server/store/conformance).
#include "server/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"

namespace posfleet::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.file("posfleet.db"); }
  posfleet::testing::TempDir dir_{"posfleet_store"};
};

TEST_F(SqliteStoreTest, MigratesOnceAndKeepsData) {
  {
    auto s = SqliteStore::open(db());
    ASSERT_TRUE(s) << s.error().to_string();
    ASSERT_TRUE((*s)->insert_terminal(
        {0, "DEFAULT", "PF1", "A920", "h1", "", "{}", 1, 0, "", 0, 0, "", ""}));
  }
  auto s = SqliteStore::open(db());  // re-open: migrations are not re-run
  ASSERT_TRUE(s);
  auto t = (*s)->terminal_by_serial("DEFAULT", "PF1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->model, "A920");
  EXPECT_EQ((*s)->terminal_by_serial("OTHER", "PF1").error().code, Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::store
