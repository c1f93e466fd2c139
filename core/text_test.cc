#include "core/text.h"

#include <gtest/gtest.h>

#include "core/limits.h"

namespace posfleet {
namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Text, ValidUtf8FollowsRfc3629) {
  EXPECT_TRUE(text::is_valid_utf8(""));
  EXPECT_TRUE(text::is_valid_utf8("plain ascii"));
  EXPECT_TRUE(text::is_valid_utf8("中文 é 😀"));
  EXPECT_TRUE(text::is_valid_utf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_FALSE(text::is_valid_utf8("\xE4\xB8"));          // cut inside 中
  EXPECT_FALSE(text::is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(text::is_valid_utf8("\xE0\x80\xAF"));      // overlong, 3 bytes
  EXPECT_FALSE(text::is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(text::is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(text::is_valid_utf8("\x80"));              // stray continuation
  EXPECT_FALSE(text::is_valid_utf8("\xFF"));
  EXPECT_FALSE(
      text::is_valid_utf8(std::string_view("ab\xE4\xB8"
                                           "c",
                                           5)));
}

TEST(Text, LengthCountsCharacters) {
  EXPECT_EQ(text::length("中文ab"), 4u);
  EXPECT_EQ(text::length("😀"), 1u);
}

TEST(Text, TruncateNeverCutsACharacter) {
  // The ticket of issue 10: 1,000 Chinese characters (3 bytes each) cut at 2,000 bytes.
  const std::string ticket = repeat("中", 1000);
  auto cut = text::truncate_bytes(ticket, 2000);
  EXPECT_EQ(cut.size(), 1998u);
  EXPECT_TRUE(text::is_valid_utf8(cut));
  EXPECT_EQ(text::truncate_bytes("abc", 10), "abc");
  EXPECT_EQ(text::truncate_bytes("a😀", 4), "a");
  EXPECT_EQ(text::truncate_chars(ticket, 3), "中中中");
  EXPECT_EQ(text::truncate_chars("ab", 5), "ab");
}

TEST(Text, ToValidReplacesEachIllFormedSubpart) {
  EXPECT_EQ(text::to_valid_utf8("中文"), "中文");
  EXPECT_EQ(text::to_valid_utf8("a\xE4\xB8"), "a\xEF\xBF\xBD");
  EXPECT_EQ(text::to_valid_utf8("\xE4\xB8"
                                "b"),
            "\xEF\xBF\xBD"
            "b");  // never swallows the ASCII after it
  EXPECT_EQ(text::to_valid_utf8("\xFF\xFE"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(text::is_valid_utf8(text::to_valid_utf8("\xED\xA0\x80\xC0\xAF")));
}

TEST(Text, SafeEchoShowsNoRawBytes) {
  const std::string nasty = std::string("a\0b\x1B[2J\xE4\xB8", 8);
  const std::string echo = text::safe_echo(nasty);
  EXPECT_TRUE(text::is_valid_utf8(echo));
  EXPECT_EQ(echo, "a\\x00b\\x1B[2J\xEF\xBF\xBD");
  EXPECT_EQ(text::safe_echo(repeat("中", 100), 3), "中中中…");
  EXPECT_EQ(text::safe_echo("\xC2\x85"), "\\x85");  // C1 NEL
}

TEST(Text, CheckFieldNamesTheFieldAndTheLimitButNotTheBytes) {
  EXPECT_TRUE(text::check_field("name", "北区 north", limits::kGroupChars));
  auto bad = text::check_field("message", "ok\xE4\xB8", 10);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("message is not valid UTF-8"), std::string::npos);
  EXPECT_TRUE(text::is_valid_utf8(bad.error().message));

  auto nul = text::check_field("q", std::string_view("\0\0", 2), 100);
  ASSERT_FALSE(nul);
  EXPECT_NE(nul.error().message.find("control characters"), std::string::npos);
  EXPECT_FALSE(text::check_field("name", "a\tb", 10));
  EXPECT_TRUE(text::check_field("note", "line 1\r\nline\t2", 100, text::Lines::kMany));
  EXPECT_FALSE(text::check_field("note", "\x7F", 100, text::Lines::kMany));

  EXPECT_TRUE(text::check_field("message", repeat("中", 2000), limits::kTicketChars));
  auto long_one = text::check_field("message", repeat("中", 2001), limits::kTicketChars);
  ASSERT_FALSE(long_one);
  EXPECT_NE(long_one.error().message.find("message has 2001 characters; at most 2000"),
            std::string::npos);
}

TEST(Text, Trim) {
  EXPECT_EQ(text::trim("  a b \r\n"), "a b");
  EXPECT_EQ(text::trim(" \t "), "");
}

TEST(Text, PercentEncodeKeepsOnlyTheUnreservedCharacters) {
  EXPECT_EQ(text::percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(text::percent_encode("a b/c?d=e&f%g:h#i+"), "a%20b%2Fc%3Fd%3De%26f%25g%3Ah%23i%2B");
  EXPECT_EQ(text::percent_encode("张"), "%E5%BC%A0");  // UTF-8, byte by byte
  EXPECT_EQ(text::percent_encode(std::string("\0\x7f\xff", 3)), "%00%7F%FF");
  EXPECT_EQ(text::percent_encode(""), "");
}

}  // namespace
}  // namespace posfleet
