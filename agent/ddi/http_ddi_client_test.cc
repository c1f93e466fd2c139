// HttpDdiClient against a scripted HTTP server (FakeHttpClient): what it
// reads from the server's JSON and what it refuses, and the feedback it
// sends, stamped by its clock.
#include "agent/ddi/http_ddi_client.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/fake_clock.h"
#include "core/fake_http_client.h"
#include "core/json.h"

namespace posfleet::agent {
namespace {

namespace bj = boost::json;

struct DdiRig {
  DdiRig() {
    config.server = "http://srv:8080";
    config.terminal = "PF0001";
    auto c = std::make_unique<FakeHttpClient>();
    auto d = std::make_unique<FakeHttpClient>();
    control = c.get();
    downloads = d.get();
    ddi = std::make_unique<HttpDdiClient>(config, std::move(c), std::move(d), clock);
  }
  void answer(long status, const std::string& body,
              std::map<std::string, std::string> headers = {}) {
    control->on_request = [=](const FakeHttpClient::Sent&) {
      return Expected<HttpResult>(HttpResult{status, body, headers});
    };
  }
  Config config;
  FakeClock clock{1800000000};
  FakeHttpClient* control = nullptr;
  FakeHttpClient* downloads = nullptr;
  std::unique_ptr<HttpDdiClient> ddi;
};

TEST(HttpDdiClient, APollReadsTheIntervalAndTheLinks) {
  DdiRig rig;
  EXPECT_EQ(rig.control->max_reply_bytes, DdiClient::kMaxReplyBytes);
  rig.answer(200, R"({"config": {"polling": {"sleep": "00:05:30"}},
      "_links": {"deploymentBase": {"href": "http://srv:8080/x/deploymentBase/12"},
                 "configData": {"href": "http://srv:8080/x/configData"}},
      "posfleet": {"policy": {"mode": "auto"}}})");
  auto p = rig.ddi->poll(41);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->sleep_seconds, 330);
  EXPECT_EQ(p->deployment_href, "http://srv:8080/x/deploymentBase/12");
  EXPECT_TRUE(p->cancel_href.empty());
  EXPECT_TRUE(p->wants_config_data);
  EXPECT_TRUE(p->posfleet.contains("policy"));
  EXPECT_EQ(rig.control->sent.back().path, "/DEFAULT/controller/v1/PF0001?posfleet=1&since=41");
}

TEST(HttpDdiClient, LinksToAnotherHostAreRefused) {
  DdiRig rig;
  rig.answer(200, R"({"_links": {"cancelAction": {"href": "http://evil:80/cancelAction/1"}}})");
  auto p = rig.ddi->poll();
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Code::kServer);
}

TEST(HttpDdiClient, ABusyServerLeavesItsRetryAfter) {
  DdiRig rig;
  rig.answer(429, R"({"code": "too_many_requests", "message": "slow down"})",
             {{"retry-after", "17"}});
  auto p = rig.ddi->poll();
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Code::kUnavailable);
  EXPECT_EQ(rig.ddi->retry_after_seconds(), 17);
}

TEST(HttpDdiClient, FeedbackCarriesTheStatusAndTheClocksTime) {
  DdiRig rig;
  rig.answer(200, "{}");
  ASSERT_TRUE(rig.ddi->feedback(12, {"closed", "failure", {"it broke"}, 31, 0, 0}));
  const auto& sent = rig.control->sent.back();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.path, "/DEFAULT/controller/v1/PF0001/deploymentBase/12/feedback");
  auto body = json::parse(sent.body);
  ASSERT_TRUE(body);
  const auto& o = body->as_object();
  EXPECT_EQ(o.at("time").as_string(), format_utc(1800000000));
  EXPECT_EQ(o.at("status").at("execution"), "closed");
  EXPECT_EQ(o.at("status").at("result").at("finished"), "failure");
  EXPECT_EQ(o.at("status").at("code"), 31);
  // The action ended on the server already: kConflict, which the report step accepts.
  rig.answer(410, "{}");
  auto gone = rig.ddi->feedback(12, {"closed", "success", {"ok"}, 0, 0, 0});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Code::kConflict);
}

TEST(HttpDdiClient, ATicketRefusedForGoodIsInvalidArgument) {
  DdiRig rig;
  rig.answer(422, R"({"code": "invalid", "message": "no"})");
  auto id = rig.ddi->post_ticket("hello", "1.0.0");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, Code::kInvalidArgument);
  rig.answer(200, R"({"ticket_id": 88})");
  id = rig.ddi->post_ticket("hello", "1.0.0");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, 88);
}

TEST(HttpDdiClient, DownloadsGoOverTheirOwnConnection) {
  DdiRig rig;
  auto r = rig.ddi->download("http://srv:8080/a.img", "/nonexistent/a.part", 10, {}, {}, {});
  EXPECT_FALSE(r);
  EXPECT_TRUE(rig.control->sent.empty());
  EXPECT_EQ(rig.downloads->downloads, std::vector<std::string>{"http://srv:8080/a.img"});
}

constexpr const char* kDeploymentElsewhere = R"({"id": "7", "deployment": {"chunks": [
    {"part": "os", "artifacts": [{"filename": "os.img", "size": 10,
      "_links": {"download-http": {"href": "https://cdn.example/pf/ab/abcd"}}}]}]}})";

TEST(HttpDdiClient, ArtifactsOnAnotherHostAreRefusedWithoutAnAnonymousClient) {
  DdiRig rig;
  rig.answer(200, kDeploymentElsewhere);
  auto d = rig.ddi->deployment("http://srv:8080/x/deploymentBase/7");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Code::kServer);
  EXPECT_FALSE(
      rig.ddi->download("https://cdn.example/pf/ab/abcd", "/nonexistent/a.part", 10, {}, {}, {}));
  EXPECT_TRUE(rig.downloads->downloads.empty()) << "the token never goes to another host";
}

TEST(HttpDdiClient, ArtifactsOnAnotherHostGoOverTheAnonymousClient) {
  Config config;
  config.server = "http://srv:8080";
  config.terminal = "PF0001";
  FakeClock clock{1800000000};
  auto c = std::make_unique<FakeHttpClient>();
  auto d = std::make_unique<FakeHttpClient>();
  auto e = std::make_unique<FakeHttpClient>();
  auto *control = c.get(), *downloads = d.get(), *elsewhere = e.get();
  HttpDdiClient ddi(config, std::move(c), std::move(d), clock, std::move(e));
  control->on_request = [](const FakeHttpClient::Sent&) {
    return Expected<HttpResult>(HttpResult{200, kDeploymentElsewhere, {}});
  };
  auto dep = ddi.deployment("http://srv:8080/x/deploymentBase/7");
  ASSERT_TRUE(dep) << dep.error().message;
  ASSERT_EQ(dep->artifacts.size(), 1u);
  EXPECT_EQ(dep->artifacts[0].href, "https://cdn.example/pf/ab/abcd");
  (void)ddi.download(dep->artifacts[0].href, "/nonexistent/a.part", 10, {}, {}, {});
  (void)ddi.download("http://srv:8080/a.img", "/nonexistent/a.part", 10, {}, {}, {});
  EXPECT_EQ(elsewhere->downloads, std::vector<std::string>{"https://cdn.example/pf/ab/abcd"});
  EXPECT_EQ(downloads->downloads, std::vector<std::string>{"http://srv:8080/a.img"});
}

TEST(HttpDdiClient, ParseSleep) {
  EXPECT_EQ(parse_sleep("01:00:05"), 3605);
  EXPECT_FALSE(parse_sleep("1:60:00"));
  EXPECT_FALSE(parse_sleep("00:00:05x"));
  // A hostile server's hours cannot overflow the seconds (was undefined behaviour).
  EXPECT_FALSE(parse_sleep("2147483647:00:00"));
  EXPECT_FALSE(parse_sleep("596523:00:00"));
  EXPECT_EQ(parse_sleep("596522:59:59"), 596522 * 3600 + 59 * 60 + 59);
}

}  // namespace
}  // namespace posfleet::agent
