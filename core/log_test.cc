#include "core/log.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>
#include <boost/json.hpp>
#include <cstdlib>
#include <sstream>

#include "core/fs.h"
#include "core/testing/temp_dir.h"
#include "core/text.h"

namespace posfleet::log {
namespace {

// Points stderr at a file for the test's life, then puts it back.
class StderrToFile {
 public:
  explicit StderrToFile(const std::string& path) : path_(path) {
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~StderrToFile() {
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  std::string journal_stream() const {
    struct stat st {};
    ::fstat(STDERR_FILENO, &st);
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
  std::string text() const {
    auto t = read_file(path_);
    return t ? *t : std::string();
  }

 private:
  std::string path_;
  int saved_ = -1;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ::unsetenv("JOURNAL_STREAM");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test"));
  }
  testing::TempDir dir_{"posfleet_log"};
};

TEST_F(LogTest, FormatNamesAreTextAndJson) {
  EXPECT_EQ(*parse_format("text"), Format::kText);
  EXPECT_EQ(*parse_format("json"), Format::kJson);
  auto bad = parse_format("xml\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("use text or json"), std::string::npos);
  EXPECT_EQ(bad.error().message.find('\n'), std::string::npos);
}

TEST_F(LogTest, JsonLineIsOneValidObjectEvenForHostileText) {
  // Invalid UTF-8, a forged second line, a quote and a NUL.
  const std::string hostile = std::string("bad \xff\xfe bytes\n{\"level\":\"error\"} \"q\" ") +
                              std::string(1, '\0') + "end";
  const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764661927123));
  const std::string line = json_line(t, "warning", hostile, "posfleetd", 42, 7);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line only";
  EXPECT_TRUE(text::is_valid_utf8(line));
  auto v = boost::json::parse(line);
  auto& o = v.as_object();
  EXPECT_EQ(o.at("time").as_string(), "2025-12-02T07:52:07.123Z");
  EXPECT_EQ(o.at("level").as_string(), "warn");
  const std::string message(o.at("message").as_string());
  EXPECT_EQ(message, text::to_valid_utf8(hostile));
  EXPECT_NE(message.find("\xEF\xBF\xBD"), std::string::npos) << "U+FFFD replaces bad bytes";
  auto& fields = o.at("fields").as_object();
  EXPECT_EQ(fields.at("program").as_string(), "posfleetd");
  EXPECT_EQ(fields.at("pid").as_int64(), 42);
  EXPECT_EQ(fields.at("thread").as_int64(), 7);
}

TEST_F(LogTest, JournalLineHasPriorityPrefixAndNoTimestamp) {
  EXPECT_EQ(journal_line(syslog_priority("error"), "disk full"), "<3>disk full\n");
  EXPECT_EQ(journal_line(syslog_priority("warning"), "a"), "<4>a\n");
  EXPECT_EQ(journal_line(syslog_priority("info"), "a"), "<6>a\n");
  EXPECT_EQ(journal_line(syslog_priority("debug"), "a"), "<7>a\n");
  EXPECT_EQ(journal_line(syslog_priority("critical"), "a"), "<2>a\n");
  // A newline in a message cannot forge a second journal entry.
  EXPECT_EQ(journal_line(6, "one\n<3>forged"), "<6>one\\x0a<3>forged\n");
}

TEST_F(LogTest, JsonSetupWritesOneObjectPerLineToStderr) {
  StderrToFile err(dir_.file("stderr"));
  ASSERT_TRUE(setup("posfleet-agent", Format::kJson, "debug"));
  spdlog::info("hello {}", "world");
  spdlog::warn("path {}", std::string("/x\xc3\x28\n", 6));
  spdlog::debug("detail");
  spdlog::trace("hidden below the level");
  const auto lines = lines_of(err.text());
  ASSERT_EQ(lines.size(), 3u) << err.text();
  std::vector<std::string> levels;
  for (const auto& l : lines) {
    auto v = boost::json::parse(l);
    levels.emplace_back(v.at("level").as_string());
    EXPECT_EQ(v.at("fields").at("program").as_string(), "posfleet-agent");
    EXPECT_EQ(v.at("fields").at("pid").as_int64(), ::getpid());
  }
  EXPECT_EQ(levels, (std::vector<std::string>{"info", "warn", "debug"}));
  EXPECT_EQ(boost::json::parse(lines[0]).at("message").as_string(), "hello world");
}

TEST_F(LogTest, UnderJournaldTextLosesItsTimestampAndGainsPriority) {
  StderrToFile err(dir_.file("stderr"));
  ::setenv("JOURNAL_STREAM", err.journal_stream().c_str(), 1);
  ASSERT_TRUE(stderr_is_journal());
  ASSERT_TRUE(setup("posfleetd", Format::kText, "info"));
  spdlog::info("listening");
  spdlog::error("failed");
  EXPECT_EQ(err.text(), "<6>listening\n<3>failed\n");
}

TEST_F(LogTest, JournalStreamOfAnotherFileIsNotJournald) {
  StderrToFile err(dir_.file("stderr"));
  ::setenv("JOURNAL_STREAM", "1:2", 1);  // inherited from a parent with another stderr
  EXPECT_FALSE(stderr_is_journal());
  ::setenv("JOURNAL_STREAM", "garbage", 1);
  EXPECT_FALSE(stderr_is_journal());
  ASSERT_TRUE(setup("posfleetd", Format::kText, "info"));
  spdlog::info("listening");
  const std::string text = err.text();
  // "[2026-12-02 07:52:07.123] [info] listening"
  ASSERT_GE(text.size(), 26u) << text;
  EXPECT_EQ(text[0], '[');
  EXPECT_EQ(text.substr(26), "[info] listening\n");
}

TEST_F(LogTest, UnknownLevelOrFormatIsRefused) {
  auto s = setup("posfleetd", Format::kText, "loud");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("trace, debug, info, warn or error"), std::string::npos);
  auto f = setup("posfleetd", "yaml", "info");
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find("use text or json"), std::string::npos);
  f = setup("posfleetd", "json", "warn");
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, Format::kJson);
}

}  // namespace
}  // namespace posfleet::log
