// The staged-rollout routes at the router: create with preview, the answers' shapes, strict
// bodies, roles, the two-person rule's own refusal, and the kill switch with the overview's
// stopped releases, on a real SQLite store.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "server/domain/rollouts/engine.h"
#include "server/domain/tokens.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::api {
namespace {

class RolloutsApiTest : public testing::HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    alice_ = token("release_manager", "alice");
    bob_ = token("release_manager", "bob");
    add_release("2.0.0");
    for (int i = 0; i < 10; ++i) {
      store::TerminalRecord t;
      t.tenant = "DEFAULT";
      t.serial = "S" + std::to_string(100 + i);
      t.model = "A920";
      t.token_hash = "h" + t.serial;
      t.created = unix_now();
      auto id = store_->insert_terminal(t);
      ASSERT_TRUE(id);
      ASSERT_TRUE(store_->touch_terminal(*id, unix_now()));
      ASSERT_TRUE(store_->set_terminal_group(*id, i < 2 ? "pilot" : "stores"));
    }
  }
  std::string token(const std::string& role, const std::string& name) {
    const std::string t = domain::new_token();
    EXPECT_TRUE(store_->insert_api_token({0, domain::hash_token(t), name, role, 1}));
    return "Bearer " + t;
  }
  http::Response as(const std::string& who, const std::string& method, const std::string& path,
                    const std::string& body = "", std::map<std::string, std::string> query = {}) {
    return send(method, path, body, {{"authorization", who}}, std::move(query));
  }
  std::string alice_, bob_;
  static constexpr const char* kCreate =
      R"({"release":"2.0.0","target":{"filter":{"model":"A920"}},"name":"pilot first",
          "waves":[{"group":"pilot","soak_seconds":0},
                   {"group":"stores","needs_approval":true,"soak_seconds":0}],"reason":"r"})";
};

TEST_F(RolloutsApiTest, PreviewSaysHowManyEachWaveGets) {
  auto res = as(
      alice_, "POST", "/api/v1/rollouts/preview",
      R"({"release":"2.0.0","target":{"group":"pilot"},"waves":[{"percent":50},{"percent":100}]})");
  ASSERT_EQ(res.status, 200) << res.body;
  auto b = body_of(res).as_object();
  EXPECT_EQ(b.at("total"), 2);
  EXPECT_EQ(b.at("waves").as_array()[0].at("terminals"), 1);
  EXPECT_EQ(b.at("waves").as_array()[0].at("percent"), 50);
  EXPECT_TRUE(b.at("waves").as_array()[0].at("groups").is_null());
  for (const char* k :
       {"wrong_model", "already_installed", "mode_never", "offline", "retired", "busy"})
    EXPECT_TRUE(b.at("excluded").as_object().contains(k)) << k;
}

TEST_F(RolloutsApiTest, BodiesAreStrict) {
  for (const char* body :
       {R"({"release":"2.0.0","target":{"group":"pilot"},"waves":[{"percent":50}],"extra":1})",
        R"({"release":"2.0.0","target":{"group":"pilot"},"waves":[{"percent":50,"x":1}]})",
        R"({"release":"2.0.0","target":{"group":"pilot","serials":["A"]},"waves":[{"percent":5}]})",
        R"({"release":"2.0.0","target":{"group":"pilot"},"waves":[{"percent":50},{"percent":10}]})",
        R"({"release":"2.0.0","target":{"group":"pilot"},"waves":[{"percent":500}]})",
        R"({"release":"2.0.0","target":{"group":"pilot"},"waves":[]})",
        R"({"release":"2.0.0","target":{"filter":{"colour":"red"}},"waves":[{"percent":5}]})",
        R"({"release":"2.0.0","target":{"serials":["bad serial"]},"waves":[{"percent":5}]})"}) {
    auto res = as(alice_, "POST", "/api/v1/rollouts", body);
    EXPECT_EQ(res.status, 400) << body << " → " << res.body;
  }
  auto res = as(alice_, "POST", "/api/v1/rollouts",
                R"({"release":"9.9.9","target":{"group":"pilot"},"waves":[{"percent":5}]})");
  EXPECT_EQ(res.status, 404) << res.body;
}

TEST_F(RolloutsApiTest, CreateStartApproveByAnotherAndRead) {
  auto created = as(alice_, "POST", "/api/v1/rollouts", kCreate);
  ASSERT_EQ(created.status, 201) << created.body;
  auto r = body_of(created).as_object();
  EXPECT_EQ(r.at("state"), "draft");
  EXPECT_EQ(r.at("created_by"), "token:alice");
  EXPECT_EQ(r.at("waves").as_array().size(), 2u);
  const std::string id = std::to_string(r.at("id").as_int64());
  const std::string base = "/api/v1/rollouts/" + id;
  auto started = as(alice_, "POST", base + "/start", R"({"reason":"go"})");
  ASSERT_EQ(started.status, 200) << started.body;
  auto s = body_of(started).as_object();
  EXPECT_EQ(s.at("state"), "running");
  EXPECT_EQ(s.at("waves").as_array()[0].at("terminals"), 2);
  EXPECT_EQ(s.at("waves").as_array()[0].at("state"), "running");
  EXPECT_EQ(s.at("waves").as_array()[0].at("counts").at("scheduled"), 2);
  // The pilot terminals succeed; the next wave waits for an approval.
  auto terminals = as(alice_, "GET", base + "/terminals", "", {{"wave", "0"}});
  ASSERT_EQ(terminals.status, 200) << terminals.body;
  auto rows = body_of(terminals).at("terminals").as_array();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    auto d = store_->deployment(row.at("deployment_id").as_int64());
    d->status = store::DeploymentStatus::kFinished;
    d->result = store::DeploymentResult::kSuccess;
    d->phase = store::DeploymentPhase::kSuccess;
    ASSERT_TRUE(store_->update_deployment(*d));
  }
  ASSERT_TRUE(domain::rollouts::advance_rollouts(*ctx_));
  // What the release's downloads sent, against full downloads (a patch saved the rest).
  auto release = store_->release_by_version("2.0.0");
  ASSERT_TRUE(release);
  ASSERT_TRUE(store_->add_release_bytes(release->id, {1200, 50000}));
  auto got = as(bearer("auditor"), "GET", base);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(body_of(got).at("state"), "waiting_approval");
  EXPECT_EQ(body_of(got).at("release_bytes"),
            (boost::json::object{{"sent", 1200}, {"full", 50000}}));
  auto self = as(alice_, "POST", base + "/approve", R"({"reason":"mine"})");
  EXPECT_EQ(self.status, 403);
  EXPECT_EQ(error_code(self), "two_person_rule");
  EXPECT_NE(self.body.find("someone other than token:alice approves"), std::string::npos);
  auto approved = as(bob_, "POST", base + "/approve", R"({"reason":"pilot fine"})");
  ASSERT_EQ(approved.status, 200) << approved.body;
  auto a = body_of(approved).as_object();
  EXPECT_EQ(a.at("state"), "running");
  EXPECT_EQ(a.at("waves").as_array()[1].at("approved_by"), "token:bob");
  EXPECT_EQ(a.at("progress").at("success"), 2);
  auto list = as(alice_, "GET", "/api/v1/rollouts", "", {{"state", "running"}});
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(body_of(list).at("total"), 1);
  EXPECT_EQ(body_of(list).at("rollouts").as_array()[0].at("waves"), 2);
  auto history = as(alice_, "GET", base + "/history");
  ASSERT_EQ(history.status, 200);
  EXPECT_FALSE(body_of(history).at("samples").as_array().empty());
  EXPECT_EQ(as(alice_, "GET", "/api/v1/rollouts", "", {{"state", "bogus"}}).status, 400);
  EXPECT_EQ(as(alice_, "POST", base + "/start", "{}").status, 409);  // not a draft
}

TEST_F(RolloutsApiTest, RolesAreThoseOfTheContract) {
  const auto support = bearer("support"), auditor = bearer("auditor");
  for (const auto& who : {support, auditor}) {
    EXPECT_EQ(as(who, "POST", "/api/v1/rollouts", kCreate).status, 403);
    EXPECT_EQ(as(who, "POST", "/api/v1/releases/2.0.0/stop", R"({"reason":"x"})").status, 403);
    EXPECT_EQ(as(who, "GET", "/api/v1/rollouts").status, 200);
  }
  EXPECT_EQ(as(alice_, "DELETE", "/api/v1/releases/2.0.0/stop", R"({"reason":"x"})").status, 403);
}

TEST_F(RolloutsApiTest, TheKillSwitchStopsAndShowsOnTheOverview) {
  auto created = as(
      alice_, "POST", "/api/v1/rollouts",
      R"({"release":"2.0.0","target":{"group":"pilot"},"waves":[{"percent":100}],"start":true})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(as(alice_, "POST", "/api/v1/releases/2.0.0/stop", "{}").status, 400);  // no reason
  auto stop = as(alice_, "POST", "/api/v1/releases/2.0.0/stop", R"({"reason":"boot loop"})");
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_EQ(body_of(stop).at("rollouts_stopped"), 1);
  EXPECT_EQ(body_of(stop).at("deployments_canceled"), 2);
  auto overview = as(alice_, "GET", "/api/v1/overview");
  ASSERT_EQ(overview.status, 200);
  auto stopped = body_of(overview).at("stopped_releases").as_array();
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].at("version"), "2.0.0");
  EXPECT_EQ(stopped[0].at("reason"), "boot loop");
  auto refused =
      as(alice_, "POST", "/api/v1/deployments", R"({"release":"2.0.0","terminals":["S105"]})");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(error_code(refused), "release_stopped");
  auto admin = bearer("admin");
  EXPECT_EQ(as(admin, "DELETE", "/api/v1/releases/2.0.0/stop", R"({"reason":"fixed"})").status,
            200);
  EXPECT_EQ(as(admin, "DELETE", "/api/v1/releases/2.0.0/stop", R"({"reason":"again"})").status,
            404);
}

}  // namespace
}  // namespace posfleet::api
