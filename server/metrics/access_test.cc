#include "server/metrics/access.h"

#include <gtest/gtest.h>

#include "core/fs.h"
#include "core/testing/temp_dir.h"

namespace posfleet::metrics {
namespace {

bool allowed(const std::string& list, const std::string& address) {
  auto cidrs = parse_cidr_list(list);
  EXPECT_TRUE(cidrs) << cidrs.error().message;
  return MetricsAccess(*cidrs, "").address_allowed(address);
}

TEST(MetricsAccessTest, DefaultIsLoopbackOnly) {
  EXPECT_TRUE(allowed(kDefaultMetricsAllow, "127.0.0.1"));
  EXPECT_TRUE(allowed(kDefaultMetricsAllow, "127.8.9.10"));
  EXPECT_TRUE(allowed(kDefaultMetricsAllow, "::1"));
  EXPECT_TRUE(allowed(kDefaultMetricsAllow, "::ffff:127.0.0.1"));  // mapped, dual-stack socket
  EXPECT_FALSE(allowed(kDefaultMetricsAllow, "10.0.0.1"));
  EXPECT_FALSE(allowed(kDefaultMetricsAllow, "::2"));
  EXPECT_FALSE(allowed(kDefaultMetricsAllow, "128.0.0.1"));
  EXPECT_FALSE(allowed(kDefaultMetricsAllow, ""));
  EXPECT_FALSE(allowed(kDefaultMetricsAllow, "localhost"));  // names never match
}

TEST(MetricsAccessTest, CidrPrefixesAreExact) {
  EXPECT_TRUE(allowed("10.1.0.0/16", "10.1.255.3"));
  EXPECT_FALSE(allowed("10.1.0.0/16", "10.2.0.3"));
  EXPECT_TRUE(allowed("192.0.2.128/25", "192.0.2.200"));
  EXPECT_FALSE(allowed("192.0.2.128/25", "192.0.2.127"));
  EXPECT_TRUE(allowed("192.0.2.7", "192.0.2.7"));
  EXPECT_FALSE(allowed("192.0.2.7", "192.0.2.8"));
  EXPECT_TRUE(allowed("fd00::/8, 10.0.0.0/8", "fd12:3456::1"));
  EXPECT_FALSE(allowed("fd00::/8", "fe80::1"));
  EXPECT_TRUE(allowed("0.0.0.0/0", "203.0.113.9"));
  EXPECT_FALSE(allowed("0.0.0.0/0", "2001:db8::1"));  // v4 blocks never match v6
}

TEST(MetricsAccessTest, BadEntriesAreRefusedByName) {
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "host.example",
                          "10.0.0.1,,10.0.0.2", "1.2.3.4/8 junk"}) {
    auto c = parse_cidr_list(bad);
    ASSERT_FALSE(c) << bad;
    EXPECT_NE(c.error().message.find("--metrics-allow"), std::string::npos);
  }
}

TEST(MetricsAccessTest, TokenIsComparedWhole) {
  MetricsAccess access({}, "0123456789abcdef0123");
  EXPECT_TRUE(access.token_required());
  EXPECT_TRUE(access.token_matches("Bearer 0123456789abcdef0123"));
  EXPECT_FALSE(access.token_matches("Bearer 0123456789abcdef012"));
  EXPECT_FALSE(access.token_matches("Bearer 0123456789abcdef01234"));
  EXPECT_FALSE(access.token_matches("Basic 0123456789abcdef0123"));
  EXPECT_FALSE(access.token_matches(""));
  EXPECT_TRUE(MetricsAccess({}, "").token_matches(""));
}

TEST(MetricsAccessTest, TokenFileNeedsALongEnoughFirstLine) {
  testing::TempDir dir("posfleet_metrics");
  ASSERT_TRUE(write_file_atomic(dir.file("t"), "  s3cret-token-0123456789  \nignored\n"));
  auto t = MetricsAccess::read_token_file(dir.file("t"));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(*t, "s3cret-token-0123456789");
  ASSERT_TRUE(write_file_atomic(dir.file("short"), "short\n"));
  auto s = MetricsAccess::read_token_file(dir.file("short"));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("16 to 512"), std::string::npos);
  EXPECT_FALSE(MetricsAccess::read_token_file(dir.file("missing")));
}

}  // namespace
}  // namespace posfleet::metrics
