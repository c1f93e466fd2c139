// The root of trust through the router on real SQLite: POST /api/v1/roots
// (release managers; root 1 self-signed first, then exactly latest+1 signed by
// the old and the new root keys; audited), the poll's root_version, GET
// .../roots/{version} for terminals, and releases checked at publish against
// the latest root's release keys.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/hashing.h"
#include "core/root.h"
#include "server/testing/handler_fixture.h"

namespace posfleet {
namespace {

class RootsApiTest : public testing::HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    ASSERT_TRUE(init_crypto());
    admin_ = bearer("admin");
    manager_ = bearer("release_manager");
    auditor_ = bearer("auditor");
    for (auto* k : {&root_a_, &root_b_, &rel1_, &rel2_}) *k = generate_signing_key();
    auto res = send("POST", "/api/v1/terminals", R"({"serial":"PF1","model":"A920"})",
                    {{"authorization", admin_}});
    ASSERT_EQ(res.status, 201) << res.body;
    token_ = std::string(body_of(res).at("token").as_string());
  }

  SignedRoot root(std::int64_t version, const SigningKey& release,
                  const std::vector<const SigningKey*>& signers) {
    SignedRoot r;
    r.root.version = version;
    r.root.expires = unix_now() + 86400;
    r.root.root = {{root_a_.pub, root_b_.pub}, 2};
    r.root.release = {{release.pub}, 1};
    for (const auto* k : signers) r.sign(*k);
    return r;
  }
  http::Response publish(const SignedRoot& r, const std::string& who) {
    return send("POST", "/api/v1/roots", r.to_json_text(), {{"authorization", who}});
  }
  http::Response terminal_get(const std::string& rest, std::map<std::string, std::string> q = {}) {
    return send("GET", "/DEFAULT/controller/v1/PF1" + rest, "",
                {{"authorization", "TargetToken " + token_}}, std::move(q));
  }

  std::string admin_, manager_, auditor_, token_;
  SigningKey root_a_, root_b_, rel1_, rel2_;
};

TEST_F(RootsApiTest, ARootChainIsPublishedOneVersionAtATime) {
  const auto v1 = root(1, rel1_, {&root_a_, &root_b_});
  EXPECT_EQ(publish(v1, auditor_).status, 403);
  // Root 2 before root 1, root 1 not self-signed: refused.
  EXPECT_EQ(error_code(publish(root(2, rel1_, {&root_a_, &root_b_}), manager_)), "root_not_next");
  EXPECT_EQ(error_code(publish(root(1, rel1_, {&root_a_}), manager_)), "root_untrusted");
  auto res = publish(v1, manager_);
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(body_of(res).at("version").as_int64(), 1);
  // Again (a replay), a skip, too few signatures: refused with their codes.
  EXPECT_EQ(publish(v1, manager_).status, 409);
  EXPECT_EQ(error_code(publish(v1, manager_)), "root_not_next");
  EXPECT_EQ(error_code(publish(root(3, rel2_, {&root_a_, &root_b_}), manager_)), "root_not_next");
  res = publish(root(2, rel2_, {&root_a_}), manager_);
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(error_code(res), "root_untrusted");
  EXPECT_EQ(error_code(send("POST", "/api/v1/roots", "{\"signed\":", {{"authorization", admin_}})),
            "parse");
  ASSERT_EQ(publish(root(2, rel2_, {&root_a_, &root_b_}), manager_).status, 201);

  // The audit log names it.
  auto audit = send("GET", "/api/v1/audit", "", {{"authorization", admin_}});
  EXPECT_NE(audit.body.find("root.publish"), std::string::npos) << audit.body;
}

TEST_F(RootsApiTest, TerminalsLearnTheLatestVersionAndFetchEachRoot) {
  auto poll = body_of(terminal_get("", {{"posfleet", "1"}}));
  EXPECT_FALSE(poll.at("posfleet").as_object().contains("root_version"));
  const auto v1 = root(1, rel1_, {&root_a_, &root_b_});
  ASSERT_EQ(publish(v1, manager_).status, 201);
  ASSERT_EQ(publish(root(2, rel2_, {&root_a_, &root_b_}), manager_).status, 201);
  poll = body_of(terminal_get("", {{"posfleet", "1"}}));
  EXPECT_EQ(poll.at("posfleet").at("root_version").as_int64(), 2);
  auto one = terminal_get("/roots/1");
  ASSERT_EQ(one.status, 200) << one.body;
  auto parsed = SignedRoot::parse(one.body);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_TRUE(check_self_signed(*parsed));
  EXPECT_EQ(parsed->signed_bytes(), v1.signed_bytes());
  EXPECT_EQ(terminal_get("/roots/3").status, 404);
  for (const char* bad : {"0", "-1", "1x", "99999999999999999", "01"})
    EXPECT_EQ(terminal_get(std::string("/roots/") + bad).status, 400) << bad;
  // Without the terminal's token: refused.
  EXPECT_EQ(send("GET", "/DEFAULT/controller/v1/PF1/roots/1").status, 401);
}

TEST_F(RootsApiTest, ReleasesAreCheckedAgainstTheLatestRootsReleaseKeys) {
  ASSERT_TRUE(store_->put_artifact({sha256_hex("os"), "s1", "m5", 2}));
  ASSERT_TRUE(artifacts_->init());
  auto manifest = [&](const std::string& version, const SigningKey& key) {
    SignedManifest m;
    m.manifest.version = version;
    m.manifest.expires = unix_now() + 86400;
    m.manifest.models = {"A920"};
    m.manifest.sequence = 5;
    m.manifest.components = {{"os", version, "os.img", sha256_hex("os"), 2}};
    m.sign(key);
    return m.to_json_text();
  };
  ASSERT_EQ(publish(root(1, rel1_, {&root_a_, &root_b_}), manager_).status, 201);
  ASSERT_EQ(publish(root(2, rel2_, {&root_a_, &root_b_}), manager_).status, 201);
  auto res =
      send("POST", "/api/v1/releases", manifest("3.0.0", rel1_), {{"authorization", manager_}});
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(error_code(res), "unknown_key");
  EXPECT_NE(res.body.find("root 2"), std::string::npos) << res.body;
}

}  // namespace
}  // namespace posfleet
