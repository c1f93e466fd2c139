#include "agent/device/simulated_boot_control.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

class SimulatedBootControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    boot_ = std::make_unique<SimulatedBootControl>(tmp_.path());
    ASSERT_TRUE(boot_->init("1.0.0"));
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
  ASSERT_TRUE(boot_->set_pending("b", 2));
  EXPECT_EQ(boot_->reboot()->booted, "b");
  EXPECT_EQ(boot_->reboot()->booted, "b");
  auto s = boot_->reboot();  // no attempts left: the bootloader falls back
  EXPECT_EQ(s->booted, "a");
  EXPECT_EQ(s->pending, "");
  EXPECT_EQ(s->boots, 3);
}

TEST_F(SimulatedBootControlTest, TheCommittedSlotCannotBePending) {
  EXPECT_EQ(boot_->set_pending("a", 1).error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace posfleet::agent
