#include "core/json.h"

#include <gtest/gtest.h>

#include "core/text.h"

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

TEST(Json, ParseRefusesInvalidUtf8AndLoneSurrogates) {
  auto cut = json::parse("{\"message\":\"\xE4\xB8\"}");  // 中 cut after two bytes
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, Code::kParse);
  EXPECT_TRUE(text::is_valid_utf8(cut.error().message));
  EXPECT_FALSE(json::parse(R"({"m":"\ud800"})"));
  EXPECT_FALSE(json::parse("{\"m\xFF\":1}"));
  EXPECT_TRUE(json::parse(R"({"m":"\ud83d\ude00"})"));  // a proper pair
}

TEST(Json, UntrustedRefusesControlCharactersInStringsAndKeys) {
  EXPECT_FALSE(json::parse_untrusted(R"({"q":"\u0000\u0000"})"));
  EXPECT_FALSE(json::parse_untrusted(R"({"a\u001b":"x"})"));
  EXPECT_FALSE(json::parse_untrusted(R"([{"deep":["\u007f"]}])"));
  EXPECT_TRUE(json::parse_untrusted(R"({"note":"line 1\nline\t2"})"));
  EXPECT_TRUE(json::parse(R"({"q":"\u0000"})"));  // stored data is not a client's
}

TEST(Json, SerializeNeverEmitsInvalidUtf8) {
  boost::json::value v = boost::json::object{{"old", std::string("ok\xE4\xB8")}};
  const std::string out = json::serialize(v);
  EXPECT_TRUE(text::is_valid_utf8(out));
  EXPECT_EQ(out, "{\"old\":\"ok\xEF\xBF\xBD\"}");
  EXPECT_TRUE(json::parse(out));
  EXPECT_EQ(json::canonical(v), "{\"old\":\"ok\xE4\xB8\"}");  // hashes still cover every byte
}

}  // namespace
}  // namespace posfleet
