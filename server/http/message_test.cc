#include "server/http/message.h"

#include <gtest/gtest.h>

namespace posfleet::http {
namespace {

TEST(Printable, KeepsPrintableAsciiAndHidesEveryOtherByte) {
  EXPECT_EQ(printable("/api/v1/terminals"), "/api/v1/terminals");
  EXPECT_EQ(printable("/a\xff\xfe\nb\x1b[31m"), "/a???b?[31m");
  EXPECT_EQ(printable("/终端"), "/??????");
  EXPECT_EQ(printable(std::string(300, 'x'), 5), "xxxxx...");
}

}  // namespace
}  // namespace posfleet::http
