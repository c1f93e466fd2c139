// The agent's transport settings in its config: an http:// server is refused
// unless "allow_plain_http" is true, a client certificate comes with its key,
// the files named exist (paths from the config's folder), and each error says
// which key to fix.
#include "agent/config.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/fs.h"
#include "core/json.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

class TransportConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(write_file_atomic(dir.file("ca.pem"), "pem"));
    ASSERT_TRUE(write_file_atomic(dir.file("dev.pem"), "pem"));
    ASSERT_TRUE(write_file_atomic(dir.file("dev.key"), "key"));
  }
  Expected<TlsClientOptions> options(const std::string& json_text) {
    auto v = json::parse(json_text);
    EXPECT_TRUE(v && v->is_object()) << json_text;
    return transport_options(v->as_object(), dir.file("agent.json"));
  }
  testing::TempDir dir{"agent_transport"};
};

TEST_F(TransportConfigTest, HttpsWithAPinnedCAAndAClientCertificate) {
  auto o = options(R"({"server": "https://fleet.example.com", "ca_bundle": "ca.pem",
                       "client_cert": "dev.pem", "client_key": "dev.key"})");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->ca_bundle, dir.file("ca.pem"));
  EXPECT_EQ(o->client_cert, dir.file("dev.pem"));
  EXPECT_EQ(o->client_key, dir.file("dev.key"));
  EXPECT_FALSE(o->allow_plain_http);
}

TEST_F(TransportConfigTest, PlainHttpOnlyWhenAllowed) {
  auto refused = options(R"({"server": "http://127.0.0.1:8080"})");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("refusing plain HTTP"), std::string::npos);
  EXPECT_NE(refused.error().message.find("allow_plain_http"), std::string::npos);
  EXPECT_FALSE(options(R"({"server": "http://x", "allow_plain_http": false})"));
  EXPECT_FALSE(options(R"({"server": "http://x", "allow_plain_http": "yes"})"));
  EXPECT_TRUE(options(R"({"server": "http://x", "allow_plain_http": true})"));
  EXPECT_FALSE(options(R"({"server": "ftp://x", "allow_plain_http": true})"));
}

TEST_F(TransportConfigTest, FilesMustExistAndACertificateNeedsItsKey) {
  auto missing = options(R"({"server": "https://x", "ca_bundle": "nothere.pem"})");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("\"ca_bundle\""), std::string::npos);
  auto alone = options(R"({"server": "https://x", "client_cert": "dev.pem"})");
  ASSERT_FALSE(alone);
  EXPECT_NE(alone.error().message.find("go together"), std::string::npos);
  EXPECT_FALSE(options(R"({"server": "https://x", "ca_bundle": 7})"));
  EXPECT_FALSE(options(R"({"server": "https://x", "ca_bundle": ""})"));
}

}  // namespace
}  // namespace posfleet::agent
