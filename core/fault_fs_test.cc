#include "core/fault_fs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/testing/temp_dir.h"

namespace posfleet {
namespace {

class FaultFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ + "/data");
    std::ofstream(dir_ + "/data/old.json") << "old";
    fs_ = std::make_unique<FaultInjectingFs>(dir_, posix_);
  }
  std::string text(const std::string& name) {
    auto t = posix_.read(dir_ + "/" + name);
    return t ? *t : "<missing>";
  }
  testing::TempDir tmp_{"posfleet_fault_fs"};
  std::string dir_ = tmp_.path();
  PosixFs posix_;
  std::unique_ptr<FaultInjectingFs> fs_;
};

TEST_F(FaultFsTest, WhatWasThereAtTheStartSurvives) {
  fs_->power_cut(false);
  EXPECT_EQ(text("data/old.json"), "old");
}

TEST_F(FaultFsTest, UnsyncedAppendsAreDropped) {
  auto f = fs_->open_append(dir_ + "/data/old.json", false);
  ASSERT_TRUE(f);
  ASSERT_TRUE((*f)->append("+synced"));
  ASSERT_TRUE((*f)->sync());
  ASSERT_TRUE((*f)->append("+lost"));
  fs_->power_cut(false);
  EXPECT_EQ(text("data/old.json"), "old+synced");
}

TEST_F(FaultFsTest, ATornTailKeepsItsLengthButNotItsBytes) {
  auto f = fs_->open_append(dir_ + "/data/old.json", false);
  ASSERT_TRUE(f);
  ASSERT_TRUE((*f)->append("abcdef"));
  fs_->power_cut(true);
  const std::string t = text("data/old.json");
  ASSERT_EQ(t.size(), 9u);
  EXPECT_EQ(t.substr(0, 3), "old");
  EXPECT_EQ(t.back(), '\0');
}

TEST_F(FaultFsTest, ASyncedFileInAFolderNotSyncedSinceIsGone) {
  auto f = fs_->open_append(dir_ + "/data/new.jsonl", false);
  ASSERT_TRUE(f);
  ASSERT_TRUE((*f)->append("line\n"));
  ASSERT_TRUE((*f)->sync());  // its data, not its name
  fs_->power_cut(false);
  EXPECT_EQ(text("data/new.jsonl"), "<missing>");
}

TEST_F(FaultFsTest, ANewFolderWithItsFilesIsGoneUntilItsParentIsSynced) {
  ASSERT_TRUE(fs_->make_dirs(dir_ + "/slots/b"));
  ASSERT_TRUE(fs_->write_atomic(dir_ + "/slots/b/slot.json", "{}"));  // syncs slots/b only
  fs_->power_cut(false);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/slots"));
}

TEST_F(FaultFsTest, AFolderRecreatedUnderItsOldNameIsGoneUntilItsParentIsSynced) {
  ASSERT_TRUE(fs_->make_dirs(dir_ + "/slots/b"));
  ASSERT_TRUE(fs_->sync_dir(dir_ + "/slots"));
  ASSERT_TRUE(fs_->sync_dir(dir_));
  ASSERT_TRUE(fs_->remove(dir_ + "/slots/b"));
  ASSERT_TRUE(fs_->make_dirs(dir_ + "/slots/b"));  // often the very same inode number
  ASSERT_TRUE(fs_->write_atomic(dir_ + "/slots/b/slot.json", "{}"));
  fs_->power_cut(false);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/slots/b/slot.json"));
}

TEST_F(FaultFsTest, ARenameNotFollowedByAFolderSyncIsUndone) {
  ASSERT_TRUE(fs_->write_atomic(dir_ + "/data/old.json", "first"));
  // Between the rename and the folder's sync: the old content must come back.
  fs_->on_point([&](std::string_view name) {
    if (name == "old.json:renamed") {
      fs_->power_cut(false);
      throw std::runtime_error("cut");
    }
  });
  EXPECT_THROW((void)fs_->write_atomic(dir_ + "/data/old.json", "second"), std::runtime_error);
  EXPECT_EQ(text("data/old.json"), "first");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_ + "/data"), {}), 1);
}

TEST_F(FaultFsTest, AnAtomicWriteCompletedSurvives) {
  ASSERT_TRUE(fs_->write_atomic(dir_ + "/data/old.json", "new"));
  fs_->power_cut(true);
  EXPECT_EQ(text("data/old.json"), "new");
}

TEST_F(FaultFsTest, ARunFolderIsEmptiedLikeRamDisk) {
  ASSERT_TRUE(fs_->make_dirs(dir_ + "/run"));
  ASSERT_TRUE(fs_->sync_dir(dir_));
  fs_->power_cut(false);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/run"));
}

}  // namespace
}  // namespace posfleet
