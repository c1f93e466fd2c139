// The management API at the router: who may call it (authentication, roles),
// how an unknown route differs from a wrong method, and the answers of the
// terminal and deployment routes, on a real SQLite store.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <tuple>
#include <utility>

#include "server/testing/handler_fixture.h"

namespace posfleet::api {
namespace {

class ManagementApiTest : public testing::HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    admin_ = bearer("admin");
  }
  http::Response as(const std::string& who, const std::string& method, const std::string& path,
                    const std::string& body = "") {
    return send(method, path, body, {{"authorization", who}});
  }
  std::string admin_;
};

TEST_F(ManagementApiTest, HealthzNeedsNoAuthentication) {
  auto res = send("GET", "/healthz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"status":"ok"})");
}

TEST_F(ManagementApiTest, WithoutValidCredentialsEveryRouteIsUnauthorized) {
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/terminals"},
           {"POST", "/api/v1/terminals"},
           {"GET", "/api/v1/deployments/1"},
           {"POST", "/api/v1/deployments"},
           {"GET", "/api/v1/releases"},
           {"PUT", "/api/v1/artifacts/" + std::string(64, 'a')}}) {
    for (const auto& headers : std::vector<std::map<std::string, std::string>>{
             {},
             {{"authorization", "Bearer not-a-token"}},
             {{"authorization", "Basic YWRtaW46YWRtaW4="}},
             {{"cookie", "posfleet_session=not-a-session"}}}) {
      auto res = send(method, path, "{}", headers);
      EXPECT_EQ(res.status, 401) << method << " " << path << ": " << res.body;
      EXPECT_EQ(error_code(res), "unauthorized") << method << " " << path;
    }
  }
}

TEST_F(ManagementApiTest, ARoleMayOnlyDoWhatItIsAllowed) {
  const auto auditor = bearer("auditor"), support = bearer("support"),
             release_manager = bearer("release_manager");
  const std::string terminal = R"({"serial":"PF1","model":"A920"})";
  for (const auto& who : {auditor, support}) {
    auto res = as(who, "POST", "/api/v1/terminals", terminal);
    EXPECT_EQ(res.status, 403) << res.body;
    EXPECT_EQ(error_code(res), "forbidden");
    EXPECT_EQ(as(who, "GET", "/api/v1/terminals").status, 200);  // everyone reads
  }
  // Refused before anything is written.
  EXPECT_EQ(body_of(as(admin_, "GET", "/api/v1/terminals")).at("total"), 0);
  EXPECT_EQ(as(release_manager, "POST", "/api/v1/terminals", terminal).status, 201);
  // Retiring is the administrator's alone.
  auto res = as(release_manager, "POST", "/api/v1/terminals/PF1/retire", R"({"reason":"x"})");
  EXPECT_EQ(res.status, 403) << res.body;
  EXPECT_EQ(error_code(res), "forbidden");
}

TEST_F(ManagementApiTest, AnUnknownRouteIsNotFoundAndAWrongMethodNotAllowed) {
  for (const auto& headers :
       std::vector<std::map<std::string, std::string>>{{}, {{"authorization", admin_}}}) {
    // Routing comes before authentication, as in the listener.
    auto res = send("GET", "/api/v1/nothing", "", headers);
    EXPECT_EQ(res.status, 404) << res.body;
    EXPECT_EQ(error_code(res), "not_found");
    res = send("DELETE", "/api/v1/terminals", "", headers);
    EXPECT_EQ(res.status, 405) << res.body;
    EXPECT_EQ(error_code(res), "method_not_allowed");
    res = send("PUT", "/api/v1/deployments/1", "{}", headers);
    EXPECT_EQ(res.status, 405) << res.body;
    // No console files are served for API paths.
    res = send("GET", "/api/v2/terminals", "", headers);
    EXPECT_EQ(res.status, 404) << res.body;
  }
}

TEST_F(ManagementApiTest, RegisteringATerminalAnswersItsTokenOnceAndRefusesADuplicate) {
  auto res = as(admin_, "POST", "/api/v1/terminals", R"({"serial":"PF1","model":"A920"})");
  ASSERT_EQ(res.status, 201) << res.body;
  auto body = body_of(res).as_object();
  EXPECT_EQ(body.at("serial"), "PF1");
  EXPECT_FALSE(body.at("token").as_string().empty());
  res = as(admin_, "GET", "/api/v1/terminals/PF1");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body.find(std::string(body.at("token").as_string())), std::string::npos);
  res = as(admin_, "POST", "/api/v1/terminals", R"({"serial":"PF1","model":"A920"})");
  EXPECT_EQ(res.status, 409) << res.body;
  EXPECT_EQ(error_code(res), "conflict");
}

TEST_F(ManagementApiTest, TheListPagesByOffsetFromEitherEndOrAfterAndBeforeASerial) {
  for (int i = 0; i < 9; ++i)
    ASSERT_EQ(as(admin_, "POST", "/api/v1/terminals",
                 R"({"serial":"PL)" + std::to_string(i) + R"(","model":"A920"})")
                  .status,
              201);
  const auto page = [&](std::map<std::string, std::string> query) {
    auto res = send("GET", "/api/v1/terminals", "", {{"authorization", admin_}}, query);
    EXPECT_EQ(res.status, 200) << res.body;
    auto body = body_of(res).as_object();
    std::string serials;
    for (const auto& row : body.at("terminals").as_array())
      serials += std::string(row.at("serial").as_string()) + " ";
    EXPECT_EQ(body.at("total"), 9);
    return std::pair{serials, body};
  };
  // An offset before the middle walks from the start, one past it from the end: the same rows.
  EXPECT_EQ(page({{"offset", "2"}, {"limit", "3"}}).first, "PL2 PL3 PL4 ");
  EXPECT_EQ(page({{"offset", "5"}, {"limit", "3"}}).first, "PL5 PL6 PL7 ");
  EXPECT_EQ(page({{"offset", "7"}, {"limit", "3"}}).first, "PL7 PL8 ");
  EXPECT_EQ(page({{"offset", "8"}, {"limit", "1"}}).first, "PL8 ");
  EXPECT_EQ(page({{"offset", "9"}, {"limit", "3"}}).first, "");
  // Keyset pages: the answer names the next and the previous.
  auto [rows, body] = page({{"limit", "4"}});
  EXPECT_EQ(rows, "PL0 PL1 PL2 PL3 ");
  EXPECT_EQ(body.at("next_after"), "PL3");
  std::tie(rows, body) = page({{"limit", "4"}, {"after", "PL3"}});
  EXPECT_EQ(rows, "PL4 PL5 PL6 PL7 ");
  EXPECT_EQ(body.at("prev_before"), "PL4");
  std::tie(rows, body) =
      page({{"limit", "4"}, {"after", std::string(body.at("next_after").as_string())}});
  EXPECT_EQ(rows, "PL8 ");
  std::tie(rows, body) = page({{"limit", "4"}, {"before", "PL4"}});
  EXPECT_EQ(rows, "PL0 PL1 PL2 PL3 ");
  std::tie(rows, body) = page({{"limit", "4"}, {"after", "PL8"}});
  EXPECT_EQ(rows, "");
  EXPECT_FALSE(body.contains("next_after"));
}

TEST_F(ManagementApiTest, DeploymentsAreCreatedListedAndCanceled) {
  add_release("2.0.0");
  ASSERT_EQ(as(admin_, "POST", "/api/v1/terminals", R"({"serial":"PF1","model":"A920"})").status,
            201);
  auto res = as(admin_, "POST", "/api/v1/deployments", R"({"release":"9.9.9","terminal":"PF1"})");
  EXPECT_EQ(res.status, 404) << res.body;
  EXPECT_EQ(error_code(res), "not_found");
  res = as(admin_, "POST", "/api/v1/deployments", R"({"release":"2.0.0","terminal":"NOPE"})");
  EXPECT_EQ(res.status, 404) << res.body;

  res = as(admin_, "POST", "/api/v1/deployments", R"({"release":"2.0.0","terminal":"PF1"})");
  ASSERT_EQ(res.status, 201) << res.body;
  const auto id = body_of(res).at("id").as_int64();
  EXPECT_EQ(body_of(res).at("status"), "scheduled");
  // One open deployment per terminal.
  res = as(admin_, "POST", "/api/v1/deployments", R"({"release":"2.0.0","terminal":"PF1"})");
  EXPECT_EQ(res.status, 409) << res.body;

  res = as(admin_, "GET", "/api/v1/deployments");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(body_of(res).at("total"), 1);
  res = as(admin_, "GET", "/api/v1/deployments/" + std::to_string(id));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(body_of(res).at("terminal"), "PF1");

  // Never fetched by the terminal: canceled at once. Then it has ended.
  res = as(admin_, "POST", "/api/v1/deployments/" + std::to_string(id) + "/cancel", "{}");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(body_of(res).at("status"), "canceled");
  res = as(admin_, "POST", "/api/v1/deployments/" + std::to_string(id) + "/cancel", "{}");
  EXPECT_EQ(res.status, 409) << res.body;
  res = as(admin_, "POST", "/api/v1/deployments/999/cancel", "{}");
  EXPECT_EQ(res.status, 404) << res.body;
}

}  // namespace
}  // namespace posfleet::api
