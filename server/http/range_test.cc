#include "server/http/range.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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

TEST(Ranges, ASetOfRangesInOrder) {
  struct Case {
    const char* header;
    RangeResult want;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;  // first, length
  } cases[] = {
      {"bytes=0-9", RangeResult::kSatisfiable, {{0, 10}}},
      {"bytes=0-9,20-29", RangeResult::kSatisfiable, {{0, 10}, {20, 10}}},
      {"bytes=0-9, 20-29 ,\t-5", RangeResult::kSatisfiable, {{0, 10}, {20, 10}, {95, 5}}},
      {"bytes=0-9,200-300", RangeResult::kSatisfiable, {{0, 10}}},  // past the end: left out
      {"bytes=200-300,400-", RangeResult::kUnsatisfiable, {}},
      {"bytes=0-9,5-12", RangeResult::kNone, {}},   // overlapping
      {"bytes=20-29,0-9", RangeResult::kNone, {}},  // backwards
      {"bytes=0-,0-", RangeResult::kNone, {}},      // the file twice
      {"bytes=0-9,x-1", RangeResult::kNone, {}},    // one is not a range
      {"bytes=0-9,", RangeResult::kNone, {}},       // an empty one
      {"items=0-9,20-29", RangeResult::kNone, {}},
  };
  for (const auto& c : cases) {
    std::vector<ByteRange> got;
    EXPECT_EQ(parse_ranges(c.header, 100, got), c.want) << c.header;
    ASSERT_EQ(got.size(), c.ranges.size()) << c.header;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].first, c.ranges[i].first) << c.header;
      EXPECT_EQ(got[i].length, c.ranges[i].second) << c.header;
    }
  }
  std::string many = "bytes=0-0";
  for (std::size_t i = 1; i < kMaxRanges; ++i)
    many += "," + std::to_string(2 * i) + "-" + std::to_string(2 * i);
  std::vector<ByteRange> got;
  EXPECT_EQ(parse_ranges(many, 1u << 20, got), RangeResult::kSatisfiable);
  EXPECT_EQ(got.size(), kMaxRanges);
  EXPECT_EQ(parse_ranges(many + ",5000-5000", 1u << 20, got), RangeResult::kNone) << "one too many";
}

}  // namespace
}  // namespace posfleet::http
