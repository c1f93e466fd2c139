// Store conformance: terminals — registration, lookups, what they report,
// group and merchant, retirement and registering again.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

TEST_P(TerminalsConformance, InsertedTerminalIsFoundBySerialAndIdOnlyInItsTenant) {
  const auto id = terminal("PF1");
  auto by_serial = store().terminal_by_serial("DEFAULT", "PF1");
  ASSERT_TRUE(by_serial) << by_serial.error().to_string();
  EXPECT_EQ(by_serial->id, id);
  EXPECT_EQ(by_serial->model, "A920");
  EXPECT_EQ(by_serial->token_hash, "token-PF1");
  EXPECT_EQ(by_serial->retired, 0);
  EXPECT_EQ(store().terminal_by_id(id)->serial, "PF1");
  EXPECT_EQ(store().terminal_by_serial("OTHER", "PF1").error().code, Code::kNotFound);
  EXPECT_EQ(store().terminal_by_serial("DEFAULT", "PF2").error().code, Code::kNotFound);
  EXPECT_EQ(store().terminal_by_id(id + 100).error().code, Code::kNotFound);
}

TEST_P(TerminalsConformance, ADuplicateSerialIsAConflict) {
  terminal("PF1");
  TerminalRecord again{0, "DEFAULT", "PF1", "A920", "another-token", "", "{}", 1, 0, "",
                       0, 0,         "",    ""};
  auto id = store().insert_terminal(again);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, Code::kConflict);
}

TEST_P(TerminalsConformance, ManyTerminalsAreSeenAtOnceAndNoneGoesBackInTime) {
  // 301 terminals: chunks of 256, 32, 8, 4 and 1 rows.
  std::vector<std::pair<std::int64_t, std::int64_t>> seen;
  for (int i = 0; i < 301; ++i) seen.emplace_back(terminal("PF" + std::to_string(i)), 1000 + i);
  const auto later = seen[7].first;
  ASSERT_TRUE(store().touch_terminal(later, 5000));
  const auto untouched = terminal("PF-NOT-SEEN");
  ASSERT_TRUE(store().touch_terminals(seen));
  for (int i = 0; i < 301; ++i)
    EXPECT_EQ(store().terminal_by_id(seen[i].first)->last_seen, i == 7 ? 5000 : 1000 + i) << i;
  EXPECT_EQ(store().terminal_by_id(untouched)->last_seen, 0);
  EXPECT_TRUE(store().touch_terminals({}));
  EXPECT_TRUE(store().touch_terminals({{untouched + 1000, 9}})) << "a terminal since removed";
}

TEST_P(TerminalsConformance, WhatATerminalReportsIsKept) {
  const auto id = terminal("PF1");
  ASSERT_TRUE(store().touch_terminal(id, 500));
  ASSERT_TRUE(store().set_terminal_attributes(id, R"({"imei":"1"})"));
  ASSERT_TRUE(store().set_installed_version(id, "1.2.0"));
  ASSERT_TRUE(store().set_terminal_group(id, "north"));
  ASSERT_TRUE(store().set_terminal_token(id, "new-token"));
  const auto m = merchant("Tea House");
  ASSERT_TRUE(store().set_terminal_merchant(id, m));
  auto t = store().terminal_by_id(id);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->last_seen, 500);
  EXPECT_EQ(t->attributes_json, R"({"imei":"1"})");
  EXPECT_EQ(t->installed_version, "1.2.0");
  EXPECT_EQ(t->group, "north");
  EXPECT_EQ(t->token_hash, "new-token");
  EXPECT_EQ(t->merchant_id, m);
  auto of_merchant = store().terminals_of_merchant(m);
  ASSERT_TRUE(of_merchant);
  ASSERT_EQ(of_merchant->size(), 1u);
  EXPECT_EQ(of_merchant->front().id, id);
}

TEST_P(TerminalsConformance, ListTerminalsPagesInIdOrder) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(terminal("PL" + std::to_string(4 - i)));
  auto page = store().list_terminals(1, 3);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].id, ids[1]);
  EXPECT_EQ((*page)[2].id, ids[3]);
  EXPECT_EQ(store().list_terminals(5, 3)->size(), 0u);
}

TEST_P(TerminalsConformance, TerminalsPerGroupAndPlacesOfTerminalPolicies) {
  terminal("G1", "north");
  const auto g2 = terminal("G2", "north");
  terminal("G3");
  auto shop = store().insert_organisation({0, 1, "merchant", "西湖茶馆", "", "alice", 100});
  ASSERT_TRUE(shop) << shop.error().to_string();
  ASSERT_TRUE(store().set_terminal_organisation(g2, shop->id));
  auto per_group = store().terminals_per_group();
  ASSERT_TRUE(per_group);
  EXPECT_EQ((*per_group)["north"], 2);
  EXPECT_EQ((*per_group)[""], 1);
  auto per_place = store().terminals_per_place();
  ASSERT_TRUE(per_place) << per_place.error().to_string();
  using Place = Store::PolicyPlace;
  EXPECT_EQ(*per_place, (std::map<Place, std::int64_t>{
                            {{"north", 1}, 1}, {{"north", shop->id}, 1}, {{"", 1}, 1}}));
  policy("terminal", "G1", R"({"mode":"manual"})");
  policy("terminal", "G2", R"({"mode":"never"})");
  policy("terminal", "G3", R"({"mode":"never"})");
  auto places = store().places_of_terminal_policies();
  ASSERT_TRUE(places);
  EXPECT_EQ(*places, (std::map<std::string, Place>{
                         {"G1", {"north", 1}}, {"G2", {"north", shop->id}}, {"G3", {"", 1}}}));
}

TEST_P(TerminalsConformance, RetirementCancelsTheOpenDeploymentAndReplacesCodesOnce) {
  const auto id = terminal("PF1");
  const auto r = release("2.0.0");
  const auto d = deployment(id, r.id, "running");
  ASSERT_TRUE(store().insert_activation({0, "code-1", "PF1", "A920", 7, 0, 1LL << 40, 0, 1}));
  auto canceled = store().retire_terminal(id, 900, "stolen", "nobody-holds-this");
  ASSERT_TRUE(canceled) << canceled.error().to_string();
  ASSERT_TRUE(canceled->has_value());
  EXPECT_EQ((*canceled)->id, d);
  EXPECT_EQ((*canceled)->status, DeploymentStatus::kCanceled);
  EXPECT_EQ(store().deployment(d)->status, DeploymentStatus::kCanceled);
  EXPECT_FALSE(store().open_deployment(id)->has_value());
  auto t = store().terminal_by_id(id);
  EXPECT_EQ(t->retired, 900);
  EXPECT_EQ(t->retired_reason, "stolen");
  EXPECT_EQ(t->token_hash, "nobody-holds-this");
  EXPECT_EQ(store().activation_by_hash("code-1")->used, -1) << "its unused code is replaced";

  auto again = store().retire_terminal(id, 901, "again", "other-token");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kConflict);
  EXPECT_EQ(store().terminal_by_id(id)->retired_reason, "stolen") << "the first retirement stands";
}

TEST_P(TerminalsConformance, RetiringATerminalWithoutDeploymentReturnsNone) {
  const auto id = terminal("PF1");
  auto canceled = store().retire_terminal(id, 900, "lost", "x");
  ASSERT_TRUE(canceled);
  EXPECT_FALSE(canceled->has_value());
}

TEST_P(TerminalsConformance, ARetiredTerminalRegistersAgainAsNew) {
  const auto id = terminal("PF1", "north");
  ASSERT_TRUE(store().set_installed_version(id, "1.0.0"));
  ASSERT_TRUE(store().touch_terminal(id, 50));
  EXPECT_FALSE(*store().reregister_terminal(id, "S300", "t2", 1000)) << "not retired yet";
  ASSERT_TRUE(store().retire_terminal(id, 900, "returned", "x"));
  auto back = store().reregister_terminal(id, "S300", "t2", 1000);
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back);
  auto t = store().terminal_by_id(id);
  EXPECT_EQ(t->retired, 0);
  EXPECT_EQ(t->model, "S300");
  EXPECT_EQ(t->token_hash, "t2");
  EXPECT_EQ(t->group, "");
  EXPECT_EQ(t->installed_version, "");
  EXPECT_EQ(t->last_seen, 0);
  EXPECT_FALSE(*store().reregister_terminal(id, "S300", "t3", 1001)) << "in service again";
}

}  // namespace
}  // namespace posfleet::store::conformance
