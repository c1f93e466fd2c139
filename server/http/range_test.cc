#include "server/http/range.h"

#include <gtest/gtest.h>

namespace posfleet::http {
namespace {

TEST(Range, Table) {
  struct Case {
    const char* header;
    std::uint64_t size;
    RangeResult want;
    std::uint64_t first, length;
  } cases[] = {
      {"", 100, RangeResult::kNone, 0, 0},
      {"bytes=0-9", 100, RangeResult::kSatisfiable, 0, 10},
      {"bytes=90-", 100, RangeResult::kSatisfiable, 90, 10},
      {"bytes=90-500", 100, RangeResult::kSatisfiable, 90, 10},
      {"bytes=-30", 100, RangeResult::kSatisfiable, 70, 30},
      {"bytes=-300", 100, RangeResult::kSatisfiable, 0, 100},
      {"bytes=100-", 100, RangeResult::kUnsatisfiable, 0, 0},
      {"bytes=5-2", 100, RangeResult::kNone, 0, 0},
      {"bytes=0-1,5-6", 100, RangeResult::kNone, 0, 0},
      {"items=0-1", 100, RangeResult::kNone, 0, 0},
      {"bytes=x-1", 100, RangeResult::kNone, 0, 0},
  };
  for (const auto& c : cases) {
    ByteRange r;
    EXPECT_EQ(parse_range(c.header, c.size, r), c.want) << c.header;
    if (c.want == RangeResult::kSatisfiable) {
      EXPECT_EQ(r.first, c.first) << c.header;
      EXPECT_EQ(r.length, c.length) << c.header;
    }
  }
}

}  // namespace
}  // namespace posfleet::http
