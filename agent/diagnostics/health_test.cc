// The agent's health: read from the hardware seams, the journal and the boot slots, with gaps
// left out; the timer sends it every interval the server asks for and at once when one of the
// fleet's conditions starts or ends.
#include "agent/diagnostics/health.h"

#include <gtest/gtest.h>

#include "agent/device/fake_hardware.h"
#include "agent/device/simulated_boot_control.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

TEST(AgentHealth, ReadsTheHardwareTheJournalAndTheRunningRelease) {
  posfleet::testing::TempDir dir("posfleet_health");
  FakeHardware hw;
  hw.power = {9, false};
  hw.net = {"cellular", 12};
  hw.free = 200ull << 20;
  FileMerchantData data(dir.path());
  SimulatedBootControl boot(dir.path());
  ASSERT_TRUE(boot.init("1.0.0"));
  ASSERT_TRUE(write_file_atomic(dir.file("uptime"), "5400.27 9000.00\n"));
  auto s = collect_health(hw, hw, hw, data, boot, dir.file("uptime"));
  EXPECT_EQ(s.battery, 9);
  EXPECT_EQ(s.charging, false);
  EXPECT_EQ(s.network, "cellular");
  EXPECT_EQ(s.signal, 12);
  EXPECT_EQ(s.storage_free, 200ull << 20);
  EXPECT_FALSE(s.storage_total) << "the fake platform does not say";
  EXPECT_EQ(s.uptime, 5400);
  EXPECT_FALSE(s.last_sale) << "no sale yet";
  EXPECT_EQ(s.apps, (std::vector<std::pair<std::string, std::string>>{{"release", "1.0.0"}}));
  EXPECT_TRUE(s.low_battery() && s.weak_signal() && s.low_storage());

  ASSERT_TRUE(data.append_transaction("T1", 100));
  const auto before = unix_now();
  s = collect_health(hw, hw, hw, data, boot, dir.file("no-such-uptime"));
  ASSERT_TRUE(s.last_sale);
  EXPECT_LE(*s.last_sale, unix_now());
  EXPECT_GE(*s.last_sale, before - 1);
  EXPECT_FALSE(s.uptime);
  // A torn last line (a power cut mid-append) is passed over for the one before it.
  ASSERT_TRUE(write_file_atomic(data.dir() + "/journal.jsonl",
                                *read_file(data.dir() + "/journal.jsonl") + R"({"id":"T2","amo)"));
  EXPECT_EQ(collect_health(hw, hw, hw, data, boot).last_sale, s.last_sale);
  // What it sends passes the server's own check.
  EXPECT_TRUE(health::parse(s.to_json(), unix_now()));
}

TEST(AgentHealth, TheTimerSendsEachIntervalAndWhenAConditionChanges) {
  HealthTimer timer;
  health::Sample fine;
  fine.battery = 80;
  EXPECT_TRUE(timer.due(fine, 1000)) << "the first poll carries it";
  timer.sent(fine, 1000);
  EXPECT_FALSE(timer.due(fine, 1899));
  EXPECT_TRUE(timer.due(fine, 1900)) << "900 s by default";
  timer.every(60);
  EXPECT_TRUE(timer.due(fine, 1060));
  EXPECT_FALSE(timer.due(fine, 1059));
  health::Sample low = fine;
  low.battery = 10;
  EXPECT_TRUE(timer.due(low, 1001)) << "a condition started";
  timer.sent(low, 1001);
  EXPECT_FALSE(timer.due(low, 1002));
  EXPECT_TRUE(timer.due(fine, 1002)) << "and ended";
  timer.every(0);
  timer.every(999999);
  EXPECT_EQ(timer.every(), 60) << "an interval out of range is ignored";
}

}  // namespace
}  // namespace posfleet::agent
