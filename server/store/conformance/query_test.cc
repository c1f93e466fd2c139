// Store conformance: the terminal filter (query_terminals / count_terminals)
// and the overview's aggregates, against a small fleet built through the Store.
#include <algorithm>
#include <map>

#include "core/policy.h"
#include "server/store/conformance/fixture.h"

// Each case names only the filter fields it sets ({.model = "A920"}); the
// rest keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace posfleet::store::conformance {

void TerminalQueryConformance::SetUp() {
  StoreConformance::SetUp();
  if (HasFatalFailure()) return;
  // A security release without a deadline yet; every deployment here is of it.
  ReleaseRecord r{0, "2.0.0", "{}", "A920", "k1", 1LL << 40, 1, true, {}};
  auto id = store().insert_release(r);
  ASSERT_TRUE(id) << id.error().to_string();
  release_ = r.id;
}

std::int64_t TerminalQueryConformance::add(const std::string& serial, const std::string& model,
                                           const std::string& version, const std::string& group,
                                           const std::string& merchant_name,
                                           std::int64_t last_seen) {
  const auto id = terminal(serial, group, model);
  if (!version.empty()) {
    EXPECT_TRUE(store().set_installed_version(id, version));
  }
  if (last_seen) {
    EXPECT_TRUE(store().touch_terminal(id, last_seen));
  }
  if (!merchant_name.empty()) {
    EXPECT_TRUE(store().set_terminal_merchant(id, merchant(merchant_name)));
  }
  return id;
}

std::vector<std::string> TerminalQueryConformance::serials(TerminalQuery q) {
  q.limit = 1000;
  auto rows = store().query_terminals(q);
  EXPECT_TRUE(rows) << rows.error().to_string();
  std::vector<std::string> out;
  if (!rows) return out;
  for (const auto& r : *rows) out.push_back(r.terminal.serial);
  auto n = store().count_terminals(q);
  EXPECT_TRUE(n);
  if (n) {
    EXPECT_EQ(*n, static_cast<std::int64_t>(out.size())) << "count and rows disagree";
  }
  return out;
}

namespace {

using Serials = std::vector<std::string>;

TEST_P(TerminalQueryConformance, EachFieldFilterMatchesOnlyItsTerminals) {
  add("PF1", "A920", "1.0.0", "north", "", 100);
  add("PF2", "A920", "1.1.0", "south", "", 50);
  add("PF3", "S300", "1.0.0", "north");
  const auto m = merchant("Tea House");
  ASSERT_TRUE(store().set_terminal_merchant(store().terminal_by_serial("DEFAULT", "PF3")->id, m));

  EXPECT_EQ(serials({}), (Serials{"PF1", "PF2", "PF3"}));
  EXPECT_EQ(serials({.model = "A920"}), (Serials{"PF1", "PF2"}));
  EXPECT_EQ(serials({.version = "1.0.0"}), (Serials{"PF1", "PF3"}));
  EXPECT_EQ(serials({.model = "A920", .version = "1.0.0"}), (Serials{"PF1"}));
  EXPECT_EQ(serials({.group = "north"}), (Serials{"PF1", "PF3"}));
  EXPECT_EQ(serials({.merchant_id = m}), (Serials{"PF3"}));
  EXPECT_EQ(serials({.online = true, .online_since = 60}), (Serials{"PF1"}));
  EXPECT_EQ(serials({.online = false, .online_since = 60}), (Serials{"PF2", "PF3"}));
}

TEST_P(TerminalQueryConformance, PagesAreOrderedBySerialAndCountIgnoresThePage) {
  for (int i = 9; i >= 0; --i) add("PG" + std::to_string(i));
  auto rows = store().query_terminals({.offset = 3, .limit = 4});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].terminal.serial, "PG3");
  EXPECT_EQ((*rows)[3].terminal.serial, "PG6");
  EXPECT_EQ(*store().count_terminals({.offset = 3, .limit = 4}), 10);
}

TEST_P(TerminalQueryConformance, AKeysetPageSeeksAfterOrBeforeASerial) {
  for (int i = 9; i >= 0; --i) add("PK" + std::to_string(i), i % 2 ? "A920" : "S300");
  const auto page = [&](TerminalQuery q) {
    auto rows = store().query_terminals(q);
    EXPECT_TRUE(rows) << rows.error().to_string();
    Serials out;
    if (rows)
      for (const auto& r : *rows) out.push_back(r.terminal.serial);
    return out;
  };
  EXPECT_EQ(page({.limit = 3, .after = "PK3"}), (Serials{"PK4", "PK5", "PK6"}));
  EXPECT_EQ(page({.offset = 1, .limit = 2, .after = "PK3"}), (Serials{"PK5", "PK6"}));
  EXPECT_EQ(page({.limit = 3, .after = "PK9"}), Serials{});
  // Before a serial: the page that ends just before it, in list order.
  EXPECT_EQ(page({.limit = 3, .after = "PK7", .from_end = true}), (Serials{"PK4", "PK5", "PK6"}));
  EXPECT_EQ(page({.limit = 3, .after = "PK1", .from_end = true}), (Serials{"PK0"}));
  // Counted from the end: the last page is the first from the end.
  EXPECT_EQ(page({.limit = 2, .from_end = true}), (Serials{"PK8", "PK9"}));
  EXPECT_EQ(page({.offset = 3, .limit = 2, .from_end = true}), (Serials{"PK5", "PK6"}));
  // With a filter, and the count is the filter's whatever the page.
  EXPECT_EQ(page({.model = "A920", .limit = 2, .after = "PK3"}), (Serials{"PK5", "PK7"}));
  EXPECT_EQ(*store().count_terminals({.model = "A920", .after = "PK3"}), 5);
  EXPECT_EQ(*store().count_terminals({.limit = 3, .after = "PK7", .from_end = true}), 10);
}

TEST_P(TerminalQueryConformance, TheOnlineCountFollowsEveryWayATerminalIsSeenRetiredOrBack) {
  // serials() checks the count against the rows: on PostgreSQL the count alone by online is
  // terminals_seen's, the rows are the terminals' own.
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(add("SN" + std::to_string(i)));
  const auto online = [&](std::int64_t since, std::optional<bool> retired = std::nullopt) {
    return serials({.online = true, .online_since = since, .retired = retired}).size();
  };
  EXPECT_EQ(online(1), 0u);
  // One batch: some terminals into the same second, one into another, one twice.
  ASSERT_TRUE(store().touch_terminals({{ids[0], 100}, {ids[1], 100}, {ids[2], 100}, {ids[3], 90}}));
  EXPECT_EQ(online(95), 3u);
  EXPECT_EQ(online(90), 4u);
  // Moving on: out of their old seconds, into new ones; an older write changes nothing.
  ASSERT_TRUE(store().touch_terminals({{ids[0], 200}, {ids[1], 200}, {ids[3], 80}}));
  EXPECT_EQ(online(150), 2u);
  EXPECT_EQ(online(100), 3u);
  EXPECT_EQ(online(90), 4u);
  ASSERT_TRUE(store().touch_terminal(ids[2], 210));
  EXPECT_EQ(online(150), 3u);
  EXPECT_EQ(online(100), 3u) << "its old second no longer counts it";
  // Retired: counted as retired, not in service; back in service: counted again.
  ASSERT_TRUE(store().retire_terminal(ids[0], 220, "test", "retired-SN0"));
  EXPECT_EQ(online(150, false), 2u);
  EXPECT_EQ(online(150, true), 1u);
  EXPECT_EQ(online(150), 3u);
  auto o = store().overview(150, 0, 300);
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->online, 2);
  EXPECT_EQ(o->offline, 5);
  auto again = store().reregister_terminal(ids[0], "A920", "token-again", 230);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ(online(150, false), 2u) << "back in service, not seen since";
  EXPECT_EQ(online(150, true), 0u);
  EXPECT_EQ(online(0), 8u);
  // A batch of many, some already newer.
  std::vector<std::pair<std::int64_t, std::int64_t>> batch;
  for (std::size_t i = 0; i < ids.size(); ++i)
    batch.push_back({ids[i], 300 + static_cast<std::int64_t>(i % 3)});
  ASSERT_TRUE(store().touch_terminals(batch));
  EXPECT_EQ(online(301), 5u);
  EXPECT_EQ(online(300), 8u);
  EXPECT_EQ(online(303), 0u);
}

TEST_P(TerminalQueryConformance, TextIsASerialPrefixOrPartOfTheMerchantNameInAnyCase) {
  add("AB100");
  add("XAB200");
  add("CD300", "A920", "1.0.0", "", "Golden Dragon Noodles");
  EXPECT_EQ(serials({.text = "ab"}), (Serials{"AB100"})) << "a serial matches by prefix only";
  EXPECT_EQ(serials({.text = "dragon"}), (Serials{"CD300"}));
  EXPECT_EQ(serials({.text = "zz"}), Serials{});
  // Every character a serial may hold, in either case; a prefix ends where the next one begins.
  add("Ab-Z9.x_Q");
  add("ab-z9.y");
  add("ab-z:");  // not a serial the domain accepts, but the store must not match it
  add("ab-z8");
  EXPECT_EQ(serials({.text = "aB-z9.X_"}), (Serials{"Ab-Z9.x_Q"}));
  EXPECT_EQ(serials({.text = "AB-Z9"}), (Serials{"Ab-Z9.x_Q", "ab-z9.y"}));
  EXPECT_EQ(serials({.text = "ab-z"}), (Serials{"Ab-Z9.x_Q", "ab-z8", "ab-z9.y", "ab-z:"}));
  EXPECT_EQ(serials({.text = "Ab100é"}), Serials{}) << "text no serial can hold";
  // Text no serial can hold is a merchant's name alone: Chinese, a space.
  add("EF400", "A920", "1.0.0", "", "老王茶馆 Golden");
  add("EF401", "A920", "1.0.0", "", "小李面馆");
  EXPECT_EQ(serials({.text = "茶馆"}), (Serials{"EF400"}));
  EXPECT_EQ(serials({.text = "馆"}), (Serials{"EF400", "EF401"}));
  EXPECT_EQ(serials({.text = "馆 gOLDEN"}), (Serials{"EF400"}));
  EXPECT_EQ(serials({.text = "golden"}), (Serials{"CD300", "EF400"}));
}

// A search by a merchant's name alone is counted from the merchants' own terminal counts
// (migration 24): they follow every way a terminal joins or leaves a merchant.
TEST_P(TerminalQueryConformance, TheMerchantNameCountFollowsTerminalsMovingBetweenMerchants) {
  const auto tea = merchant("老王茶馆"), noodles = merchant("小李面馆");
  const auto t1 = add("MV1"), t2 = add("MV2"), t3 = add("MV3");
  ASSERT_TRUE(store().set_terminal_merchant(t1, tea));
  ASSERT_TRUE(store().set_terminal_merchant(t2, tea));
  ASSERT_TRUE(store().set_terminal_merchant(t3, noodles));
  // serials() checks the count against the rows each time.
  EXPECT_EQ(serials({.text = "茶馆"}), (Serials{"MV1", "MV2"}));
  EXPECT_EQ(serials({.text = "馆"}), (Serials{"MV1", "MV2", "MV3"}));
  ASSERT_TRUE(store().set_terminal_merchant(t2, noodles));  // moved
  ASSERT_TRUE(store().set_terminal_merchant(t2, noodles));  // the same again: no change
  EXPECT_EQ(serials({.text = "茶馆"}), (Serials{"MV1"}));
  EXPECT_EQ(serials({.text = "面馆"}), (Serials{"MV2", "MV3"}));
  ASSERT_TRUE(store().set_terminal_merchant(t3, 0));  // no merchant any more
  EXPECT_EQ(serials({.text = "面馆"}), (Serials{"MV2"}));
  // A retired terminal still counts under its merchant, as it is still listed there, until it
  // registers again (which clears its merchant).
  ASSERT_TRUE(store().retire_terminal(t1, 5, "test", "retired-MV1"));
  EXPECT_EQ(serials({.text = "茶馆"}), (Serials{"MV1"}));
  auto again = store().reregister_terminal(t1, "A920", "h-again", 6);
  ASSERT_TRUE(again) << again.error().to_string();
  ASSERT_TRUE(*again);
  EXPECT_EQ(serials({.text = "茶馆"}), Serials{});
  EXPECT_EQ(serials({.text = "馆"}), (Serials{"MV2"}));
}

TEST_P(TerminalQueryConformance, PercentAndUnderscoreInTextAreLiteral) {
  add("T1", "A920", "1.0.0", "", "100% Fresh");
  add("T2", "A920", "1.0.0", "", "1000 Fresh");
  add("T3", "A920", "1.0.0", "", "Shop_A");
  add("T4", "A920", "1.0.0", "", "ShopXA");
  add("T5", "A920", "1.0.0", "", "back\\slash");
  EXPECT_EQ(serials({.text = "100%"}), (Serials{"T1"}));
  EXPECT_EQ(serials({.text = "%"}), (Serials{"T1"}));
  EXPECT_EQ(serials({.text = "shop_a"}), (Serials{"T3"}));
  EXPECT_EQ(serials({.text = "_"}), (Serials{"T3"}));
  EXPECT_EQ(serials({.text = "k\\s"}), (Serials{"T5"}));
}

TEST_P(TerminalQueryConformance, EffectiveModeLayersTerminalOverGroupOverFleet) {
  add("M1");                            // fleet
  add("M2", "A920", "1.0.0", "shops");  // group
  add("M3", "A920", "1.0.0", "shops");  // terminal over group
  add("M4");                            // terminal over fleet
  add("M5", "A920", "1.0.0", "other");  // a group without a mode: fleet
  EXPECT_EQ(serials({.mode = "auto"}), (Serials{"M1", "M2", "M3", "M4", "M5"}))
      << "no policy at all is auto";

  set_policy("fleet", "", R"({"mode":"never"})");
  set_policy("group", "shops", R"({"mode":"manual"})");
  set_policy("group", "other", R"({"window":{"start":"22:00","end":"06:00"}})");
  set_policy("terminal", "M3", R"({"mode":"auto"})");
  set_policy("terminal", "M4", R"({"mode":"manual"})");
  EXPECT_EQ(serials({.mode = "never"}), (Serials{"M1", "M5"}));
  EXPECT_EQ(serials({.mode = "manual"}), (Serials{"M2", "M4"}));
  EXPECT_EQ(serials({.mode = "auto"}), (Serials{"M3"}));
  auto rows = store().query_terminals({.text = "M2"});
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].mode, "manual");

  auto o = store().overview(0, 0, 0);
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->mode_never, 2);
  EXPECT_EQ(o->mode_manual, 2);
  EXPECT_EQ(o->mode_auto, 1);
}

TEST_P(TerminalQueryConformance, UnderALockTheLockedScopesModeApplies) {
  add("L1", "A920", "1.0.0", "shops");  // own mode under a locked group: does not count
  add("L2", "A920", "1.0.0", "shops");
  add("L3", "A920", "1.0.0", "mall");  // locked group without a mode of its own: the fleet's
  add("L4");                           // own mode, no lock above: counts
  set_policy("fleet", "", R"({"mode":"manual"})");
  set_policy("group", "shops", R"({"mode":"never","locked":true,"lock_reason":"peak"})");
  set_policy("group", "mall", R"({"locked":true,"lock_reason":"peak"})");
  set_policy("terminal", "L1", R"({"mode":"auto"})");
  set_policy("terminal", "L3", R"({"mode":"auto"})");
  set_policy("terminal", "L4", R"({"mode":"auto"})");
  EXPECT_EQ(serials({.mode = "never"}), (Serials{"L1", "L2"}));
  EXPECT_EQ(serials({.mode = "manual"}), (Serials{"L3"}));
  EXPECT_EQ(serials({.mode = "auto"}), (Serials{"L4"}));
  EXPECT_EQ((*store().query_terminals({.text = "L1"}))[0].mode, "never");
  auto o = store().overview(0, 0, 0);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->mode_auto, 1);
  EXPECT_EQ(o->mode_never, 2);
  EXPECT_EQ(o->mode_manual, 1);

  set_policy(
      "fleet", "",
      R"({"mode":"manual","locked":true,"lock_reason":"freeze"})");  // a fleet lock beats all
  EXPECT_EQ(serials({.mode = "manual"}), (Serials{"L1", "L2", "L3", "L4"}));
  EXPECT_EQ(store().overview(0, 0, 0)->mode_manual, 4);
}

TEST_P(TerminalQueryConformance, StateIsThatOfTheNewestDeployment) {
  add("S0");  // idle: no deployment
  deploy(add("S1"), "finished", "success");
  auto s2 = add("S2");
  deploy(s2, "finished", "success");
  deploy(s2, "running");  // newer
  deploy(add("S3"), "finished", "failure");
  deploy(add("S4"), "canceling");
  deploy(add("S5"), "scheduled");
  deploy(add("S6"), "canceled");
  // A change to an older deployment leaves the state of the newer one.
  const auto older = deploy(add("S7"), "running");
  deploy(store().terminal_by_serial("DEFAULT", "S7")->id, "finished", "success");
  auto d = store().deployment(older);
  ASSERT_TRUE(d);
  d->status = DeploymentStatus::kFinished;
  d->result = DeploymentResult::kFailure;
  ASSERT_TRUE(store().update_deployment(*d));
  EXPECT_EQ(serials({.state = UpdateState::kIdle}), (Serials{"S0"}));
  EXPECT_EQ(serials({.state = UpdateState::kSuccess}), (Serials{"S1", "S7"}));
  EXPECT_EQ(serials({.state = UpdateState::kRunning}), (Serials{"S2", "S4"}));
  EXPECT_EQ(serials({.state = UpdateState::kFailed}), (Serials{"S3"}));
  EXPECT_EQ(serials({.state = UpdateState::kScheduled}), (Serials{"S5"}));
  EXPECT_EQ(serials({.state = UpdateState::kCanceled}), (Serials{"S6"}));
}

// The state each terminal row keeps (migration 22's triggers) is update_state_of's for every
// status and result its newest deployment can hold.
TEST_P(TerminalQueryConformance, TheStoredStateIsUpdateStateOfForEveryStatusAndResult) {
  int n = 0;
  std::map<std::string, UpdateState> want;
  for (auto status : kAllDeploymentStatuses)
    for (auto result : kAllDeploymentResults) {
      const std::string serial = "U" + std::to_string(n++);
      const auto id = add(serial);
      // Inserted in another state first and then changed: both triggers take part.
      auto d = store().deployment(deploy(id, "scheduled"));
      ASSERT_TRUE(d);
      d->status = status;
      d->result = result;
      ASSERT_TRUE(store().update_deployment(*d));
      want[serial] = update_state_of(status, result);
    }
  auto rows = store().query_terminals({.limit = 1000});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), want.size());
  for (const auto& r : *rows)
    EXPECT_EQ(to_string(r.state), std::string(to_string(want.at(r.terminal.serial))))
        << r.terminal.serial;
}

// The counts that read the tally (model, version, mode, retirement: migration 22) follow every
// change of those columns; serials() checks each count against the rows it lists.
TEST_P(TerminalQueryConformance, CountsFollowVersionRetirementReRegistrationAndPolicy) {
  const auto t1 = add("C1", "A920", "1.0.0");
  const auto t2 = add("C2", "A920", "1.0.0", "north");
  add("C3", "S300", "2.0.0", "north");
  EXPECT_EQ(serials({.model = "A920", .version = "1.0.0"}), (Serials{"C1", "C2"}));
  ASSERT_TRUE(store().set_installed_version(t1, "2.0.0"));
  EXPECT_EQ(serials({.model = "A920", .version = "1.0.0"}), (Serials{"C2"}));
  EXPECT_EQ(serials({.version = "2.0.0"}), (Serials{"C1", "C3"}));
  ASSERT_TRUE(store().change_policy(
      {0, "group", "north", "{}", R"({"mode":"never"})", "test", "console", "test", "applied", 1},
      R"({"mode":"never"})", true));
  EXPECT_EQ(serials({.mode = "never"}), (Serials{"C2", "C3"}));
  EXPECT_EQ(serials({.model = "A920", .mode = "auto"}), (Serials{"C1"}));
  ASSERT_TRUE(store().retire_terminal(t2, 5, "test", "retired-C2"));
  EXPECT_EQ(serials({.model = "A920", .retired = false}), (Serials{"C1"}));
  EXPECT_EQ(serials({.retired = true}), (Serials{"C2"}));
  EXPECT_EQ(serials({.mode = "never", .retired = false}), (Serials{"C3"}));
  auto o = store().overview(0, 0, 10);
  ASSERT_TRUE(o);
  ASSERT_EQ(o->versions.size(), 2u) << "a retired terminal's version counts nowhere";
  EXPECT_EQ(o->versions[0].model, "A920");
  EXPECT_EQ(o->versions[0].version, "2.0.0");
  EXPECT_EQ(o->versions[0].count, 1);
  EXPECT_EQ(o->mode_never, 1);
  EXPECT_EQ(o->mode_auto, 1);
  // Back in service as another model, out of its group and so out of the group's mode.
  auto again = store().reregister_terminal(t2, "S300", "token-again", 20);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ(serials({.model = "S300", .retired = false}), (Serials{"C2", "C3"}));
  EXPECT_EQ(serials({.mode = "never"}), (Serials{"C3"}));
  EXPECT_EQ(serials({.retired = true}), Serials{});
  ASSERT_TRUE(store().set_terminal_group(t2, "north"));
  EXPECT_EQ(serials({.model = "S300", .mode = "never"}), (Serials{"C2", "C3"}));
  o = store().overview(0, 0, 10);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->mode_never, 2);
  EXPECT_EQ(o->mode_auto, 1);
  EXPECT_EQ(o->online + o->offline, 3);
}

TEST_P(TerminalQueryConformance, OverviewCountsOnlineVersionsOutcomesAndSecurityDeadlines) {
  constexpr std::int64_t kDay = 86400, kNow = 100 * kDay + 3600;
  auto a = add("O1", "A920", "1.0.0", "", "", kNow - 10);
  auto b = add("O2", "A920", "2.0.0", "", "", kNow - 10);
  auto c = add("O3", "S300", "1.0.0", "", "", kNow - 1000);
  auto o = store().overview(kNow - 100, 0, kNow);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->online, 2);
  EXPECT_EQ(o->offline, 1);
  ASSERT_EQ(o->versions.size(), 3u);
  EXPECT_EQ(o->versions[0].model, "A920");
  EXPECT_EQ(o->versions[0].version, "1.0.0");
  EXPECT_EQ(o->versions[2].model, "S300");

  deploy(b, "finished", "success", kNow - 60);
  const auto failed = deploy(a, "finished", "failure", kNow - 60);
  ASSERT_TRUE(store().append_action_status(
      {0, failed, kNow, "closed", "failure", "[]", static_cast<int>(Code::kHashMismatch)}));
  const auto rolled = deploy(c, "finished", "failure", kNow - kDay);
  ASSERT_TRUE(store().append_action_status(
      {0, rolled, kNow, "closed", "failure", "[]", static_cast<int>(Code::kHealthCheck)}));
  deploy(c, "finished", "success", kNow - 20 * kDay);  // before the window
  deploy(c, "running", "none", kNow);                  // not ended
  o = store().overview(kNow - 100, kNow - 14 * kDay, kNow);
  ASSERT_TRUE(o);
  ASSERT_EQ(o->outcomes.size(), 2u);
  EXPECT_EQ(o->outcomes[0].day, "1970-04-10");
  EXPECT_EQ(o->outcomes[0].rolled_back, 1);
  EXPECT_EQ(o->outcomes[0].failed, 0);
  EXPECT_EQ(o->outcomes[1].day, "1970-04-11");
  EXPECT_EQ(o->outcomes[1].success, 1);
  EXPECT_EQ(o->outcomes[1].failed, 1);

  // A security release: O1 and O3 do not run it yet; O2 does; a canceled
  // assignment does not count; a past deadline is not pending.
  ASSERT_TRUE(store().set_release_deadline(release_, kNow + kDay));
  o = store().overview(kNow - 100, 0, kNow);
  ASSERT_TRUE(o);
  ASSERT_EQ(o->security.size(), 1u);
  EXPECT_EQ(o->security[0].version, "2.0.0");
  EXPECT_EQ(o->security[0].pending, 2);
  auto d = add("O4");
  deploy(d, "canceled");
  EXPECT_EQ(store().overview(kNow - 100, 0, kNow)->security[0].pending, 2);
  EXPECT_EQ(serials({.pending = "2.0.0"}), (Serials{"O1", "O3"}))
      << "the list shows the same terminals";
  EXPECT_EQ(serials({.pending = "9.9.9"}), Serials{});
  EXPECT_TRUE(store().overview(kNow - 100, 0, kNow + 2 * kDay)->security.empty());
}

// Each release's pending terminals (release_pending, migration 25) follow every way a terminal
// becomes pending or stops: assigned, moved to another release, canceled, assigned again, its
// version installed or lost, retired, registered again. serials() checks the count (the tally,
// for a pending filter in service and nothing else) against the rows the index lists.
TEST_P(TerminalQueryConformance, ThePendingCountFollowsEveryWayATerminalJoinsOrLeavesARelease) {
  constexpr std::int64_t kNow = 1000;
  ASSERT_TRUE(store().set_release_deadline(release_, kNow + 100));
  const auto three = release("3.0.0", true);
  ASSERT_TRUE(store().set_release_deadline(three.id, kNow + 200));
  auto pending = [&](const std::string& version) {
    return serials({.pending = version, .retired = false});
  };
  auto overview_agrees = [&] {
    auto o = store().overview(0, 0, kNow);
    ASSERT_TRUE(o) << o.error().to_string();
    ASSERT_EQ(o->security.size(), 2u);
    EXPECT_EQ(o->security[0].version, "2.0.0");
    EXPECT_EQ(o->security[0].pending, static_cast<std::int64_t>(pending("2.0.0").size()));
    EXPECT_EQ(o->security[1].version, "3.0.0");
    EXPECT_EQ(o->security[1].pending, static_cast<std::int64_t>(pending("3.0.0").size()));
  };
  const auto p1 = add("P1"), p2 = add("P2"), p3 = add("P3");
  add("P4", "A920", "2.0.0");  // runs 2.0.0 already
  overview_agrees();
  EXPECT_EQ(pending("2.0.0"), Serials{});
  deploy(p1, "scheduled");
  deploy(p2, "running");
  deploy(store().terminal_by_serial("DEFAULT", "P4")->id, "scheduled");
  EXPECT_EQ(pending("2.0.0"), (Serials{"P1", "P2"})) << "P4 runs its version";
  overview_agrees();
  // P2's deployment fails (still pending: it does not run 2.0.0) and P2 moves on to 3.0.0;
  // P1's deployment runs (its count stays as it was).
  auto d2 = store().open_deployment(p2);
  ASSERT_TRUE(d2 && *d2);
  (*d2)->status = DeploymentStatus::kFinished;
  (*d2)->result = DeploymentResult::kFailure;
  ASSERT_TRUE(store().update_deployment(**d2));
  EXPECT_EQ(pending("2.0.0"), (Serials{"P1", "P2"}));
  deployment(p2, three.id, "scheduled");
  auto d1 = store().open_deployment(p1);
  ASSERT_TRUE(d1 && *d1);
  (*d1)->status = DeploymentStatus::kRunning;
  ASSERT_TRUE(store().update_deployment(**d1));
  EXPECT_EQ(pending("2.0.0"), (Serials{"P1"}));
  EXPECT_EQ(pending("3.0.0"), (Serials{"P2"}));
  overview_agrees();
  // Canceled, then assigned again.
  (*d1)->status = DeploymentStatus::kCanceled;
  ASSERT_TRUE(store().update_deployment(**d1));
  EXPECT_EQ(pending("2.0.0"), Serials{});
  deploy(p1, "scheduled");
  deploy(p3, "scheduled");
  EXPECT_EQ(pending("2.0.0"), (Serials{"P1", "P3"}));
  overview_agrees();
  // Installed (the version, then its deployment's success), and then lost again (a rollback).
  ASSERT_TRUE(store().set_installed_version(p1, "2.0.0"));
  EXPECT_EQ(pending("2.0.0"), (Serials{"P3"}));
  ASSERT_TRUE(store().set_installed_version(p1, "1.0.0"));
  EXPECT_EQ(pending("2.0.0"), (Serials{"P1", "P3"}));
  // Retired (which cancels its deployment), registered again (nothing installed, still
  // canceled), assigned again.
  ASSERT_TRUE(store().retire_terminal(p3, 5, "test", "retired-P3"));
  EXPECT_EQ(pending("2.0.0"), (Serials{"P1"}));
  overview_agrees();
  auto again = store().reregister_terminal(p3, "A920", "token-again", 20);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ(pending("2.0.0"), (Serials{"P1"}));
  deploy(p3, "scheduled");
  EXPECT_EQ(pending("2.0.0"), (Serials{"P1", "P3"}));
  overview_agrees();
  EXPECT_EQ(pending("9.9.9"), Serials{}) << "no such release";
}

// The outcome chart's days (deployment_days, migration 22) stay exact in every order of events:
// a rollback line before or after the end, a change to an ended deployment, a success with a
// rollback line (not rolled back).
TEST_P(TerminalQueryConformance, OutcomeDaysFollowEveryOrderOfEvents) {
  constexpr std::int64_t kDay = 86400, kNow = 100 * kDay + 3600;
  auto line = [&](std::int64_t deployment, Code code) {
    ASSERT_TRUE(store().append_action_status(
        {0, deployment, kNow, "closed", "failure", "[]", static_cast<int>(code)}));
  };
  auto day = [&](std::int64_t d) {
    auto o = store().overview(kNow, kNow - 14 * kDay, kNow);
    EXPECT_TRUE(o);
    DayOutcomes none;
    if (!o) return none;
    for (const auto& x : o->outcomes)
      if (x.day == date_text(civil_from_days(d))) return x;
    return none;
  };
  // Rolled back, the line after the end; and before the end.
  line(deploy(add("D1"), "finished", "failure", kNow), Code::kHealthCheck);
  const auto open = deploy(add("D2"), "running", "none", kNow);
  line(open, Code::kBootFailed);
  auto d = store().deployment(open);
  ASSERT_TRUE(d);
  d->status = DeploymentStatus::kFinished;
  d->result = DeploymentResult::kFailure;
  d->updated = kNow;
  ASSERT_TRUE(store().update_deployment(*d));
  // A plain failure, a second rollback line (counted once), a success with a rollback line.
  const auto failed = deploy(add("D3"), "finished", "failure", kNow);
  line(failed, Code::kHashMismatch);
  line(deploy(store().terminal_by_serial("DEFAULT", "D1")->id, "finished", "failure", kNow),
       Code::kHealthCheck);
  line(open, Code::kHealthCheck);  // D2: its second rollback line
  line(deploy(add("D4"), "finished", "success", kNow), Code::kHealthCheck);
  auto today = day(100);
  EXPECT_EQ(today.success, 1);
  EXPECT_EQ(today.failed, 1);
  EXPECT_EQ(today.rolled_back, 3);
  // An ended deployment moved to the day before and made a success.
  d = store().deployment(failed);
  ASSERT_TRUE(d);
  d->updated = kNow - kDay;
  d->result = DeploymentResult::kSuccess;
  ASSERT_TRUE(store().update_deployment(*d));
  today = day(100);
  EXPECT_EQ(today.failed, 0);
  EXPECT_EQ(today.rolled_back, 3);
  EXPECT_EQ(day(99).success, 1);
  // Reopened (a change the store allows): it counts on no day.
  d->status = DeploymentStatus::kRunning;
  d->result = DeploymentResult::kNone;
  ASSERT_TRUE(store().update_deployment(*d));
  EXPECT_EQ(day(99).success, 0);
}

}  // namespace
}  // namespace posfleet::store::conformance
