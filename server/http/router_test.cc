#include "server/http/router.h"

#include <gtest/gtest.h>

namespace posfleet::http {
namespace {

TEST(Router, MatchesPatternsAndFillsParams) {
  Router r;
  int hit = 0;
  r.add("GET", "/{tenant}/controller/v1/{id}", [&](Request&) {
    hit = 1;
    return Response{};
  });
  r.add("GET", "/{tenant}/controller/v1/{id}/deploymentBase/{action}", [&](Request&) {
    hit = 2;
    return Response{};
  });
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

TEST(Router, FallbackServesOnlyBrowserPages) {
  Router r;
  r.set_fallback([](Request&) { return Response{}; });
  Request req;
  req.method = "GET";
  for (const char* page : {"/", "/terminals", "/terminals/PF001", "/overview"}) {
    req.path = page;
    EXPECT_NE(r.match(req).handler, nullptr) << page;
  }
  for (const char* device :
       {"/api", "/api/v1/nothing", "/API/v2", "/metrics", "/DEFAULT/controller",
        "/DEFAULT/controller/v1/PF001/nothing", "/other/Controller/v1"}) {
    req.path = device;
    EXPECT_EQ(r.match(req).handler, nullptr) << device;
  }
  req.method = "POST";
  req.path = "/terminals";
  EXPECT_EQ(r.match(req).handler, nullptr);
}

TEST(Router, StreamedRoutesCarryTheirBodyKindAndOpener) {
  Router r;
  r.add("POST", "/api/v1/json", [](Request&) { return Response{}; });
  r.add_streamed(
      "PUT", "/api/v1/blob/{id}", [](Request&) { return std::optional<Response>(); },
      [](Request&) { return Response{}; });
  Request req;
  req.method = "PUT";
  req.path = "/api/v1/blob/7";
  auto m = r.match(req);
  EXPECT_EQ(m.body, BodyKind::kStream);
  EXPECT_NE(m.before_body, nullptr);
  EXPECT_EQ(m.work, Work::kBlocking);
  req.method = "POST";
  req.path = "/api/v1/json";
  m = r.match(req);
  EXPECT_EQ(m.body, BodyKind::kJson);
  EXPECT_EQ(m.before_body, nullptr);
}

TEST(Router, SplitIgnoresEmptySegments) {
  EXPECT_EQ(split_path("//a///b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(split_path("/").empty());
}

TEST(Router, AnUnroutedRequestIs405WhenThePathHasOtherMethodsElse404) {
  Router r;
  r.add("GET", "/api/v1/releases", [](Request&) { return Response{}; });
  Request wrong_method;
  wrong_method.method = "DELETE";
  wrong_method.path = "/api/v1/releases";
  auto m = r.match(wrong_method);
  ASSERT_EQ(m.handler, nullptr);
  auto res = unrouted(wrong_method, m);
  EXPECT_EQ(res.status, 405);
  EXPECT_NE(res.body.find(R"("code":"method_not_allowed")"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("DELETE is not allowed on /api/v1/releases"), std::string::npos);

  Request unknown;
  unknown.method = "GET";
  unknown.path = "/api/v1/nothing\x1b";
  m = r.match(unknown);
  ASSERT_EQ(m.handler, nullptr);
  res = unrouted(unknown, m);
  EXPECT_EQ(res.status, 404);
  EXPECT_NE(res.body.find(R"("code":"not_found")"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("/api/v1/nothing?"), std::string::npos) << res.body;
}

TEST(Router, InstrumentWrapsEveryRouteByPatternAndCountsTheUnmatched) {
  Router r;
  auto answer = [](int status) {
    return [status](Request&) {
      Response res;
      res.status = status;
      return res;
    };
  };
  r.add("GET", "/api/v1/terminals/{serial}", answer(200));
  r.set_fallback(answer(200));
  std::vector<std::string> seen;  // "METHOD pattern -> status" per request
  r.instrument([&seen](const std::string& method, const std::string& pattern, Handler h) {
    return Handler([&seen, method, pattern, h = std::move(h)](Request& req) {
      Response res = h(req);
      seen.push_back(method + " " + pattern + " -> " + std::to_string(res.status));
      return res;
    });
  });
  r.add_streamed("PUT", "/api/v1/artifacts/{sha}", nullptr, answer(201));  // added afterwards
  auto send = [&r](const std::string& method, const std::string& path) {
    Request req;
    req.method = method;
    req.path = path;
    auto m = r.match(req);
    if (m.handler) (*m.handler)(req);
  };
  send("GET", "/api/v1/terminals/PF1");
  send("GET", "/api/v1/terminals/PF2");
  send("PUT", "/api/v1/artifacts/ab");
  send("GET", "/login");            // the console's fallback
  send("POST", "/api/v1/nothing");  // no route
  send("DELETE", "/api/v1/terminals/PF1");
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "GET /api/v1/terminals/{serial} -> 200",
                      "GET /api/v1/terminals/{serial} -> 200",
                      "PUT /api/v1/artifacts/{sha} -> 201",
                      "GET /{console page} -> 200",
                  }));
  EXPECT_EQ(r.unmatched(), 2u);
}

}  // namespace
}  // namespace posfleet::http
