// Store conformance: the parameters area keeps templates (one per app), values per level and key
// (written over in place, removed, sealed ones found for key rotation), picks the values that can
// reach one terminal, and keeps each terminal's last acknowledgement per template.
#include <algorithm>

#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

ParameterValueRecord value_of(std::int64_t tpl, const std::string& level, std::int64_t org,
                              const std::string& target, const std::string& key,
                              const std::string& v) {
  return ParameterValueRecord{tpl, level, org, target, key, true, v, false, false, "alice", 100};
}

std::vector<std::string> keyed(const std::vector<ParameterValueRecord>& vs) {
  std::vector<std::string> out;
  for (const auto& v : vs)
    out.push_back(v.level + ":" + std::to_string(v.org_id) + ":" + v.target + ":" + v.key + "=" +
                  v.value);
  std::sort(out.begin(), out.end());
  return out;
}

TEST_P(ParametersConformance, KeepsOneTemplatePerApp) {
  ParameterTemplateRecord t{0, "payment", "支付应用", R"({"fields":[]})", 1, "alice", 10, 10};
  auto made = store().insert_parameter_template(t);
  ASSERT_TRUE(made) << made.error().to_string();
  EXPECT_GT(made->id, 0);
  EXPECT_EQ(store().insert_parameter_template(t).error().code, Code::kConflict);
  ASSERT_TRUE(store().insert_parameter_template({0, "loyalty", "积分", "{}", 1, "bob", 11, 11}));
  auto all = store().parameter_templates();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].app, "loyalty") << "by app";

  made->schema_json = R"({"fields":[{"key":"mid"}]})";
  made->revision = 2;
  made->updated = 20;
  ASSERT_TRUE(store().update_parameter_template(*made));
  auto again = store().parameter_template("payment");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->schema_json, made->schema_json);
  EXPECT_EQ(again->revision, 2);
  EXPECT_EQ(again->updated, 20);
  EXPECT_EQ(again->created, 10);
  EXPECT_EQ(store().parameter_template("nope").error().code, Code::kNotFound);
  made->id = 987654;
  EXPECT_EQ(store().update_parameter_template(*made).error().code, Code::kNotFound);
}

TEST_P(ParametersConformance, PicksTheValuesThatReachATerminal) {
  auto tpl = store().insert_parameter_template({0, "payment", "支付", "{}", 1, "a", 1, 1});
  ASSERT_TRUE(tpl);
  const auto id = tpl->id;
  for (const auto& v :
       {value_of(id, "org", 1, "", "mcc", "5411"), value_of(id, "org", 7, "", "mcc", "5812"),
        value_of(id, "org", 8, "", "mcc", "5999"),  // a sibling reseller
        value_of(id, "group", 7, "shops", "header", "欢迎"),
        value_of(id, "group", 7, "cafes", "header", "咖啡"),
        value_of(id, "group", 8, "shops", "header", "别家"),
        value_of(id, "terminal", 0, "T-1", "tid", "00000001"),
        value_of(id, "terminal", 0, "T-2", "tid", "00000002")})
    ASSERT_TRUE(store().put_parameter_value(v));
  auto reach = store().parameter_values_for(id, {1, 7}, "shops", "T-1");
  ASSERT_TRUE(reach) << reach.error().to_string();
  EXPECT_EQ(keyed(*reach),
            (std::vector<std::string>{"group:7:shops:header=欢迎", "org:1::mcc=5411",
                                      "org:7::mcc=5812", "terminal:0:T-1:tid=00000001"}));
  EXPECT_EQ(store().parameter_values_for(id, {}, "", "T-9")->size(), 0u);

  // Written over in place; a lock alone keeps no value.
  auto lock = value_of(id, "org", 7, "", "mcc", "");
  lock.has_value = false;
  lock.locked = true;
  ASSERT_TRUE(store().put_parameter_value(lock));
  auto at7 = store().parameter_values_at(id, "org", 7, "");
  ASSERT_TRUE(at7);
  ASSERT_EQ(at7->size(), 1u);
  EXPECT_FALSE((*at7)[0].has_value);
  EXPECT_TRUE((*at7)[0].locked);
  EXPECT_EQ((*at7)[0].updated_by, "alice");

  EXPECT_TRUE(*store().delete_parameter_value(lock));
  EXPECT_FALSE(*store().delete_parameter_value(lock));
  EXPECT_EQ(store().parameter_values_at(id, "org", 7, "")->size(), 0u);

  auto secret = value_of(id, "terminal", 0, "T-1", "key", "sealed-bytes");
  secret.sealed = true;
  ASSERT_TRUE(store().put_parameter_value(secret));
  auto sealed = store().sealed_parameter_values();
  ASSERT_TRUE(sealed);
  ASSERT_EQ(sealed->size(), 1u);
  EXPECT_EQ((*sealed)[0].value, "sealed-bytes");
}

TEST_P(ParametersConformance, KeepsEachTerminalsLastAcknowledgement) {
  const auto t = terminal("PARAM-T1");
  auto tpl = store().insert_parameter_template({0, "payment", "支付", "{}", 1, "a", 1, 1});
  ASSERT_TRUE(tpl);
  ASSERT_TRUE(store().put_parameter_ack({t, tpl->id, "v1", 100}));
  ASSERT_TRUE(store().put_parameter_ack({t, tpl->id, "v2", 200}));
  auto acks = store().parameter_acks(t);
  ASSERT_TRUE(acks);
  ASSERT_EQ(acks->size(), 1u);
  EXPECT_EQ((*acks)[0].version, "v2");
  EXPECT_EQ((*acks)[0].applied, 200);
  EXPECT_EQ(store().parameter_acks(t + 1000)->size(), 0u);
}

}  // namespace
}  // namespace posfleet::store::conformance
