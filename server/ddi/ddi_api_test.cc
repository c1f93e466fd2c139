// The DDI device API at the router: what a terminal sends and what it is
// answered (status, error code, body), on a real SQLite store. Terminals and
// deployments are made through the management API, as an operator would.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "core/hashing.h"
#include "core/json.h"
#include "core/limits.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::ddi {
namespace {

namespace bj = boost::json;

class DdiApiTest : public testing::HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    admin_ = bearer("admin");
    token_ = register_terminal("PF1");
    other_token_ = register_terminal("PF2");
    add_release("2.0.0");
  }

  // Registers a terminal through the API; its DDI token.
  std::string register_terminal(const std::string& serial) {
    auto res = send("POST", "/api/v1/terminals", R"({"serial":")" + serial + R"(","model":"A920"})",
                    {{"authorization", admin_}});
    EXPECT_EQ(res.status, 201) << res.body;
    return std::string(body_of(res).at("token").as_string());
  }

  // Deploys 2.0.0 to `serial` through the API; the action id.
  std::int64_t deploy(const std::string& serial) {
    auto res =
        send("POST", "/api/v1/deployments", R"({"release":"2.0.0","terminal":")" + serial + R"("})",
             {{"authorization", admin_}});
    EXPECT_EQ(res.status, 201) << res.body;
    return body_of(res).at("id").as_int64();
  }

  std::string base(const std::string& serial = "PF1") { return "/DEFAULT/controller/v1/" + serial; }
  std::map<std::string, std::string> as(const std::string& token) {
    return {{"authorization", "TargetToken " + token}};
  }
  http::Response ddi(const std::string& method, const std::string& rest,
                     const std::string& body = "", std::map<std::string, std::string> query = {}) {
    return send(method, base() + rest, body, as(token_), std::move(query));
  }
  http::Response feedback(std::int64_t action, const std::string& body) {
    return ddi("POST", "/deploymentBase/" + std::to_string(action) + "/feedback", body);
  }
  bj::object deployment(std::int64_t id) {
    auto res =
        send("GET", "/api/v1/deployments/" + std::to_string(id), "", {{"authorization", admin_}});
    EXPECT_EQ(res.status, 200) << res.body;
    return body_of(res).as_object();
  }

  std::string admin_, token_, other_token_;
};

TEST_F(DdiApiTest, PollWithItsTokenAnswersTheSleepAndAsksForConfigData) {
  auto res = ddi("GET", "");
  ASSERT_EQ(res.status, 200) << res.body;
  auto body = body_of(res).as_object();
  EXPECT_EQ(body.at("config").at("polling").at("sleep"), "00:01:00");
  // Links start with the external URL, never the request's Host.
  EXPECT_EQ(body.at("_links").at("configData").at("href"),
            "https://fleet.example.com/DEFAULT/controller/v1/PF1/configData");
  EXPECT_FALSE(body.at("_links").as_object().contains("deploymentBase"));
  EXPECT_FALSE(body.contains("posfleet"));  // only for ?posfleet=1
}

// The reply with nothing to do is written straight (ddi_api.cc nothing_to_do): the same bytes
// the JSON serializer makes of the object, with and without the configData link.
TEST_F(DdiApiTest, ThePollWithNothingToDoIsTheSerializersBytes) {
  auto res = ddi("GET", "");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.content_type, "application/json");
  const bj::object asks{
      {"config", bj::object{{"polling", bj::object{{"sleep", "00:01:00"}}}}},
      {"_links",
       bj::object{
           {"configData",
            bj::object{
                {"href", "https://fleet.example.com/DEFAULT/controller/v1/PF1/configData"}}}}}};
  EXPECT_EQ(res.body, json::serialize(asks));
  ASSERT_EQ(ddi("PUT", "/configData", R"({"mode":"merge","data":{"version":"1.0.0"}})").status,
            200);
  res = ddi("GET", "");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, json::serialize(bj::object{
                          {"config", bj::object{{"polling", bj::object{{"sleep", "00:01:00"}}}}}}));
}

TEST_F(DdiApiTest, PollWithAWrongMissingOrMalformedTokenIsUnauthorized) {
  for (const auto& [why, headers] :
       std::vector<std::pair<std::string, std::map<std::string, std::string>>>{
           {"missing", {}},
           {"unknown token", as("not-the-token")},
           {"another terminal's token", as(other_token_)},
           {"another scheme", {{"authorization", "Bearer " + token_}}},
           {"scheme only", {{"authorization", "TargetToken "}}}}) {
    auto res = send("GET", base(), "", headers);
    EXPECT_EQ(res.status, 401) << why << ": " << res.body;
    EXPECT_EQ(error_code(res), "unauthorized") << why;
  }
  // An unknown serial answers exactly as a wrong token does (no probing).
  auto res = send("GET", base("NOPE"), "", as(token_));
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(error_code(res), "unauthorized");
}

TEST_F(DdiApiTest, ARetiredTerminalIsRefused) {
  ASSERT_EQ(ddi("GET", "").status, 200);
  auto retire = send("POST", "/api/v1/terminals/PF1/retire", R"({"reason":"stolen"})",
                     {{"authorization", admin_}});
  ASSERT_EQ(retire.status, 200) << retire.body;
  auto res = ddi("GET", "");
  EXPECT_EQ(res.status, 401) << res.body;
  EXPECT_EQ(error_code(res), "unauthorized");
}

// posfleet's agent sends its health with a poll (docs/health.md): kept as the terminal's latest,
// read back on its page with the conditions the fleet's filters find; a health the server
// refuses is said in the answer and the poll is answered all the same.
TEST_F(DdiApiTest, HealthSentWithAPollIsKeptShownAndFiltered) {
  const std::string sent =
      R"({"battery":9,"charging":false,"storage_free":1073741824,"storage_total":8589934592,)"
      R"("network":"cellular","signal":12,"uptime":5400,"apps":{"os":"1.0.0","payment":"3.2"}})";
  auto poll = ddi("GET", "", "", {{"posfleet", "1"}, {"health", sent}});
  ASSERT_EQ(poll.status, 200) << poll.body;
  EXPECT_EQ(body_of(poll).at("posfleet").at("health"), (bj::object{{"every", 900}}));
  auto page =
      send("GET", "/api/v1/terminals/PF1/health", "", {{"authorization", bearer("auditor")}});
  ASSERT_EQ(page.status, 200) << page.body;
  const auto shown = body_of(page);
  const auto& latest = shown.at("latest");
  EXPECT_EQ(latest.at("battery"), 9);
  EXPECT_EQ(latest.at("network"), "cellular");
  EXPECT_EQ(latest.at("apps").at("payment"), "3.2");
  EXPECT_EQ(latest.at("low_battery"), true);
  EXPECT_EQ(latest.at("weak_signal"), true);
  EXPECT_EQ(latest.at("low_storage"), false);
  EXPECT_EQ(shown.at("history").as_array().size(), 1u);
  // The fleet's filters find it, and only it.
  auto list = [&](std::map<std::string, std::string> q) {
    auto r = send("GET", "/api/v1/terminals", "", {{"authorization", admin_}}, std::move(q));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    const auto listed = body_of(r);
    for (const auto& t : listed.at("terminals").as_array())
      out.emplace_back(t.at("serial").as_string());
    return out;
  };
  EXPECT_EQ(list({{"health", "low_battery"}}), std::vector<std::string>{"PF1"});
  EXPECT_EQ(list({{"health", "low_storage"}}), std::vector<std::string>{});
  EXPECT_EQ(send("GET", "/api/v1/terminals", "", {{"authorization", admin_}},
                 {{"health", "broken' OR 1=1"}})
                .status,
            400);
  // PF2 never polled: not seen for a day; PF1 was just seen.
  EXPECT_EQ(list({{"not_seen_days", "1"}}), std::vector<std::string>{"PF2"});
  EXPECT_EQ(send("GET", "/api/v1/terminals", "", {{"authorization", admin_}},
                 {{"not_seen_days", "1"}, {"online", "false"}})
                .status,
            400);
  // A full report (16 apps with long names and versions) is over the 1,000 characters other
  // query parameters get, and within its own 2,048 bytes.
  std::string apps;
  for (int i = 0; i < 16; ++i)
    apps += (i ? "," : "") + std::string("\"app") + std::to_string(i) + std::string(50, 'x') +
            "\":\"" + std::string(60, '9') + "\"";
  const std::string full = R"({"battery":9,"apps":{)" + apps + "}}";
  ASSERT_GT(full.size(), 1500u);
  auto big = ddi("GET", "", "", {{"posfleet", "1"}, {"health", full}});
  ASSERT_EQ(big.status, 200) << big.body;
  EXPECT_FALSE(body_of(big).at("posfleet").at("health").as_object().contains("refused"));
  EXPECT_EQ(
      ddi("GET", "", "", {{"posfleet", "1"}, {"health", full + std::string(600, ' ')}}).status,
      400);
  // Refused health: the poll still answers, and says why; the latest stays as it was.
  auto bad = ddi("GET", "", "", {{"posfleet", "1"}, {"health", R"({"battery":250})"}});
  ASSERT_EQ(bad.status, 200) << bad.body;
  EXPECT_EQ(body_of(bad).at("posfleet").at("health").at("refused"),
            "health.battery must be a whole number from 0 to 100");
  page = send("GET", "/api/v1/terminals/PF1/health", "", {{"authorization", admin_}},
              {{"days", "30"}});
  EXPECT_EQ(body_of(page).at("latest").at("battery"), 9);
  EXPECT_EQ(
      send("GET", "/api/v1/terminals/PF1/health", "", {{"authorization", admin_}}, {{"days", "31"}})
          .status,
      400);
  EXPECT_EQ(send("GET", "/api/v1/terminals/PF2/health", "", {{"authorization", admin_}}).status,
            200);
  EXPECT_EQ(send("GET", "/api/v1/terminals/NOPE/health", "", {{"authorization", admin_}}).status,
            404);
}

TEST_F(DdiApiTest, DeploymentBaseOfAnOpenActionListsItsArtifacts) {
  const auto id = deploy("PF1");
  // posfleet's agent sees an offer at any hour (a stock client only inside the window).
  auto poll = body_of(ddi("GET", "", "", {{"posfleet", "1"}}));
  EXPECT_EQ(poll.at("posfleet").at("offer").at("version"), "2.0.0");
  const std::string href(poll.at("_links").at("deploymentBase").at("href").as_string());
  EXPECT_EQ(href.rfind("https://fleet.example.com/DEFAULT/controller/v1/PF1/deploymentBase/" +
                           std::to_string(id) + "?c=",
                       0),
            0u)
      << href;
  auto res = ddi("GET", "/deploymentBase/" + std::to_string(id));
  ASSERT_EQ(res.status, 200) << res.body;
  auto body = body_of(res).as_object();
  EXPECT_EQ(body.at("id").as_string(), std::to_string(id));
  const auto& artifact = body.at("deployment").at("chunks").at(0).at("artifacts").at(0);
  EXPECT_EQ(artifact.at("filename"), "os.img");
  EXPECT_EQ(artifact.at("size"), 3);
  // Fetching it moves the action from scheduled to running.
  EXPECT_EQ(deployment(id).at("status"), "running");
}

// A zchunk file is served to anyone (swupdate's delta handler sends no credentials), whole or
// by ranges, but only once a release lists it: the rest of the artifact store stays private.
TEST_F(DdiApiTest, AZchunkFileIsServedByRangesOnlyOnceAReleaseListsIt) {
  const std::string bytes = "0123456789abcdefghij";
  const std::string sha = sha256_hex(bytes), other = sha256_hex("private");
  ASSERT_TRUE(artifacts_->put(sha, bytes));
  ASSERT_TRUE(artifacts_->put(other, "private"));
  ASSERT_TRUE(store_->put_artifact({sha, "s1", "m5", bytes.size()}));
  ASSERT_TRUE(store_->put_artifact({other, "s1", "m5", 7}));
  EXPECT_EQ(send("GET", "/zchunk/" + sha + ".zck").status, 404) << "no release lists it yet";

  add_release("3.0.0");
  const auto release = store_->release_by_version("3.0.0");
  ASSERT_TRUE(release);
  ASSERT_TRUE(store_->add_zchunk_file(release->id, sha));
  auto whole = send("GET", "/zchunk/" + sha + ".zck");
  ASSERT_EQ(whole.status, 200) << whole.body;
  ASSERT_TRUE(whole.file);
  EXPECT_EQ(whole.file->length, bytes.size());

  auto two = send("GET", "/zchunk/" + sha + ".zck", "", {{"range", "bytes=2-4,10-11"}});
  ASSERT_EQ(two.status, 206);
  EXPECT_EQ(two.content_type.rfind("multipart/byteranges; boundary=", 0), 0u) << two.content_type;
  ASSERT_TRUE(two.file);
  ASSERT_EQ(two.file->parts.size(), 2u);
  EXPECT_EQ(two.file->parts[1].offset, 10u);
  EXPECT_NE(two.file->parts[1].head.find("Content-Range: bytes 10-11/20"), std::string::npos);

  auto one = send("GET", "/zchunk/" + sha + ".zck", "", {{"range", "bytes=5-"}});
  ASSERT_EQ(one.status, 206);
  EXPECT_EQ(one.file->offset, 5u);
  EXPECT_EQ(send("GET", "/zchunk/" + sha + ".zck", "", {{"range", "bytes=50-"}}).status, 416);

  std::string upper = sha;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& name : {other + ".zck", sha, sha + ".zc", upper + ".zck",
                                  "../" + sha.substr(3) + ".zck", std::string("x.zck")}) {
    auto r = send("GET", "/zchunk/" + name);
    EXPECT_EQ(r.status, 404) << name;
    EXPECT_EQ(r.body.find("private"), std::string::npos);
  }
}

TEST_F(DdiApiTest, DeploymentBaseOfAnUnknownOrAnotherTerminalsActionIsNotFound) {
  const auto theirs = deploy("PF2");
  for (const std::string& action : {std::to_string(theirs), std::string("999"), std::string("0"),
                                    std::string("-1"), std::string("abc")}) {
    auto res = ddi("GET", "/deploymentBase/" + action);
    EXPECT_EQ(res.status, 404) << action << ": " << res.body;
    EXPECT_EQ(error_code(res), "not_found") << action;
  }
  // The other terminal's action is untouched.
  EXPECT_EQ(deployment(theirs).at("status"), "scheduled");
}

TEST_F(DdiApiTest, FeedbackThatIsNotJsonOrHasWrongTypesIsRefused) {
  const auto id = deploy("PF1");
  struct Case {
    const char* body;
    int status;
    const char* code;
  };
  for (const auto& c : std::vector<Case>{
           {"{", 400, "parse"},
           {"[]", 400, "parse"},
           {"{}", 400, "parse"},
           {R"({"status":"closed"})", 400, "parse"},
           {R"({"status":{"execution":3}})", 400, "parse"},
           {R"({"status":{"execution":"exploded"}})", 400, "invalid_argument"},
           {R"({"status":{"execution":"closed","result":{"finished":"maybe"}}})", 400,
            "invalid_argument"},
       }) {
    auto res = feedback(id, c.body);
    EXPECT_EQ(res.status, c.status) << c.body << ": " << res.body;
    EXPECT_EQ(error_code(res), c.code) << c.body;
  }
  // None of them was recorded.
  EXPECT_EQ(deployment(id).at("history").as_array().size(), 0u);
  EXPECT_EQ(deployment(id).at("status"), "scheduled");
}

TEST_F(DdiApiTest, FeedbackForAnUnknownActionIsNotFoundAndForAnEndedOneGone) {
  auto res = feedback(999, R"({"status":{"execution":"proceeding"}})");
  EXPECT_EQ(res.status, 404) << res.body;
  EXPECT_EQ(error_code(res), "not_found");

  const auto id = deploy("PF1");
  res = feedback(id, R"({"status":{"execution":"proceeding","details":["downloading"]}})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(deployment(id).at("status"), "running");
  res = feedback(id, R"({"status":{"execution":"closed","result":{"finished":"success"}}})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(deployment(id).at("result"), "success");
  res = feedback(id, R"({"status":{"execution":"closed","result":{"finished":"failure"}}})");
  EXPECT_EQ(res.status, 410) << res.body;
  EXPECT_EQ(error_code(res), "gone");
  EXPECT_EQ(deployment(id).at("result"), "success");
}

TEST_F(DdiApiTest, OversizedFeedbackDetailsAreKeptBounded) {
  const auto id = deploy("PF1");
  bj::array lines;
  for (int i = 0; i < 60; ++i) lines.push_back(bj::string(std::string(3000, 'x')));
  lines.push_back(42);  // not a line: skipped
  bj::object fb{{"status", bj::object{{"execution", "proceeding"}, {"details", lines}}}};
  auto res = feedback(id, bj::serialize(fb));
  ASSERT_EQ(res.status, 200) << res.body.substr(0, 300);
  const auto history = deployment(id).at("history").as_array();
  ASSERT_EQ(history.size(), 1u);
  const auto& kept = history.at(0).at("details").as_array();
  ASSERT_EQ(kept.size(), limits::kFeedbackDetailLines);
  for (std::size_t i = 0; i + 1 < kept.size(); ++i)
    EXPECT_LE(kept[i].as_string().size(), limits::kFeedbackDetailChars + 3);  // + "…"
  EXPECT_EQ(kept.back(), "… 11 more lines not kept");
}

TEST_F(DdiApiTest, ConfigDataIsStoredAndItsLimitsAreKept) {
  auto res = ddi("PUT", "/configData", R"({"mode":"merge","data":{"version":"1.0.0"}})");
  ASSERT_EQ(res.status, 200) << res.body;
  // Reported: the poll stops asking, and the version is known.
  EXPECT_FALSE(body_of(ddi("GET", "")).as_object().contains("_links"));
  auto t = send("GET", "/api/v1/terminals/PF1", "", {{"authorization", admin_}});
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_NE(t.body.find(R"("1.0.0")"), std::string::npos) << t.body;

  bj::object many;
  for (std::size_t i = 0; i <= limits::kConfigKeys; ++i) many["k" + std::to_string(i)] = "v";
  struct Case {
    std::string body;
    const char* code;
  };
  for (const auto& c : std::vector<Case>{
           {"{", "parse"},
           {"[]", "parse"},
           {R"({"data":"x"})", "parse"},
           {R"({"mode":"append","data":{}})", "invalid_argument"},
           {bj::serialize(bj::object{{"data", many}}), "invalid_argument"},
           {R"({"data":{")" + std::string(limits::kConfigKeyChars + 1, 'k') + R"(":"v"}})",
            "invalid_argument"},
           {R"({"data":{"k":")" + std::string(limits::kConfigValueChars + 1, 'v') + R"("}})",
            "invalid_argument"},
           {R"({"data":{"k":"a\u0000b"}})", "parse"},
       }) {
    res = ddi("PUT", "/configData", c.body);
    EXPECT_EQ(res.status, 400) << c.body.substr(0, 80) << ": " << res.body;
    EXPECT_EQ(error_code(res), c.code) << c.body.substr(0, 80);
  }
}

TEST_F(DdiApiTest, CancelIsOfferedAndItsFeedbackClosesTheAction) {
  const auto id = deploy("PF1");
  const std::string sid = std::to_string(id);
  ASSERT_EQ(ddi("GET", "/deploymentBase/" + sid).status, 200);  // fetched: now running
  // Not being canceled: nothing to fetch, and cancel feedback is refused.
  auto res = ddi("GET", "/cancelAction/" + sid);
  EXPECT_EQ(res.status, 404) << res.body;
  res = ddi("POST", "/cancelAction/" + sid + "/feedback",
            R"({"status":{"execution":"closed","result":{"finished":"success"}}})");
  EXPECT_EQ(res.status, 410) << res.body;
  EXPECT_EQ(error_code(res), "gone");

  res = send("POST", "/api/v1/deployments/" + sid + "/cancel", "{}", {{"authorization", admin_}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(body_of(res).at("status"), "canceling");
  auto poll = body_of(ddi("GET", ""));
  EXPECT_EQ(poll.at("_links").at("cancelAction").at("href").as_string(),
            "https://fleet.example.com/DEFAULT/controller/v1/PF1/cancelAction/" + sid);
  res = ddi("GET", "/cancelAction/" + sid);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(body_of(res).at("cancelAction").at("stopId").as_string(), sid);
  // The other terminal cannot see or answer it.
  res = send("GET", base("PF2") + "/cancelAction/" + sid, "", as(other_token_));
  EXPECT_EQ(res.status, 404) << res.body;

  res = ddi("POST", "/cancelAction/" + sid + "/feedback", R"({"status":{"execution":7}})");
  EXPECT_EQ(res.status, 400) << res.body;
  res = ddi("POST", "/cancelAction/" + sid + "/feedback",
            R"({"status":{"execution":"closed","result":{"finished":"success"}}})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(deployment(id).at("status"), "canceled");
}

TEST_F(DdiApiTest, QueryAndPathTextMustBeValidUtf8) {
  auto res = ddi("GET", "", "", {{"since", "\xff\xfe"}});
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(error_code(res), "invalid_argument");
  res = send("GET", base("PF\xc3"), "", as(token_));
  EXPECT_EQ(res.status, 400) << res.body;
  // The refused bytes are never echoed: the body is valid JSON.
  EXPECT_TRUE(json::parse(res.body)) << res.body;
}

TEST_F(DdiApiTest, AnUnknownDeviceRouteIs404AndAWrongMethod405) {
  auto res = ddi("GET", "/nothing");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(error_code(res), "not_found");
  res = ddi("DELETE", "");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(error_code(res), "method_not_allowed");
}

}  // namespace
}  // namespace posfleet::ddi
