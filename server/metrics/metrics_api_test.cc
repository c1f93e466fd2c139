#include "server/metrics/metrics_api.h"

#include <gtest/gtest.h>

#include <regex>

#include "server/domain/load.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::metrics {
namespace {

class MetricsApiTest : public testing::HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    ctx_->load = &load_;
    auto allow = parse_cidr_list(kDefaultMetricsAllow);
    ASSERT_TRUE(allow);
    service_ = std::make_unique<MetricsService>(*ctx_, MetricsAccess(*allow, token_));
    service_->attach(router_);
  }

  http::Response get(const std::string& path, const std::string& remote,
                     std::map<std::string, std::string> headers = {}) {
    http::Request req;
    req.method = "GET";
    req.path = path;
    req.remote = remote;
    req.headers = std::move(headers);
    auto m = router_.match(req);
    if (!m.handler) return http::unrouted(req, m);
    return (*m.handler)(req);
  }

  std::string scrape() {
    auto res = get("/metrics", "127.0.0.1");
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.content_type, "text/plain; version=0.0.4; charset=utf-8");
    return res.body;
  }

  // The value of the sample line that starts with `series` ("name{labels}"), or -1.
  static double value(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
  }

  domain::LoadState load_{2};
  std::string token_;
  std::unique_ptr<MetricsService> service_;
};

TEST_F(MetricsApiTest, RequestsAreCountedByRoutePatternAndStatusClass) {
  const auto admin = bearer("admin");
  ASSERT_EQ(send("POST", "/api/v1/terminals", R"({"serial":"PF1","model":"A920"})",
                 {{"authorization", admin}})
                .status,
            201);
  EXPECT_EQ(send("GET", "/api/v1/terminals/PF1", "", {{"authorization", admin}}).status, 200);
  EXPECT_EQ(send("GET", "/api/v1/terminals/NOPE", "", {{"authorization", admin}}).status, 404);
  EXPECT_EQ(send("GET", "/api/v1/terminals/PF1").status, 401);  // no log-in
  EXPECT_EQ(send("GET", "/api/v1/no-such-thing").status, 404);  // no route

  const std::string text = scrape();
  const std::string route = "method=\"GET\",route=\"/api/v1/terminals/{serial}\"";
  EXPECT_EQ(value(text, "posfleet_http_requests_total{" + route + ",status=\"2xx\"}"), 1) << text;
  EXPECT_EQ(value(text, "posfleet_http_requests_total{" + route + ",status=\"4xx\"}"), 2) << text;
  EXPECT_EQ(value(text, "posfleet_http_request_duration_seconds_count{" + route + "}"), 3);
  EXPECT_EQ(value(text, "posfleet_http_request_duration_seconds_bucket{" + route + ",le=\"+Inf\"}"),
            3);
  EXPECT_EQ(value(text, "posfleet_http_unmatched_requests_total"), 1);
  // Paths never become labels: one series per pattern, whatever the serial.
  EXPECT_EQ(text.find("PF1"), std::string::npos);
  EXPECT_EQ(text.find("NOPE"), std::string::npos);
  EXPECT_EQ(text.find("no-such-thing"), std::string::npos);
}

TEST_F(MetricsApiTest, EveryLineIsTheTextFormat) {
  ASSERT_EQ(send("GET", "/api/v1/status", "", {{"authorization", bearer("admin")}}).status, 200);
  const std::string text = scrape();
  const std::regex sample(
      R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? )"
      R"((-?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?|\+Inf|NaN))");
  const std::regex comment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+)");
  std::istringstream in(text);
  int samples = 0;
  for (std::string line; std::getline(in, line);) {
    if (line[0] == '#') {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 20);
  EXPECT_EQ(text.back(), '\n');
}

TEST_F(MetricsApiTest, DownloadsDeploymentsDatabaseAndProcessAreShown) {
  auto a = load_.acquire(1);
  auto b = load_.acquire(2);
  auto refused = load_.acquire(3);  // both slots taken
  ASSERT_TRUE(a && b && !refused);
  const auto admin = bearer("admin");
  add_release("2.0.0");
  for (const char* serial : {"PF1", "PF2"}) {
    ASSERT_EQ(send("POST", "/api/v1/terminals",
                   std::string(R"({"serial":")") + serial + R"(","model":"A920"})",
                   {{"authorization", admin}})
                  .status,
              201);
    ASSERT_EQ(send("POST", "/api/v1/deployments",
                   std::string(R"({"release":"2.0.0","terminal":")") + serial + "\"}",
                   {{"authorization", admin}})
                  .status,
              201);
  }
  const std::string text = scrape();
  EXPECT_EQ(value(text, "posfleet_downloads_active"), 2) << text;
  EXPECT_EQ(value(text, "posfleet_downloads_max"), 2);
  EXPECT_EQ(value(text, "posfleet_downloads_refused_total"), 1);
  EXPECT_EQ(value(text, "posfleet_deployments{status=\"scheduled\"}"), 2);
  EXPECT_EQ(value(text, "posfleet_deployments{status=\"running\"}"), 0);
  EXPECT_EQ(value(text, "posfleet_deployments{status=\"finished\",result=\"success\"}"), 0);
  EXPECT_EQ(value(text, "posfleet_rollout_terminals{release=\"2.0.0\",state=\"scheduled\"}"), 2);
  EXPECT_EQ(value(text, "posfleet_rollout_terminals{release=\"2.0.0\",state=\"success\"}"), 0);
  EXPECT_EQ(value(text, "posfleet_store_up"), 1);
  EXPECT_GT(value(text, "posfleet_database_size_bytes{file=\"database\"}"), 0);
  EXPECT_GE(value(text, "posfleet_database_size_bytes{file=\"wal\"}"), 0);
  EXPECT_GE(value(text, "posfleet_database_busy_waits_total"), 0);
  EXPECT_GE(value(text, "posfleet_database_busy_timeouts_total"), 0);
  EXPECT_GT(value(text, "process_open_fds"), 2);
  EXPECT_GT(value(text, "process_max_fds"), 0);
  EXPECT_GT(value(text, "process_resident_memory_bytes"), 0);
  EXPECT_GE(value(text, "posfleet_uptime_seconds"), 0);
  EXPECT_GT(value(text, "process_start_time_seconds"), 1.7e9);
}

TEST_F(MetricsApiTest, PollsAreCountedFromTheControllerBase) {
  // Unauthenticated polls are still polls (401): the figure an operator watches.
  EXPECT_EQ(get("/DEFAULT/controller/v1/PF9", "10.0.0.5").status, 401);
  const std::string text = scrape();
  EXPECT_EQ(value(text, "posfleet_ddi_polls_total{status=\"4xx\"}"), 1) << text;
  EXPECT_EQ(value(text, "posfleet_ddi_polls_total{status=\"2xx\"}"), 0);
}

TEST_F(MetricsApiTest, OtherAddressesAreRefused) {
  for (const char* remote : {"10.0.0.5", "192.168.1.1", "2001:db8::1", "::ffff:10.0.0.5"}) {
    auto res = get("/metrics", remote);
    EXPECT_EQ(res.status, 403) << remote;
    EXPECT_EQ(error_code(res), "forbidden");
    EXPECT_NE(res.body.find("--metrics-allow"), std::string::npos);
  }
  EXPECT_EQ(get("/metrics", "::1").status, 200);
}

TEST_F(MetricsApiTest, AProxyOnLoopbackDoesNotOpenTheEndpoint) {
  ctx_->trusted_proxies = {"127.0.0.1"};
  // Through the proxy, the client is the one X-Forwarded-For names.
  auto res = get("/metrics", "127.0.0.1", {{"x-forwarded-for", "203.0.113.9"}});
  EXPECT_EQ(res.status, 403);
  // A client that is itself on loopback, through the proxy, may.
  EXPECT_EQ(get("/metrics", "127.0.0.1", {{"x-forwarded-for", "127.0.0.1"}}).status, 200);
  // A header from a peer that is not the proxy is not believed.
  EXPECT_EQ(get("/metrics", "10.0.0.5", {{"x-forwarded-for", "127.0.0.1"}}).status, 403);
}

class MetricsTokenTest : public MetricsApiTest {
 protected:
  void SetUp() override {
    token_ = "scrape-token-0123456789abcdef";
    MetricsApiTest::SetUp();
  }
};

TEST_F(MetricsTokenTest, ABearerTokenIsRequiredWhenConfigured) {
  auto res = get("/metrics", "127.0.0.1");
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(error_code(res), "unauthorized");
  EXPECT_NE(res.body.find("--metrics-token-file"), std::string::npos);
  EXPECT_EQ(
      get("/metrics", "127.0.0.1", {{"authorization", "Bearer wrong-token-0123456789abcd"}}).status,
      401);
  EXPECT_EQ(get("/metrics", "127.0.0.1", {{"authorization", "Bearer " + token_}}).status, 200);
  // The token does not replace the address rule.
  EXPECT_EQ(get("/metrics", "10.0.0.5", {{"authorization", "Bearer " + token_}}).status, 403);
}

}  // namespace
}  // namespace posfleet::metrics
