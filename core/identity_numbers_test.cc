#include "core/identity_numbers.h"

#include <gtest/gtest.h>

namespace posfleet::identity {
namespace {

constexpr std::int32_t kToday = 20261124;

struct Case {
  const char* input;
  Flaw want;
};

TEST(ResidentId, KnownNumbersAndEachFlaw) {
  const Case cases[] = {
      {"11010519491231002X", Flaw::kNone},       // the standard's own example
      {"11010519491231002x", Flaw::kNone},       // a lower-case x is the same
      {"440524188001010014", Flaw::kBirthDate},  // born 1880: not plausible
      {"110101199003074477", Flaw::kNone},
      {"110101199003074478", Flaw::kCheckCharacter},  // one typo in the check
      {"110101199003074447", Flaw::kCheckCharacter},  // two digits swapped
      {"11010519491231002", Flaw::kLength},
      {"11010519491231002XX", Flaw::kLength},
      {"1101051949123100AX", Flaw::kCharacters},
      {"11010519491231002Y", Flaw::kCharacters},
      {"990105194912310023", Flaw::kRegion},
      {"110105194902300021", Flaw::kBirthDate},  // 30 February
      {"110105203001010023", Flaw::kBirthDate},  // born in the future
      {"110105200002290021", Flaw::kNone},       // 2000 was a leap year
      {"110105190002290027", Flaw::kBirthDate},  // 1900 was not
      {"", Flaw::kLength},
  };
  for (const auto& c : cases) EXPECT_EQ(check_resident_id(c.input, kToday), c.want) << c.input;
}

TEST(CreditCode, KnownCodesAndEachFlaw) {
  const Case cases[] = {
      {"91350100M000100Y43", Flaw::kNone},           {"91110000600037341L", Flaw::kNone},
      {"91110000600037341l", Flaw::kNone},           {"911100001000079554", Flaw::kNone},
      {"911100001000079555", Flaw::kCheckCharacter}, {"91350100M000100Y4", Flaw::kLength},
      {"91350100M000100I43", Flaw::kCharacters},  // I is never used
      {"91350100M0001O0Y43", Flaw::kCharacters},  // nor O
      {"91350100M000100Y4Z", Flaw::kCharacters},
  };
  for (const auto& c : cases) EXPECT_EQ(check_credit_code(c.input), c.want) << c.input;
}

TEST(Mobile, MainlandMobileNumbersOnly) {
  const Case cases[] = {
      {"13800138000", Flaw::kNone},      {"+8613800138000", Flaw::kNone},
      {"138 0013 8000", Flaw::kNone},    {"138-0013-8000", Flaw::kNone},
      {"0086 19912345678", Flaw::kNone}, {"12800138000", Flaw::kPrefix},
      {"23800138000", Flaw::kPrefix},    {"1380013800", Flaw::kLength},
      {"138001380001", Flaw::kLength},   {"1380013800a", Flaw::kCharacters},
      {"", Flaw::kCharacters},
  };
  for (const auto& c : cases) EXPECT_EQ(check_mobile(c.input), c.want) << c.input;
}

TEST(Card, LuhnAndLength) {
  const Case cases[] = {
      {"6228480402564890018", Flaw::kNone},  // 19 digits
      {"4111111111111111", Flaw::kNone},
      {"4111 1111 1111 1111", Flaw::kNone},
      {"4111111111111112", Flaw::kCheckCharacter},
      {"6228480402564890081", Flaw::kCheckCharacter},  // last two swapped
      {"41111111111", Flaw::kLength},
      {"62284804025648900180", Flaw::kLength},
      {"4111-1111-1111-111a", Flaw::kCharacters},
  };
  for (const auto& c : cases) EXPECT_EQ(check_card(c.input), c.want) << c.input;
}

TEST(Masking, ShowsOnlyTheEnds) {
  EXPECT_EQ(mask_card("6222021234561234"), "6222 **** **** 1234");
  EXPECT_EQ(mask_card("6228 4804 0256 4890 018"), "6228 **** **** **** 0018");
  EXPECT_EQ(mask_card("123"), "***");
  EXPECT_EQ(std::string(name(Flaw::kCheckCharacter)), "check_character");
}

}  // namespace
}  // namespace posfleet::identity
