// Scrubbing a log bundle: card numbers (together, in groups of four with spaces or hyphens) and
// resident IDs go; numbers that fail their checks, times, amounts and codes stay.
#include "core/scrub.h"

#include <gtest/gtest.h>

namespace posfleet {
namespace {

TEST(Scrub, CardsAndResidentIdsGoOtherNumbersStay) {
  EXPECT_EQ(scrub_sensitive("sale 6222021234567890128 ok"), "sale [card] ok");
  EXPECT_EQ(scrub_sensitive("pan=6222 0212 3456 7890 128;"), "pan=[card];");
  EXPECT_EQ(scrub_sensitive("4111-1111-1111-1111"), "[card]");
  EXPECT_EQ(scrub_sensitive("id 11010519491231002X, id 11010519491231002x"), "id [id], id [id]");
  EXPECT_EQ(scrub_sensitive("身份证110105194912310021结束"), "身份证110105194912310021结束")
      << "a wrong check character: not an ID (and not a card)";
  EXPECT_EQ(scrub_sensitive("amount 12345 at 2026-12-05 10:00:00"),
            "amount 12345 at 2026-12-05 10:00:00");
  EXPECT_EQ(scrub_sensitive("4111111111111112"), "4111111111111112") << "fails Luhn";
  EXPECT_EQ(scrub_sensitive("txn T4111111111111111"), "txn T4111111111111111")
      << "inside a word: an identifier";
  EXPECT_EQ(scrub_sensitive("bad \xff byte"), "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace posfleet
