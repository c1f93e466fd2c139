// The unlock code: a right code matches its check (typed in any case, with or without hyphens),
// a wrong one does not, two checks of one code differ (salted), and a malformed or too costly
// check from the network is refused rather than computed.
#include "core/unlock_code.h"

#include <gtest/gtest.h>

#include <set>

#include "core/signing.h"

namespace posfleet {
namespace {

TEST(UnlockCode, ARightCodeMatchesAndAWrongOneDoesNot) {
  ASSERT_TRUE(init_crypto().ok());
  const std::string code = new_readable_code();
  ASSERT_EQ(code.size(), 14u);
  auto check = make_unlock_check(code);
  ASSERT_TRUE(check) << check.error().to_string();
  EXPECT_TRUE(*matches_unlock_check(*check, code));
  std::string typed = normalized_code(code);
  for (auto& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_TRUE(*matches_unlock_check(*check, typed)) << "lower case, no hyphens";
  std::string wrong = code;
  wrong[0] = wrong[0] == '2' ? '3' : '2';
  EXPECT_FALSE(*matches_unlock_check(*check, wrong));
  EXPECT_FALSE(*matches_unlock_check(*check, std::string(1000, 'A')));
  auto again = make_unlock_check(code);
  EXPECT_NE(again->hash, check->hash) << "salted";

  auto round = unlock_check_from_json(to_json(*check));
  ASSERT_TRUE(round);
  EXPECT_TRUE(*matches_unlock_check(*round, code));
}

TEST(UnlockCode, AMalformedOrCostlyCheckIsRefused) {
  ASSERT_TRUE(init_crypto().ok());
  auto check = *make_unlock_check(new_readable_code());
  auto o = to_json(check);
  o["memlimit"] = 1LL << 40;
  EXPECT_FALSE(unlock_check_from_json(o));
  o = to_json(check);
  o["salt"] = "zz";
  EXPECT_FALSE(unlock_check_from_json(o));
  o = to_json(check);
  o["kdf"] = "md5";
  EXPECT_FALSE(unlock_check_from_json(o));
  std::set<std::string> codes;
  for (int i = 0; i < 200; ++i) codes.insert(new_readable_code());
  EXPECT_EQ(codes.size(), 200u);
}

}  // namespace
}  // namespace posfleet
