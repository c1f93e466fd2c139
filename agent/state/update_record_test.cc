#include "agent/state/update_record.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace posfleet::agent {
namespace {

TEST(UpdateRecord, RoundTripsThroughItsFile) {
  auto path =
      (std::filesystem::temp_directory_path() / ("posfleet_record_" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove(path);
  auto fresh = UpdateRecord::load(path);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->state, "idle");
  UpdateRecord r;
  r.state = "download";
  r.action_id = 42;
  r.version = "2.1.0";
  r.artifacts = {{"os", "2.1.0", "os.img", "http://x/os.img", std::string(64, 'a'), 123}};
  r.resumes = 2;
  r.last = {41, "2.0.0", "failure", "bad signature", 10, 1700000000, 0};
  ASSERT_TRUE(r.save(path));
  auto back = UpdateRecord::load(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->state, "download");
  EXPECT_EQ(back->action_id, 42);
  ASSERT_EQ(back->artifacts.size(), 1u);
  EXPECT_EQ(back->artifacts[0].length, 123u);
  EXPECT_EQ(back->resumes, 2);
  EXPECT_EQ(back->last.message, "bad signature");
  EXPECT_EQ(back->last.code, 10);
  std::filesystem::remove(path);
}

TEST(UpdateRecord, RefusesARecordFromANewerAgent) {
  auto path = (std::filesystem::temp_directory_path() /
               ("posfleet_record_new_" + std::to_string(::getpid())))
                  .string();
  std::ofstream(path) << R"({"schema_version": 99, "state": "idle"})";
  auto r = UpdateRecord::load(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kParse);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace posfleet::agent
