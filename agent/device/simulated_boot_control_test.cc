#include "agent/device/simulated_boot_control.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/hashing.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

class SimulatedBootControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    boot_ = std::make_unique<SimulatedBootControl>(tmp_.path());
    ASSERT_TRUE(boot_->init("1.0.0"));
  }
  // Puts a release into a slot: one file and the slot.json the bootloader checks.
  void install(const std::string& slot, const std::string& content = "image") {
    const std::string dir = boot_->slot_dir(slot);
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/os.img") << content;
    std::ofstream(dir + "/slot.json")
        << R"({"version": "2.0.0", "components": [{"name": "os", "filename": "os.img", "sha256": ")"
        << sha256_hex("image") << R"("}]})";
  }
  posfleet::testing::TempDir tmp_{"posfleet_boot"};
  std::string dir_ = tmp_.path();
  std::unique_ptr<SimulatedBootControl> boot_;
};

TEST_F(SimulatedBootControlTest, FactoryDeviceBootsSlotA) {
  auto s = boot_->state();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->good, "a");
  EXPECT_EQ(s->booted, "a");
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/slots/a/slot.json"));
}

TEST_F(SimulatedBootControlTest, PendingSlotIsTriedThenCommitted) {
  install("b");
  ASSERT_TRUE(boot_->set_pending("b", 2));
  auto s = boot_->reboot();
  EXPECT_EQ(s->booted, "b");
  EXPECT_EQ(s->attempts_left, 1);
  EXPECT_EQ(s->good, "a");  // not committed until mark_good
  ASSERT_TRUE(boot_->mark_good());
  s = boot_->reboot();
  EXPECT_EQ(s->good, "b");
  EXPECT_EQ(s->booted, "b");
  EXPECT_EQ(s->pending, "");
}

TEST_F(SimulatedBootControlTest, AttemptsRunOutAndTheGoodSlotBootsAgain) {
  install("b");
  ASSERT_TRUE(boot_->set_pending("b", 2));
  EXPECT_EQ(boot_->reboot()->booted, "b");
  EXPECT_EQ(boot_->reboot()->booted, "b");
  auto s = boot_->reboot();  // no attempts left: the bootloader falls back
  EXPECT_EQ(s->booted, "a");
  EXPECT_EQ(s->pending, "");
  EXPECT_EQ(s->boots, 3);
}

TEST_F(SimulatedBootControlTest, ASlotWhoseFilesDoNotHashToItsManifestNeverBoots) {
  install("b", "imagf");  // one byte changed after slot.json was written
  ASSERT_TRUE(boot_->set_pending("b", 2));
  auto s = boot_->reboot();
  EXPECT_EQ(s->booted, "a");  // both attempts spent on verification failures
  EXPECT_EQ(s->pending, "");
  EXPECT_EQ(s->boots, 3);
}

TEST_F(SimulatedBootControlTest, PowerUpAfterACutBootsThePendingSlot) {
  install("b");
  ASSERT_TRUE(boot_->set_pending("b", 2));
  SimulatedBootControl same_power(dir_);  // a restart of the agent alone: no boot
  ASSERT_TRUE(same_power.init("1.0.0"));
  EXPECT_EQ(boot_->state()->booted, "a");
  std::filesystem::remove_all(dir_ + "/run");  // what a power cut does to /run
  SimulatedBootControl powered_up(dir_);
  ASSERT_TRUE(powered_up.init("1.0.0"));
  auto s = powered_up.state();
  EXPECT_EQ(s->booted, "b");
  EXPECT_EQ(s->attempts_left, 1);
  EXPECT_EQ(s->good, "a");
}

TEST_F(SimulatedBootControlTest, TheCommittedSlotCannotBePending) {
  EXPECT_EQ(boot_->set_pending("a", 1).error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace posfleet::agent
