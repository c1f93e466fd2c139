// Parameters in the domain: a template's schema is checked rule by rule; values set at the
// acquirer, a reseller, a merchant, a group and a terminal combine top-down with the deeper one
// winning unless a level above locked the field; a lock holds below and cannot be lifted there;
// sensitive values are sealed at rest and never shown; the version follows the values; every
// change is audited with before and after.
#include "server/domain/parameters.h"

#include <gtest/gtest.h>

#include <map>

#include "core/testing/temp_dir.h"
#include "server/domain/organisations.h"
#include "server/domain/secrets.h"
#include "server/domain/terminals.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::domain {
namespace {

constexpr const char* kSchema = R"({"fields":[
  {"key":"merchant_no","type":"string","pattern":"[0-9]{15}","max_length":15,
   "label":{"zh-CN":"商户号","en":"Merchant number"}},
  {"key":"mcc","type":"enum","values":["5411","5812","5999"],"default":"5999"},
  {"key":"timeout","type":"integer","min":10,"max":120,"default":60},
  {"key":"tips","type":"boolean","default":false},
  {"key":"header","type":"string","max_length":32},
  {"key":"tmk","type":"string","sensitive":true}]})";

class ParametersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::SqliteStore::open(dir_.file("db")));
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    secrets_ = std::make_unique<SecretBox>(*SecretBox::open(dir_.file("secret.key")));
    ctx_ = std::make_unique<Context>(
        Context{.store = *store_, .artifacts = *artifacts_, .secrets = secrets_.get()});
    auto t = register_terminal(*ctx_, "P-1", "A920");
    ASSERT_TRUE(t);
    reseller_ = *create_organisation(*ctx_, Scope{}, {"华东代理", "reseller", 0}, admin_);
    merchant_ =
        *create_organisation(*ctx_, Scope{}, {"西湖茶馆", "merchant", reseller_.id}, admin_);
    other_ = *create_organisation(*ctx_, Scope{}, {"西部代理", "reseller", 0}, admin_);
    ASSERT_TRUE(move_terminal(*ctx_, Scope{}, "P-1", merchant_.id, admin_, "开通"));
    ASSERT_TRUE(save_template(*ctx_, Scope{}, {"payment", "支付应用", kSchema}, false, admin_));
  }
  store::TerminalRecord terminal() { return *store_->terminal_by_serial("DEFAULT", "P-1"); }
  Scope scope_of_org(const store::OrganisationRecord& o) { return Scope{o.id, o.path}; }
  ParameterLevel org(std::int64_t id) { return {store::kLevelOrganisation, id, "", ""}; }
  Expected<LevelValues> set(const Scope& s, const ParameterLevel& at,
                            std::vector<ParameterChange> cs, bool may_lock = true) {
    return set_values(*ctx_, s, "payment", at, cs, may_lock, admin_, "");
  }
  std::vector<AuditEntry> audited(const std::string& action) {
    std::vector<AuditEntry> out;
    auto all = store_->audit_entries(0, 10000);
    EXPECT_TRUE(all);
    if (!all) return out;
    for (auto& e : *all)
      if (e.action == action) out.push_back(e);
    return out;
  }
  std::map<std::string, EffectiveValue> effective() {
    auto e = effective_set(*ctx_, "payment", terminal());
    EXPECT_TRUE(e) << e.error().to_string();
    std::map<std::string, EffectiveValue> out;
    for (auto& v : e->values) out[v.key] = v;
    return out;
  }

  posfleet::testing::TempDir dir_{"posfleet_parameters"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<SecretBox> secrets_;
  std::unique_ptr<Context> ctx_;
  store::OrganisationRecord reseller_, merchant_, other_;
  Actor admin_{"admin", "user", "console"};
};

TEST(ParameterSchema, RefusesEachBrokenRuleByName) {
  auto why = [](const std::string& fields) {
    auto s = parse_schema(R"({"fields":[)" + fields + "]}");
    EXPECT_FALSE(s) << fields;
    return s ? std::string() : s.error().message;
  };
  EXPECT_NE(why(R"({"key":"A b","type":"string"})").find("key must be"), std::string::npos);
  EXPECT_NE(why(R"({"key":"a","type":"float"})").find("type must be"), std::string::npos);
  EXPECT_NE(why(R"({"key":"a","type":"integer","min":5,"max":1})").find("min is above max"),
            std::string::npos);
  EXPECT_NE(why(R"({"key":"a","type":"enum","values":[]})").find("1-100 choices"),
            std::string::npos);
  EXPECT_NE(why(R"({"key":"a","type":"string","pattern":"(["})").find("not a valid regular"),
            std::string::npos);
  EXPECT_NE(why(R"({"key":"a","type":"string","sensitive":true,"default":"x"})").find("no default"),
            std::string::npos);
  EXPECT_NE(why(R"({"key":"a","type":"integer","max":9,"default":10})").find("from"),
            std::string::npos);
  EXPECT_NE(why(R"({"key":"a","type":"boolean"},{"key":"a","type":"boolean"})").find("twice"),
            std::string::npos);
  EXPECT_NE(why(R"({"key":"a","type":"boolean","colour":"red"})").find("unknown property"),
            std::string::npos);
  auto ok = parse_schema(kSchema);
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->fields.size(), 6u);
  EXPECT_TRUE(check_value(*ok->field("merchant_no"), "123456789012345"));
  EXPECT_FALSE(check_value(*ok->field("merchant_no"), "12345678901234x"));
  EXPECT_FALSE(check_value(*ok->field("timeout"), "121"));
  EXPECT_FALSE(check_value(*ok->field("timeout"), "+60"));
  EXPECT_FALSE(check_value(*ok->field("mcc"), "1234"));
  EXPECT_FALSE(check_value(*ok->field("tips"), "yes"));
}

TEST_F(ParametersTest, DeeperLevelsWinAndALockAboveHolds) {
  auto e = effective();
  EXPECT_EQ(e["mcc"].value, "5999");
  EXPECT_EQ(e["mcc"].source, "default");
  EXPECT_FALSE(e["header"].has_value);
  const auto v0 = effective_set(*ctx_, "payment", terminal())->version;

  ASSERT_TRUE(set(Scope{}, org(1), {{"header", "收银台", false, {}}}));
  ASSERT_TRUE(set(Scope{}, org(reseller_.id), {{"mcc", "5812", false, {}}}));
  ASSERT_TRUE(set(Scope{}, org(merchant_.id), {{"mcc", "5411", false, {}}}));
  e = effective();
  EXPECT_EQ(e["mcc"].value, "5411") << "the merchant's overrides the reseller's";
  EXPECT_EQ(e["mcc"].source, "org:" + std::to_string(merchant_.id));
  EXPECT_EQ(e["header"].value, "收银台");
  const auto v1 = effective_set(*ctx_, "payment", terminal())->version;
  EXPECT_NE(v0, v1);

  // The reseller locks mcc: the merchant's value no longer counts, and nobody below changes it.
  ASSERT_TRUE(set(Scope{}, org(reseller_.id), {{"mcc", {}, false, true}}));
  e = effective();
  EXPECT_EQ(e["mcc"].value, "5812");
  EXPECT_EQ(e["mcc"].locked_by, "org:" + std::to_string(reseller_.id));
  auto refused = set(Scope{}, org(merchant_.id), {{"mcc", "5999", false, {}}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kLocked);
  refused = set(Scope{}, {store::kLevelTerminal, 0, "", "P-1"}, {{"mcc", "5999", false, {}}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kLocked);

  // A group within the merchant and the terminal itself, deepest last.
  ASSERT_TRUE(store_->set_terminal_group(terminal().id, "counter"));
  ASSERT_TRUE(set(Scope{}, {store::kLevelGroup, merchant_.id, "counter", ""},
                  {{"timeout", "90", false, {}}}));
  EXPECT_EQ(effective()["timeout"].value, "90");
  ASSERT_TRUE(set(Scope{}, {store::kLevelTerminal, 0, "", "P-1"}, {{"timeout", "30", false, {}}}));
  EXPECT_EQ(effective()["timeout"].value, "30");
  EXPECT_EQ(effective()["timeout"].source, "terminal");
  ASSERT_TRUE(set(Scope{}, {store::kLevelTerminal, 0, "", "P-1"}, {{"timeout", {}, true, {}}}));
  EXPECT_EQ(effective()["timeout"].value, "90") << "unset at the terminal: the group's again";

  // Each change is audited with before and after.
  auto log = audited("parameters.set");
  ASSERT_GE(log.size(), 6u);
  EXPECT_EQ(log[1].before, "mcc=(unset)");
  EXPECT_EQ(log[1].after, "mcc=5812");
  EXPECT_EQ(log[1].target, "parameters:payment:org:" + std::to_string(reseller_.id));
}

TEST_F(ParametersTest, AResellerKeepsToItsSubtreeAndCannotLiftItsParentsLock) {
  const Scope reseller = scope_of_org(reseller_);
  ASSERT_TRUE(set(Scope{}, org(reseller_.id), {{"tips", "true", false, true}}));
  auto r = set(reseller, org(reseller_.id), {{"tips", {}, false, false}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kForbidden);
  r = set(reseller, org(reseller_.id), {{"tips", "false", false, {}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kLocked) << "its own level's lock is its parent's";
  // Below itself it sets and locks; another reseller does not exist for it.
  EXPECT_TRUE(set(reseller, org(merchant_.id), {{"header", "茶馆", false, true}}));
  r = set(reseller, org(other_.id), {{"header", "x", false, {}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kNotFound);
  EXPECT_EQ(values_at(*ctx_, reseller, "payment", org(other_.id)).error().code, Code::kNotFound);
  // A release manager sets values but not locks.
  r = set(Scope{}, org(merchant_.id), {{"header", {}, false, false}}, /*may_lock=*/false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kForbidden);
}

TEST_F(ParametersTest, SensitiveValuesAreSealedAndNeverShown) {
  auto lv = set(Scope{}, org(merchant_.id), {{"tmk", "0123456789ABCDEF", false, {}}});
  ASSERT_TRUE(lv) << lv.error().to_string();
  ASSERT_EQ(lv->values.size(), 1u);
  EXPECT_TRUE(lv->values[0].sensitive);
  EXPECT_TRUE(lv->values[0].has_value);
  EXPECT_EQ(lv->values[0].value, "");
  auto rows = store_->sealed_parameter_values();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].value.find("0123456789ABCDEF"), std::string::npos) << "sealed at rest";
  EXPECT_EQ(effective()["tmk"].value, "0123456789ABCDEF") << "the terminal receives it";
  auto log = audited("parameters.set");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].after, "tmk=(sealed)");
  auto preview = preview_values(*ctx_, Scope{}, "payment", "P-1", org(merchant_.id),
                                {{"tmk", "FEDCBA9876543210", false, {}}});
  ASSERT_TRUE(preview);
  for (const auto& v : preview->values) EXPECT_TRUE(v.value.empty() || !v.sensitive);
}

TEST_F(ParametersTest, PreviewShowsTheSetAfterAChangeWithoutMakingIt) {
  auto p = preview_values(*ctx_, Scope{}, "payment", "P-1", org(reseller_.id),
                          {{"timeout", "45", false, {}}});
  ASSERT_TRUE(p) << p.error().to_string();
  for (const auto& v : p->values) {
    if (v.key == "timeout") {
      EXPECT_EQ(v.value, "45");
    }
  }
  EXPECT_EQ(effective()["timeout"].value, "60") << "nothing saved";
  EXPECT_FALSE(preview_values(*ctx_, Scope{}, "payment", "P-1", org(reseller_.id),
                              {{"timeout", "500", false, {}}}));
  // A level that does not reach the terminal (another reseller) changes nothing of its set.
  auto elsewhere = preview_values(*ctx_, Scope{}, "payment", "P-1", org(other_.id),
                                  {{"timeout", "45", false, {}}});
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->version, effective_set(*ctx_, "payment", terminal())->version);
}

TEST_F(ParametersTest, TheTerminalAcknowledgesAVersion) {
  auto offers = parameter_offers(*ctx_, terminal());
  ASSERT_TRUE(offers);
  ASSERT_EQ(offers->size(), 1u);
  EXPECT_FALSE(acknowledge_parameters(*ctx_, terminal(), "payment", "not-a-version"));
  ASSERT_TRUE(acknowledge_parameters(*ctx_, terminal(), "payment", (*offers)[0].version));
  auto sets = terminal_parameters(*ctx_, terminal());
  ASSERT_TRUE(sets);
  EXPECT_EQ((*sets)[0].applied_version, (*offers)[0].version);
  EXPECT_EQ(acknowledge_parameters(*ctx_, terminal(), "nope", (*offers)[0].version).error().code,
            Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::domain
