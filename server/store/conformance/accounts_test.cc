// Store conformance: back-office users, their sessions, management API tokens.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

TEST_P(AccountsConformance, UsersAreUniqueByNameAndListedByName) {
  auto zoe = store().insert_user({0, "zoe", "h1", "admin", false, 1});
  auto amy = store().insert_user({0, "amy", "h2", "operator", false, 2});
  ASSERT_TRUE(zoe && amy);
  auto dup = store().insert_user({0, "zoe", "h3", "viewer", false, 3});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Code::kConflict);
  EXPECT_EQ(store().user_by_name("amy")->id, *amy);
  EXPECT_EQ(store().user_by_id(*zoe)->role, "admin");
  EXPECT_EQ(store().user_by_name("nobody").error().code, Code::kNotFound);
  EXPECT_EQ(store().user_by_id(*zoe + 100).error().code, Code::kNotFound);
  auto all = store().list_users();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "amy");
  EXPECT_EQ((*all)[1].name, "zoe");

  auto u = *store().user_by_id(*zoe);
  u.role = "viewer";
  u.disabled = true;
  u.password_hash = "h9";
  ASSERT_TRUE(store().update_user(u));
  auto back = store().user_by_id(*zoe);
  EXPECT_EQ(back->role, "viewer");
  EXPECT_TRUE(back->disabled);
  EXPECT_EQ(back->password_hash, "h9");
}

TEST_P(AccountsConformance, AUsersTotpSecretsAndLastStepAreKept) {
  const auto amy = *store().insert_user({0, "amy", "h", "admin", false, 1});
  EXPECT_EQ(store().user_by_id(amy)->totp_secret, "") << "none at first";
  auto u = *store().user_by_id(amy);
  u.totp_pending = "s2.sealed-pending";
  ASSERT_TRUE(store().update_user(u));
  EXPECT_EQ(store().user_by_name("amy")->totp_pending, "s2.sealed-pending");
  u.totp_secret = u.totp_pending;
  u.totp_pending.clear();
  u.totp_last_step = 60000001;
  ASSERT_TRUE(store().update_user(u));
  auto back = *store().user_by_id(amy);
  EXPECT_EQ(back.totp_secret, "s2.sealed-pending");
  EXPECT_EQ(back.totp_pending, "");
  EXPECT_EQ(back.totp_last_step, 60000001);
  EXPECT_EQ(store().list_users()->front().totp_secret, "s2.sealed-pending");
}

TEST_P(AccountsConformance, AccountSettingsAreEmptyUntilSetThenReplaced) {
  EXPECT_EQ(*store().account_setting("totp_required_for_admins"), "");
  ASSERT_TRUE(store().set_account_setting("totp_required_for_admins", "true"));
  EXPECT_EQ(*store().account_setting("totp_required_for_admins"), "true");
  ASSERT_TRUE(store().set_account_setting("totp_required_for_admins", "false"));
  EXPECT_EQ(*store().account_setting("totp_required_for_admins"), "false");
  EXPECT_EQ(*store().account_setting("other"), "");
}

TEST_P(AccountsConformance, SessionsAreTouchedAndDeletedOneOrAllOfAUser) {
  const auto amy = *store().insert_user({0, "amy", "h", "admin", false, 1});
  const auto bob = *store().insert_user({0, "bob", "h", "admin", false, 1});
  ASSERT_TRUE(store().insert_session({"s1", amy, "c1", 10, 10}));
  ASSERT_TRUE(store().insert_session({"s2", amy, "c2", 10, 10}));
  ASSERT_TRUE(store().insert_session({"s3", bob, "c3", 10, 10}));
  ASSERT_TRUE(store().touch_session("s1", 50));
  auto s1 = store().session("s1");
  ASSERT_TRUE(s1);
  EXPECT_EQ(s1->last_seen, 50);
  EXPECT_EQ(s1->csrf, "c1");
  EXPECT_EQ(s1->user_id, amy);
  ASSERT_TRUE(store().delete_session("s1"));
  EXPECT_EQ(store().session("s1").error().code, Code::kUnauthorized);
  ASSERT_TRUE(store().delete_sessions_of(amy));
  EXPECT_EQ(store().session("s2").error().code, Code::kUnauthorized);
  EXPECT_TRUE(store().session("s3")) << "another user's session stays";
}

TEST_P(AccountsConformance, ApiTokensAreCountedAndRevokedOnce) {
  EXPECT_EQ(*store().count_api_tokens(), 0);
  auto a = store().insert_api_token({0, "ha", "ci", "operator", 1, 0, 0});
  auto b = store().insert_api_token({0, "hb", "bootstrap", "admin", 2, 0, 0});
  ASSERT_TRUE(a && b);
  auto dup = store().insert_api_token({0, "ha", "again", "viewer", 3, 0, 0});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Code::kConflict);
  ASSERT_TRUE(store().touch_api_token(*a, 77));
  EXPECT_EQ(store().api_token("ha")->last_used, 77);
  EXPECT_EQ(store().api_token("zz").error().code, Code::kUnauthorized);

  EXPECT_TRUE(*store().revoke_api_token(*b, 90));
  EXPECT_FALSE(*store().revoke_api_token(*b, 91)) << "revoked already";
  EXPECT_FALSE(*store().revoke_api_token(*b + 100, 91)) << "no such token";
  auto revoked = store().api_token("hb");
  ASSERT_TRUE(revoked) << "a revoked token is still found";
  EXPECT_EQ(revoked->revoked, 90);
  EXPECT_EQ(*store().count_api_tokens(), 2) << "revoked tokens count";
  auto all = store().list_api_tokens();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, *a);
}

}  // namespace
}  // namespace posfleet::store::conformance
