// Store conformance: applications for terminals, applicants' phone codes,
// activation codes.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

ApplicationRecord application(const std::string& number, const std::string& resident_index) {
  ApplicationRecord a;
  a.number = number;
  a.kind = "individual";
  a.legal_name = "张三";
  a.resident_id_enc = "enc";
  a.resident_id_index = resident_index;
  a.phone = "13800138000";
  a.model = "A920";
  a.created = a.updated = 10;
  return a;
}

TEST_P(OnboardingConformance, ApplicationsAreFoundAndListedNewestFirst) {
  auto a = store().insert_application(application("PA1", "r1"));
  auto b = store().insert_application(application("PA2", "r2"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(store().application(*a)->number, "PA1");
  EXPECT_EQ(store().application_by_number("PA2")->id, *b);
  EXPECT_EQ(store().application(*b + 100).error().code, Code::kNotFound);
  EXPECT_EQ(store().application_by_number("PA9").error().code, Code::kNotFound);
  auto all = store().list_applications("", 0, 10, "");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, *b);
  EXPECT_EQ(store().list_applications("submitted", 1, 10, "")->size(), 1u);
  EXPECT_TRUE(store().list_applications("approved", 0, 10, "")->empty());
}

TEST_P(OnboardingConformance, AnOrganisationsSubtreeListsItsApplicationsAlone) {
  auto east =
      store().insert_organisation({0, kRootOrganisation, "reseller", "east", "", "admin", 1});
  ASSERT_TRUE(east);
  auto shop = store().insert_organisation({0, east->id, "merchant", "shop", "", "admin", 1});
  auto west =
      store().insert_organisation({0, kRootOrganisation, "reseller", "west", "", "admin", 1});
  ASSERT_TRUE(shop && west);
  auto in_shop = application("PA1", "r1");
  in_shop.org_id = shop->id;
  auto a = store().insert_application(in_shop);
  auto b = store().insert_application(application("PA2", "r2"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(store().application(*a)->org_id, shop->id);
  EXPECT_EQ(store().application(*b)->org_id, kRootOrganisation);
  auto east_s = store().list_applications("", 0, 10, east->path);
  ASSERT_TRUE(east_s);
  ASSERT_EQ(east_s->size(), 1u);
  EXPECT_EQ(east_s->front().id, *a);
  EXPECT_EQ(store().list_applications("submitted", 0, 10, east->path)->size(), 1u);
  EXPECT_TRUE(store().list_applications("approved", 0, 10, east->path)->empty());
  EXPECT_TRUE(store().list_applications("", 0, 10, west->path)->empty());
  // Given to the west: its organisation is written with the rest of the record.
  auto given = *store().application(*b);
  given.org_id = west->id;
  ASSERT_TRUE(*store().update_application(given, "submitted"));
  auto west_s = store().list_applications("", 0, 10, west->path);
  ASSERT_EQ(west_s->size(), 1u);
  EXPECT_EQ(west_s->front().number, "PA2");
  EXPECT_EQ(store().list_applications("", 0, 10, "")->size(), 2u);
}

TEST_P(OnboardingConformance, OneLiveApplicationPerResidentId) {
  auto first = store().insert_application(application("PA1", "r1"));
  ASSERT_TRUE(first);
  auto dup = store().insert_application(application("PA2", "r1"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Code::kConflict);
  auto same_number = store().insert_application(application("PA1", "r9"));
  ASSERT_FALSE(same_number);
  EXPECT_EQ(same_number.error().code, Code::kConflict);

  auto rejected = *store().application(*first);
  rejected.status = "rejected";
  ASSERT_TRUE(*store().update_application(rejected, "submitted"));
  EXPECT_TRUE(store().insert_application(application("PA3", "r1"))) << "after a rejection";
}

TEST_P(OnboardingConformance, AnApplicationMovesOnlyFromTheStatusItWasReadWith) {
  auto id = store().insert_application(application("PA1", "r1"));
  auto read = *store().application(*id);
  read.status = "approved";
  read.reviewer = "amy";
  read.merchant_id = 7;
  EXPECT_TRUE(*store().update_application(read, "submitted"));
  read.status = "rejected";
  EXPECT_FALSE(*store().update_application(read, "submitted")) << "it moved meanwhile";
  auto back = store().application(*id);
  EXPECT_EQ(back->status, "approved");
  EXPECT_EQ(back->reviewer, "amy");
  EXPECT_EQ(back->merchant_id, 7);
}

TEST_P(OnboardingConformance, APhoneCodeHasLimitedTriesAndIsUsedOnce) {
  auto id = store().insert_phone_code({0, "13800138000", "h", 0, false, false, 100, 200});
  ASSERT_TRUE(id);
  EXPECT_EQ(*store().count_phone_codes_since("13800138000", 100), 1);
  EXPECT_EQ(*store().count_phone_codes_since("13800138000", 101), 0);
  EXPECT_FALSE(*store().use_phone_code(*id, "13800138000")) << "not verified yet";
  EXPECT_TRUE(*store().take_phone_code_try(*id, 2, 150));
  EXPECT_TRUE(*store().take_phone_code_try(*id, 2, 150));
  EXPECT_FALSE(*store().take_phone_code_try(*id, 2, 150)) << "no try left";
  EXPECT_FALSE(*store().take_phone_code_try(*id, 5, 200)) << "expired";
  ASSERT_TRUE(store().mark_phone_code_verified(*id));
  EXPECT_FALSE(*store().take_phone_code_try(*id, 5, 150)) << "verified already";
  EXPECT_FALSE(*store().use_phone_code(*id, "13900000000")) << "another phone";
  EXPECT_TRUE(*store().use_phone_code(*id, "13800138000"));
  EXPECT_FALSE(*store().use_phone_code(*id, "13800138000")) << "used already";
  auto back = store().phone_code(*id);
  EXPECT_TRUE(back->verified);
  EXPECT_TRUE(back->used);
  EXPECT_EQ(back->attempts, 2);
  EXPECT_EQ(store().phone_code(*id + 100).error().code, Code::kNotFound);
}

TEST_P(OnboardingConformance, AnActivationCodeIsUsedOnceBeforeItExpires) {
  auto a = store().insert_activation({0, "code-a", "PF1", "A920", 5, 7, 200, 0, 100});
  auto b = store().insert_activation({0, "code-b", "PF2", "A920", 5, 7, 200, 0, 100});
  ASSERT_TRUE(a && b);
  auto dup = store().insert_activation({0, "code-a", "PF3", "A920", 5, 7, 200, 0, 100});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Code::kConflict);
  EXPECT_EQ(store().activation_by_hash("code-a")->serial, "PF1");
  EXPECT_EQ(store().activation_by_hash("nope").error().code, Code::kNotFound);
  EXPECT_FALSE(*store().use_activation(*a, 200)) << "expired";
  EXPECT_TRUE(*store().use_activation(*a, 150));
  EXPECT_FALSE(*store().use_activation(*a, 151)) << "used already";
  EXPECT_EQ(store().activation_by_hash("code-a")->used, 150);

  ASSERT_TRUE(store().replace_activations(5, "PF2"));
  EXPECT_EQ(store().activation_by_hash("code-b")->used, -1);
  EXPECT_FALSE(*store().use_activation(*b, 150)) << "replaced";
  auto of = store().activations_of(5);
  ASSERT_TRUE(of);
  ASSERT_EQ(of->size(), 2u);
  EXPECT_EQ((*of)[0].id, *a);
  EXPECT_EQ((*of)[0].used, 150) << "a used code is not replaced";
}

}  // namespace
}  // namespace posfleet::store::conformance
