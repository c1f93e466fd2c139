#include "server/http/host.h"

#include <gtest/gtest.h>

namespace posfleet::http {
namespace {

TEST(Host, AcceptsNamesAddressesAndPorts) {
  for (const char* h : {"fleet.example.com", "localhost", "127.0.0.1:8080", "[::1]", "[::1]:443",
                        "FLEET.example.com.", "my_host:1", "a-b.c:65535"})
    EXPECT_TRUE(valid_host(h)) << h;
}

TEST(Host, RefusesAnythingElse) {
  for (const char* h : {"", "evil.example.com, fleet.example.com", "a b", "user@host", "host/path",
                        "host:", "host:65536", "host:80:80", "host:-1", "[::1", "[zz::1]", "[::1]x",
                        "..", "a..b", "host\r\nX: y", "host?q", "%41", ":80"})
    EXPECT_FALSE(valid_host(h)) << h;
  EXPECT_FALSE(valid_host(std::string("host\0x", 6)));
}

TEST(ExternalUrl, NormalizesSchemeHostAndTrailingSlash) {
  EXPECT_EQ(*parse_external_url("https://Fleet.Example.com/"), "https://fleet.example.com");
  EXPECT_EQ(*parse_external_url("HTTP://10.0.0.5:8080"), "http://10.0.0.5:8080");
  EXPECT_EQ(*parse_external_url("https://proxy.example.com/posfleet/"),
            "https://proxy.example.com/posfleet");
}

TEST(ExternalUrl, RefusesWhatIsNotABaseUrl) {
  for (const char* u :
       {"fleet.example.com", "ftp://fleet", "https://", "https://a b", "https://h/p?q=1",
        "https://h/#frag", "https://user@h", "javascript:alert(1)"})
    EXPECT_FALSE(parse_external_url(u)) << u;
}

TEST(ArtifactBaseUrl, EndsInOneSlash) {
  EXPECT_EQ(*parse_artifact_base_url("https://CDN.example/posfleet"),
            "https://cdn.example/posfleet/");
  EXPECT_EQ(*parse_artifact_base_url("https://cdn.example/posfleet//"),
            "https://cdn.example/posfleet/");
  EXPECT_EQ(*parse_artifact_base_url("http://127.0.0.1:8081"), "http://127.0.0.1:8081/");
}

TEST(ArtifactBaseUrl, RefusesQueriesAndOtherSchemesNamingTheFlag) {
  for (const char* u : {"cdn.example/posfleet/", "ftp://cdn.example/", "https://cdn.example/p?x=1",
                        "https://cdn.example/p#f"}) {
    auto r = parse_artifact_base_url(u);
    ASSERT_FALSE(r) << u;
    EXPECT_NE(r.error().message.find("--artifact-base-url"), std::string::npos)
        << r.error().message;
  }
}

}  // namespace
}  // namespace posfleet::http
