#include "agent/device/merchant_data.h"

#include <gtest/gtest.h>

#include "core/fs.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

TEST(MerchantData, RestoreKeepsSalesMadeAfterTheBackupAndDropsNothingTwice) {
  posfleet::testing::TempDir dir("posfleet_data");
  FileMerchantData data(dir.path());
  ASSERT_TRUE(data.append_transaction("T1", 100));
  ASSERT_TRUE(data.append_transaction("T2", 200));
  ASSERT_TRUE(write_file_atomic(data.dir() + "/settings.json", R"({"receipt":"short"})"));
  ASSERT_TRUE(data.backup("7"));
  ASSERT_TRUE(data.append_transaction("T3", 300));  // a sale during the update
  ASSERT_TRUE(write_file_atomic(data.dir() + "/settings.json",
                                R"({"migrated": tru)"));  // broken by the new version
  EXPECT_FALSE(data.settings_readable());
  ASSERT_TRUE(data.restore("7"));
  EXPECT_TRUE(data.settings_readable());
  EXPECT_EQ(*read_file(data.dir() + "/settings.json"), R"({"receipt":"short"})");
  EXPECT_EQ(*data.transaction_ids(), (std::vector<std::string>{"T1", "T2", "T3"}));
  ASSERT_TRUE(data.restore("7"));  // restoring twice changes nothing
  EXPECT_EQ(*data.transaction_ids(), (std::vector<std::string>{"T1", "T2", "T3"}));
  EXPECT_EQ(data.restore("8").error().code, Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::agent
