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
    ASSERT_TRUE(
        (*s)->insert_terminal({0, "DEFAULT", "PF1", "A920", "h1", "", "{}", 1, 0, "", 0, 0, ""}));
  }
  auto s = SqliteStore::open(db());  // re-open: migrations are not re-run
  ASSERT_TRUE(s);
  auto t = (*s)->terminal_by_serial("DEFAULT", "PF1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->model, "A920");
  EXPECT_EQ((*s)->terminal_by_serial("OTHER", "PF1").error().code, Code::kNotFound);
}

TEST_F(SqliteStoreTest, DuplicateSerialIsAConflict) {
  auto s = SqliteStore::open(db());
  ASSERT_TRUE(
      (*s)->insert_terminal({0, "DEFAULT", "PF1", "A920", "h1", "", "{}", 1, 0, "", 0, 0, ""}));
  auto again =
      (*s)->insert_terminal({0, "DEFAULT", "PF1", "A920", "h2", "", "{}", 1, 0, "", 0, 0, ""});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kConflict);
}

TEST_F(SqliteStoreTest, ReleaseWithComponentsRoundTrips) {
  auto s = SqliteStore::open(db());
  ASSERT_TRUE((*s)->put_artifact({"aa", "s1", "m5", 3}));
  ReleaseRecord r{
      0, "1.0.0", "{}", "A920", "k1", 100, 1, false, {{0, 0, "os", "1.0.0", "os.img", "aa", 3}}};
  ASSERT_TRUE((*s)->insert_release(r));
  EXPECT_GT(r.components[0].id, 0);
  auto back = (*s)->release_by_version("1.0.0");
  ASSERT_TRUE(back);
  ASSERT_EQ(back->components.size(), 1u);
  EXPECT_EQ(back->components[0].filename, "os.img");
  EXPECT_EQ((*s)->component(r.components[0].id)->release_id, r.id);
  EXPECT_EQ((*s)->insert_release(r).error().code, Code::kConflict);
}

TEST_F(SqliteStoreTest, ADeploymentIsWrittenOnlyOverTheStatusItWasReadWith) {
  auto s = SqliteStore::open(db());
  auto t = (*s)->insert_terminal({0, "DEFAULT", "PF1", "A920", "h1", "", "{}", 1, 0, "", 0, 0, ""});
  ASSERT_TRUE((*s)->put_artifact({"aa", "s1", "m5", 3}));
  ReleaseRecord r{
      0, "1.0.0", "{}", "A920", "k1", 100, 1, false, {{0, 0, "os", "1.0.0", "os.img", "aa", 3}}};
  ASSERT_TRUE((*s)->insert_release(r));
  DeploymentRecord d{0, *t, r.id, DeploymentStatus::kRunning, DeploymentResult::kNone, "", 1, 1};
  auto id = (*s)->insert_deployment(d);
  ASSERT_TRUE(id);
  d.id = *id;
  auto read = *(*s)->deployment(d.id);      // a progress report reads "running" ...
  d.status = DeploymentStatus::kCanceling;  // ... a cancel lands meanwhile ...
  ASSERT_TRUE((*s)->update_deployment(d));
  read.message = "downloaded 50%";  // ... and the report must not undo it
  EXPECT_FALSE(*(*s)->update_deployment_if(read, DeploymentStatus::kRunning));
  EXPECT_EQ((*s)->deployment(d.id)->status, DeploymentStatus::kCanceling);
  read.status = DeploymentStatus::kCanceling;
  EXPECT_TRUE(*(*s)->update_deployment_if(read, DeploymentStatus::kCanceling));
  EXPECT_EQ((*s)->deployment(d.id)->message, "downloaded 50%");

  // Two assignments racing cannot give the terminal a second open deployment.
  DeploymentRecord second{0,  *t, r.id, DeploymentStatus::kScheduled, DeploymentResult::kNone,
                          "", 2,  2};
  EXPECT_EQ((*s)->insert_deployment(second).error().code, Code::kConflict);
  read.status = DeploymentStatus::kCanceled;
  ASSERT_TRUE((*s)->update_deployment(read));
  EXPECT_TRUE((*s)->insert_deployment(second));
}

}  // namespace
}  // namespace posfleet::store
