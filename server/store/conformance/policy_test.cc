// Store conformance: the policy of each scope, its history and revisions, and
// notifications.
#include <set>

#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

PolicyChangeRecord change(const std::string& scope, const std::string& key,
                          const std::string& after, const std::string& outcome = "applied") {
  return {0, scope, key, "{}", after, "amy", "console", "test", outcome, 10};
}

TEST_P(PolicyConformance, AnAppliedChangeIsTheScopesPolicyAndItsRevision) {
  EXPECT_FALSE(store().policy("group", "north")->has_value());
  auto r1 = store().change_policy(change("group", "north", R"({"mode":"manual"})"),
                                  R"({"mode":"manual"})", true);
  ASSERT_TRUE(r1) << r1.error().to_string();
  auto p = store().policy("group", "north");
  ASSERT_TRUE(p && p->has_value());
  EXPECT_EQ((*p)->patch_json, R"({"mode":"manual"})");
  EXPECT_EQ((*p)->revision, *r1);
  EXPECT_EQ((*p)->mode_revision, *r1);

  // A change that does not touch the mode moves the revision only.
  auto r2 = store().change_policy(change("group", "north", R"({"cellular":"forbidden"})"),
                                  R"({"mode":"manual","cellular":"forbidden"})", false);
  ASSERT_TRUE(r2);
  EXPECT_GT(*r2, *r1) << "revisions increase";
  p = store().policy("group", "north");
  EXPECT_EQ((*p)->revision, *r2);
  EXPECT_EQ((*p)->mode_revision, *r1);
}

TEST_P(PolicyConformance, ARefusedChangeIsHistoryOnly) {
  policy("terminal", "PF1", R"({"mode":"never"})");
  auto r = store().change_policy(change("terminal", "PF1", R"({"mode":"auto"})", "refused"),
                                 R"({"mode":"auto"})", true);
  ASSERT_TRUE(r);
  EXPECT_EQ((*store().policy("terminal", "PF1"))->patch_json, R"({"mode":"never"})");
  auto h = store().policy_history("terminal", "PF1", 10);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].id, *r) << "newest first";
  EXPECT_EQ((*h)[0].outcome, "refused");
  EXPECT_EQ((*h)[0].actor, "amy");
  EXPECT_EQ((*h)[1].outcome, "applied");
  EXPECT_EQ(store().policy_history("terminal", "PF1", 1)->size(), 1u);
  EXPECT_TRUE(store().policy_history("terminal", "PF2", 10)->empty());
}

TEST_P(PolicyConformance, PoliciesOfAScope) {
  policy("group", "a", R"({"mode":"auto"})");
  policy("group", "b", R"({"mode":"never"})");
  policy("terminal", "PF1", R"({"mode":"manual"})");
  auto groups = store().policies_of_scope("group");
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->size(), 2u);
  std::set<std::string> keys;
  for (const auto& g : *groups) keys.insert(g.scope_key);
  EXPECT_EQ(keys, (std::set<std::string>{"a", "b"}));
}

TEST_P(PolicyConformance, ANotificationIsAddedOnceAndReadNewestFirst) {
  const auto t = terminal("PF1"), other = terminal("PF2");
  ASSERT_TRUE(store().add_notification({0, t, "policy_changed", "1", "改了", "changed", 5}));
  ASSERT_TRUE(store().add_notification({0, t, "policy_changed", "1", "又改", "again", 6}))
      << "the same (terminal, kind, ref) is a no-op, not an error";
  ASSERT_TRUE(store().add_notification({0, t, "policy_changed", "2", "二", "two", 7}));
  ASSERT_TRUE(store().add_notification({0, other, "policy_changed", "1", "别", "other", 8}));
  auto n = store().notifications(t, 0, 10);
  ASSERT_TRUE(n);
  ASSERT_EQ(n->size(), 2u);
  EXPECT_EQ((*n)[0].ref, "2");
  EXPECT_EQ((*n)[1].text_en, "changed") << "the first one stands";
  auto newer = store().notifications(t, (*n)[1].id, 10);
  ASSERT_EQ(newer->size(), 1u);
  EXPECT_EQ(newer->front().ref, "2");
}

}  // namespace
}  // namespace posfleet::store::conformance
