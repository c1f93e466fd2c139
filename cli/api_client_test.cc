// The CLI's transport rule: an http:// server only on loopback or when
// allowed (--allow-plain-http / POSFLEET_ALLOW_PLAIN_HTTP=1); a --ca-bundle
// that cannot be read is named.
#include "cli/api_client.h"

#include <gtest/gtest.h>

namespace posfleet::cli {
namespace {

TEST(LoopbackUrl, OnlyThisMachinesAddresses) {
  for (const char* yes : {"http://127.0.0.1:8080", "http://127.1.2.3/x", "http://localhost:1",
                          "http://[::1]:8080/", "https://127.0.0.1"})
    EXPECT_TRUE(loopback_url(yes)) << yes;
  for (const char* no :
       {"http://10.0.0.1:8080", "http://127.0.0.1.example.com/", "http://localhost.evil:80",
        "http://128.0.0.1", "http://127.0.0.1@evil.example/", "http://[::2]:80", "127.0.0.1",
        "http://127.0.0.256", "http://127.0.0", "http://0x7f.0.0.1"})
    EXPECT_FALSE(loopback_url(no)) << no;
}

TEST(TransportOptions, PlainHttpOffLoopbackNeedsTheFlag) {
  ServerOptions s{"http://192.0.2.10:8080", "token", false, "", false};
  auto refused = transport_options(s);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("--allow-plain-http"), std::string::npos);
  s.allow_plain_http = true;
  EXPECT_TRUE(transport_options(s));
  s = ServerOptions{"http://127.0.0.1:8080", "token", false, "", false};
  EXPECT_TRUE(transport_options(s));
  s = ServerOptions{"https://fleet.example.com", "token", false, "", false};
  s.ca_bundle = "/nonexistent/ca.pem";
  auto missing = transport_options(s);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace posfleet::cli
