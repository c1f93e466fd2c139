// Freeze periods and time zones in the domain: a freeze is validated (dates, at most 90 days, a
// reason, an existing group, the security rule), stored with its audit entry or not at all, and
// read in each terminal's own zone; the effective zone is the terminal's, its merchant's or the
// policy window's, and travels in the effective policy with the freezes that apply.
#include "server/domain/freezes.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/testing/temp_dir.h"
#include "server/domain/policy.h"
#include "server/domain/terminals.h"
#include "server/domain/time_zones.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/store/sqlite/testing/fail_writes.h"

namespace posfleet::domain {
namespace {

std::string utc_day(int days) { return date_text(civil_from_days(unix_now() / 86400 + days)); }

class FreezesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ctx_ = std::make_unique<Context>(Context{.store = *store_, .artifacts = *artifacts_});
    auto t = register_terminal(*ctx_, "T1", "A920");
    ASSERT_TRUE(t);
    id_ = t->record.id;
  }
  store::TerminalRecord terminal() { return *store_->terminal_by_id(id_); }
  FreezeInput input(int from_day, int to_day) {
    return FreezeInput{"fleet", "", utc_day(from_day), utc_day(to_day), "双十一", "hold"};
  }

  posfleet::testing::TempDir dir_{"posfleet_freezes"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<Context> ctx_;
  std::int64_t id_ = 0;
  Actor admin_{"admin", "user", "console"};
};

TEST_F(FreezesTest, RefusesBadCalendarsSayingWhatIsAllowed) {
  auto message = [&](FreezeInput in) {
    auto f = create_freeze(*ctx_, in, admin_);
    EXPECT_FALSE(f);
    return f ? std::string() : f.error().message;
  };
  EXPECT_NE(message(input(2, 1)).find("from must be on or before to"), std::string::npos);
  EXPECT_NE(message(input(1, 91)).find("at most 90 days (this one has 91)"), std::string::npos);
  EXPECT_TRUE(create_freeze(*ctx_, input(1, 90), admin_));  // 90 days exactly
  auto in = input(1, 1);
  in.reason = "  ";
  EXPECT_NE(message(in).find("a reason is required"), std::string::npos);
  in = input(1, 1);
  in.security = "maybe";
  EXPECT_NE(message(in).find("hold, after_deadline or allow"), std::string::npos);
  in = input(1, 1);
  in.scope = "group";
  in.group = "nowhere";
  EXPECT_NE(message(in).find("no group nowhere"), std::string::npos);
  in.from = "2026-02-30";
  EXPECT_NE(message(in).find("from must be a date YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(message(input(-10, -5)).find("ended everywhere"), std::string::npos);
  EXPECT_EQ(store_->list_freezes("", 100)->size(), 1u);
}

TEST_F(FreezesTest, AFreezeIsAuditedOrNotStoredAtAll) {
  auto f = create_freeze(*ctx_, input(0, 1), admin_);
  ASSERT_TRUE(f) << f.error().to_string();
  auto gone = delete_freeze(*ctx_, f->id, admin_, "");
  ASSERT_FALSE(gone);  // a reason is required
  ASSERT_TRUE(delete_freeze(*ctx_, f->id, admin_, "the sale moved"));
  EXPECT_EQ(delete_freeze(*ctx_, f->id, admin_, "again").error().code, Code::kNotFound);
  ASSERT_TRUE(store::testing::fail_writes_to(dir_.file("db"), "audit_log"));
  EXPECT_FALSE(create_freeze(*ctx_, input(0, 1), admin_));
  EXPECT_TRUE(store_->list_freezes("", 100)->empty());
}

TEST_F(FreezesTest, TheEffectivePolicyCarriesTheZoneAndTheFreezesOfTheTerminal) {
  ASSERT_TRUE(create_freeze(*ctx_, input(-1, 1), admin_));
  auto other = input(-1, 1);
  other.scope = "group";
  other.group = "north";
  PolicyPatch group_patch;
  group_patch.mode = PolicyMode::kAuto;
  ASSERT_TRUE(change_policy(*ctx_, "group", "north", group_patch, admin_, "a group"));
  ASSERT_TRUE(create_freeze(*ctx_, other, admin_));
  auto p = effective_policy(*ctx_, terminal());
  ASSERT_TRUE(p);
  ASSERT_EQ(p->freezes.size(), 1u);  // the fleet's; not the group's it is not in
  EXPECT_EQ(p->window.tz, "Asia/Shanghai");
  auto zone = effective_zone(*store_, terminal());
  EXPECT_EQ(zone->source, ZoneSource::kFleet);

  // Its merchant's zone, then its own.
  auto m = store_->insert_merchant({0, "张三", "13800000000", "", 1});
  ASSERT_TRUE(m);
  ASSERT_TRUE(store_->set_terminal_merchant(id_, *m));
  ASSERT_TRUE(set_merchant_time_zone(*ctx_, *m, "Asia/Urumqi", admin_, "the shop is in Urumqi"));
  EXPECT_EQ(effective_policy(*ctx_, terminal())->window.tz, "Asia/Urumqi");
  EXPECT_EQ(set_merchant_time_zone(*ctx_, *m, "Mars/Olympus", admin_, "").error().code,
            Code::kInvalidArgument);
  EXPECT_EQ(set_merchant_time_zone(*ctx_, *m + 1, "Asia/Urumqi", admin_, "").error().code,
            Code::kNotFound);
  EXPECT_EQ(effective_zone(*store_, terminal())->source, ZoneSource::kMerchant);
  auto c = set_terminal_time_zone(*ctx_, "T1", "America/New_York", admin_, "moved");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->effective.source, ZoneSource::kTerminal);
  EXPECT_EQ(effective_policy(*ctx_, terminal())->window.tz, "America/New_York");
  auto bad = set_terminal_time_zone(*ctx_, "T1", "Mars/Olympus", admin_, "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.find("Mars"), std::string::npos);
  ASSERT_TRUE(set_terminal_time_zone(*ctx_, "T1", "", admin_, "back"));
  EXPECT_EQ(effective_zone(*store_, terminal())->source, ZoneSource::kMerchant);

  // Moved into the group, it gets the group's freeze too.
  ASSERT_TRUE(store_->set_terminal_group(id_, "north"));
  EXPECT_EQ(effective_policy(*ctx_, terminal())->freezes.size(), 2u);
}

TEST(TimeZones, AnAddressOutsideTheCountrysOneZoneGivesItsRegionsZone) {
  EXPECT_EQ(default_zone_for_address("新疆维吾尔自治区乌鲁木齐市天山区解放北路 1 号"),
            "Asia/Urumqi");
  EXPECT_EQ(default_zone_for_address("香港九龍彌敦道 100 號"), "Asia/Hong_Kong");
  EXPECT_EQ(default_zone_for_address("澳门新马路 5 号"), "Asia/Macau");
  EXPECT_EQ(default_zone_for_address("上海市浦东新区世纪大道 100 号"), "");  // the fleet's
  EXPECT_EQ(default_zone_for_address(""), "");
}

TEST_F(FreezesTest, AFreezeHitEndsAtTheTerminalsLocalMidnight) {
  auto f = create_freeze(*ctx_, input(-1, 1), admin_);
  ASSERT_TRUE(f);
  store::ReleaseRecord plain, security;
  security.security = true;
  security.security_deadline = unix_now() - 60;
  ASSERT_TRUE(set_terminal_time_zone(*ctx_, "T1", "Asia/Shanghai", admin_, ""));
  auto hit = freeze_for(*store_, terminal(), plain, unix_now());
  ASSERT_TRUE(hit);
  ASSERT_TRUE(hit->has_value());
  EXPECT_EQ((*hit)->freeze_id, f->id);
  EXPECT_EQ((*hit)->reason, "双十一");
  auto last = *parse_date("to", utc_day(1));
  EXPECT_EQ((*hit)->ends, days_from_civil(last) * 86400 + 86400 - 8 * 3600);
  // hold: a security release past its deadline waits too; after a rule change it would not.
  EXPECT_TRUE(freeze_for(*store_, terminal(), security, unix_now())->has_value());
  auto allow = input(-1, 1);
  allow.security = "after_deadline";
  ASSERT_TRUE(delete_freeze(*ctx_, f->id, admin_, "replaced"));
  ASSERT_TRUE(create_freeze(*ctx_, allow, admin_));
  EXPECT_FALSE(freeze_for(*store_, terminal(), security, unix_now())->has_value());
  EXPECT_TRUE(freeze_for(*store_, terminal(), plain, unix_now())->has_value());
  // A rollout's question for a group and zone.
  EXPECT_TRUE(freeze_for_group(*store_, "", "UTC", plain, unix_now())->has_value());
  EXPECT_FALSE(freeze_for_group(*store_, "", "UTC", plain, unix_now() + 5 * 86400)->has_value());
}

}  // namespace
}  // namespace posfleet::domain
