// Unit tests of the CLI's output helpers: cleaning hostile server text,
// column widths with Chinese, local time.
#include "cli/output.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <sstream>

namespace posfleet::cli {
namespace {

TEST(Clean, KeepsValidTextAndReplacesWhatWouldSteerTheTerminal) {
  EXPECT_EQ(clean("终端 PF0001 ok"), "终端 PF0001 ok");
  EXPECT_EQ(clean("a\x1b[2Jb\r\nc"), "a [2Jb  c");  // escape sequence and line breaks defused
  EXPECT_EQ(clean("\xe4\xb8"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // a character cut in the middle
  EXPECT_EQ(clean("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong "/"
  EXPECT_EQ(clean("x\xe2\x80\xaey"), "x y");                 // right-to-left override
  EXPECT_EQ(clean(std::string("a\0b", 3)), "a b");
}

TEST(Clean, CutsAtColumnsNeverInsideACharacter) {
  EXPECT_EQ(clean("abcdef", 3), "abc…");
  EXPECT_EQ(clean("中文字符", 5), "中文…");
  EXPECT_EQ(display_width("中文ab"), 6u);
}

TEST(Table, ColumnsLineUpWithChineseCells) {
  Table t{"A", "B"};
  EXPECT_TRUE(t.empty());  // a header alone is no table
  t.add({"张三", "x"});
  t.add({"ab", "y"});
  std::ostringstream out;
  t.print(out);
  EXPECT_EQ(out.str(), "A     B\n张三  x\nab    y\n");
}

TEST(LocalTime, ShowsTheReadersZone) {
  setenv("TZ", "Asia/Shanghai", 1);
  tzset();
  EXPECT_EQ(local_time("2026-12-02T01:48:55Z"), "2026-12-02 09:48:55 CST");
  EXPECT_EQ(local_time("-"), "-");
  EXPECT_EQ(local_time("not a time\x1b"), "not a time ");
}

TEST(HumanSize, UsesUnits) {
  EXPECT_EQ(human_size(999), "999 B");
  EXPECT_EQ(human_size(1000000), "1.0 MB");
}

}  // namespace
}  // namespace posfleet::cli
