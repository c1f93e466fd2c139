#include "core/json.h"

#include <gtest/gtest.h>

namespace posfleet {
namespace {

TEST(Json, CanonicalSortsKeysAtEveryDepthAndDropsWhitespace) {
  auto v = json::parse(R"({ "b": 1, "a": {"z": [3, {"y": true, "x": null}], "m": "é"} })");
  ASSERT_TRUE(v);
  EXPECT_EQ(json::canonical(*v), R"({"a":{"m":"é","z":[3,{"x":null,"y":true}]},"b":1})");
}

TEST(Json, CanonicalIsIndependentOfInputOrder) {
  auto a = json::parse(R"({"x":1,"y":[1,2],"z":{"q":"w","p":"v"}})");
  auto b = json::parse(R"({"z":{"p":"v","q":"w"},"y":[1,2],"x":1})");
  EXPECT_EQ(json::canonical(*a), json::canonical(*b));
}

TEST(Json, ParseErrorsSayWhat) {
  auto v = json::parse("{\"a\":");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Code::kParse);
}

}  // namespace
}  // namespace posfleet
