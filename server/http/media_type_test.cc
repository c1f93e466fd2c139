#include "server/http/media_type.h"

#include <gtest/gtest.h>

namespace posfleet::http {
namespace {

TEST(MediaType, AcceptsJsonWithItsUsualSpellings) {
  for (const char* h : {"application/json", "Application/JSON", "application/json; charset=utf-8",
                        "application/json;charset=\"UTF-8\"", " application/json ",
                        "application/json;", "application/json ; foo=bar"})
    EXPECT_TRUE(media_type_is(h, "application", "json")) << h;
}

TEST(MediaType, RefusesWhatOnlyContainsJson) {
  for (const char* h :
       {"text/plain; boundary=application/json", "text/plain;application/json",
        "application/json-seq", "application/jsonx", "xapplication/json",
        "application/json, text/plain", "text/plain, application/json", "application/json;x",
        "application/json; charset=latin1", "application/json; a=1; A=2", "application/", "/json",
        "", "application/json; a=\"unterminated", "application /json",
        "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"})
    EXPECT_FALSE(media_type_is(h, "application", "json")) << h;
}

TEST(MediaType, RefusesControlCharacters) {
  EXPECT_FALSE(media_type_is(std::string("application/json\0", 17), "application", "json"));
  EXPECT_FALSE(media_type_is("application/json; a=\"x\ny\"", "application", "json"));
}

TEST(MediaType, ParsesParametersExactly) {
  auto m = parse_media_type("Text/Plain; Charset=\"a\\\"b\"; q=1");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, "text");
  EXPECT_EQ(m->subtype, "plain");
  ASSERT_EQ(m->params.size(), 2u);
  EXPECT_EQ(m->params[0].first, "charset");
  EXPECT_EQ(m->params[0].second, "a\"b");
  EXPECT_EQ(m->params[1].second, "1");
}

}  // namespace
}  // namespace posfleet::http
