#include "server/http/router.h"

#include <gtest/gtest.h>

namespace posfleet::http {
namespace {

TEST(Router, MatchesPatternsAndFillsParams) {
  Router r;
  int hit = 0;
  r.add("GET", "/{tenant}/controller/v1/{id}", [&](Request&) { hit = 1; return Response{}; });
  r.add("GET", "/{tenant}/controller/v1/{id}/deploymentBase/{action}", [&](Request&) { hit = 2; return Response{}; });
  Request req;
  req.method = "GET";
  req.path = "/DEFAULT/controller/v1/PF001/deploymentBase/7";
  auto m = r.match(req);
  ASSERT_NE(m.handler, nullptr);
  (*m.handler)(req);
  EXPECT_EQ(hit, 2);
  EXPECT_EQ(req.param("tenant"), "DEFAULT");
  EXPECT_EQ(req.param("id"), "PF001");
  EXPECT_EQ(req.param("action"), "7");
}

TEST(Router, TellsWrongMethodFromUnknownPath) {
  Router r;
  r.add("POST", "/api/v1/releases", [](Request&) { return Response{}; });
  Request req;
  req.method = "GET";
  req.path = "/api/v1/releases";
  auto m = r.match(req);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_known);
  req.path = "/api/v1/nothing";
  EXPECT_FALSE(r.match(req).path_known);
}

TEST(Router, SplitIgnoresEmptySegments) {
  EXPECT_EQ(split_path("//a///b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(split_path("/").empty());
}

}  // namespace
}  // namespace posfleet::http
