#include "core/version.h"

#include <gtest/gtest.h>

namespace posfleet {
namespace {

TEST(Version, ParsesAndOrdersNumerically) {
  struct Case {
    const char* a;
    const char* b;
    int order;
  } cases[] = {
      {"1.2.3", "1.2.3", 0},      {"1.2.3", "1.2.10", -1}, {"2.0.0", "1.99.99", 1},
      {"1.2.3.4", "1.2.3.5", -1}, {"10.0.0", "9.0.0", 1},
  };
  for (const auto& c : cases) {
    auto a = Version::parse(c.a), b = Version::parse(c.b);
    ASSERT_TRUE(a && b) << c.a << " " << c.b;
    int got = *a < *b ? -1 : (*b < *a ? 1 : 0);
    EXPECT_EQ(got, c.order) << c.a << " vs " << c.b;
  }
}

TEST(Version, RejectsWhatCannotBeOrdered) {
  for (const char* bad :
       {"", "1", "1.2", "1.2.x", "1..2", "1.2.3.4.5", "v1.2.3", "1.2.3-rc1", "-1.2.3", "1.2.3."}) {
    auto v = Version::parse(bad);
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.error().code, Code::kInvalidArgument);
  }
}

TEST(Version, RoundTrips) { EXPECT_EQ(Version::parse("2.10.0.7")->to_string(), "2.10.0.7"); }

}  // namespace
}  // namespace posfleet
