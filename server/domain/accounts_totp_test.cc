// Accounts an auditor accepts: TOTP (RFC 6238 vectors, base32), the password
// policy, two-factor log-in through the real routes on real SQLite (a code
// works once, wrong codes are limited, administrators can be required to set
// it up and can reset it), the client address on audit entries, and API
// tokens acting under their own name.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "server/domain/accounts.h"
#include "server/domain/audit.h"
#include "server/domain/totp.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::domain {
namespace {

// RFC 6238 appendix B (SHA-1): the last 6 of its 8-digit codes.
TEST(Totp, MatchesTheRfc6238TestVectors) {
  const std::string secret = "12345678901234567890";
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
      {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}};
  for (auto [time, code] : vectors)
    EXPECT_EQ(totp_code(secret, time / kTotpStepSeconds), code) << "at " << time;
}

TEST(Totp, Base32RoundTripsAndRefusesOtherLetters) {
  EXPECT_EQ(base32_encode("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
            std::optional<std::string>("12345678901234567890"));
  EXPECT_EQ(base32_decode("GEZ1"), std::nullopt) << "1 is not base32";
  const std::string random = new_totp_secret();
  EXPECT_EQ(random.size(), 20u);
  EXPECT_EQ(base32_decode(base32_encode(random)), random);
}

TEST(Totp, AcceptsOneStepOfDriftEachStepOnceAndNothingMalformed) {
  const std::string secret = "12345678901234567890";
  const std::int64_t now = 1800000015, step = now / 30;
  EXPECT_EQ(totp_check(secret, totp_code(secret, step), now, 0), step);
  EXPECT_EQ(totp_check(secret, totp_code(secret, step - 1), now, 0), step - 1);
  EXPECT_EQ(totp_check(secret, totp_code(secret, step + 1), now, 0), step + 1);
  EXPECT_EQ(totp_check(secret, totp_code(secret, step - 2), now, 0), std::nullopt) << "too old";
  EXPECT_EQ(totp_check(secret, totp_code(secret, step + 2), now, 0), std::nullopt);
  EXPECT_EQ(totp_check(secret, totp_code(secret, step), now, step), std::nullopt) << "used";
  EXPECT_EQ(totp_check(secret, totp_code(secret, step - 1), now, step), std::nullopt)
      << "older than the last one used";
  for (const char* bad : {"", "12345", "1234567", "12a456", "１２３４５６"})
    EXPECT_EQ(totp_check(secret, bad, now, 0), std::nullopt) << bad;
}

TEST(Totp, UriNamesIssuerAndAccountEscaped) {
  EXPECT_EQ(otpauth_uri("posfleet", "amy.w", "12345678901234567890"),
            "otpauth://totp/posfleet:amy.w?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=posfleet&algorithm=SHA1&digits=6&period=30");
  EXPECT_NE(otpauth_uri("posfleet", "a b&c", "x").find("a%20b%26c"), std::string::npos);
}

TEST(PasswordPolicy, SaysWhichRuleAPasswordBreaks) {
  auto code = [](const std::string& name, const std::string& pw) {
    auto s = check_password(name, pw);
    return s ? std::string("ok") : s.error().message;
  };
  EXPECT_EQ(code("amy", "correct horse battery"), "ok");
  EXPECT_EQ(code("amy", "密码要足够长一点才能安全使用"), "ok") << "14 characters of Chinese";
  EXPECT_NE(code("amy", "elevenchars").find("at least 12"), std::string::npos);
  EXPECT_NE(code("amy", "密码太短了不行的").find("at least 12"), std::string::npos)
      << "characters, not bytes";
  EXPECT_NE(code("amy", std::string(129, 'x') + "y").find("at most 128"), std::string::npos);
  EXPECT_EQ(code("amy", std::string(127, 'x') + "y"), "ok");
  EXPECT_NE(code("administrator", "Administrator").find("user name"), std::string::npos);
  EXPECT_NE(code("amy", "Password1234").find("too common"), std::string::npos);
  EXPECT_NE(code("amy", "aaaaaaaaaaaaaa").find("repeated"), std::string::npos);
  EXPECT_NE(code("amy", "张张张张张张张张张张张张").find("repeated"), std::string::npos)
      << "one character, not one byte, repeated (as the console's rule)";
  EXPECT_EQ(code("amy", "张张张张张张张张张张张长"), "ok");
  EXPECT_NE(code("amy", "valid start \xff\xfe here").find("UTF-8"), std::string::npos);
  auto s = check_password("amy", "short");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Code::kWeakPassword);
}

class AccountsHandlerTest : public posfleet::testing::HandlerTest {
 protected:
  using Headers = std::map<std::string, std::string>;

  // Failed log-ins are counted per process, by name and address: each test
  // has its own names, and its requests come through a "proxy" from its own address.
  void SetUp() override {
    HandlerTest::SetUp();
    admin_ = bearer("admin");
    ctx_->trusted_proxies = {"127.0.0.1"};
  }

  void add_user(const std::string& name, const std::string& role) {
    auto r = send("POST", "/api/v1/users",
                  R"({"name":")" + name + R"(","role":")" + role + R"(","password":")" + name +
                      R"(-long-password"})",
                  {{"authorization", admin_}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  http::Response log_in(const std::string& name, const std::string& code = "") {
    std::string body = R"({"name":")" + name + R"(","password":")" + name + R"(-long-password")";
    if (!code.empty()) body += R"(,"code":")" + code + "\"";
    return send("POST", "/api/v1/session", body + "}", {{"x-forwarded-for", "192.0.2." + name}});
  }

  // The cookie and CSRF headers of a successful log-in's answer.
  Headers session_of(const http::Response& r) {
    Headers h;
    for (const auto& [k, v] : r.headers)
      if (k == "Set-Cookie") h["cookie"] = v.substr(0, v.find(';'));
    h["x-csrf-token"] = std::string(body_of(r).at("csrf").as_string());
    return h;
  }

  // Sets up TOTP for a logged-in person; returns the secret (raw bytes). The step whose code
  // confirmed it is kept in enrolled_step_: the clock may pass a step boundary before the caller
  // reads it again.
  std::string enrol(const Headers& session) {
    auto begun = send("POST", "/api/v1/session/totp", "", session);
    EXPECT_EQ(begun.status, 200) << begun.body;
    const auto b = body_of(begun).as_object();
    auto secret = base32_decode(std::string(b.at("secret").as_string()));
    EXPECT_TRUE(secret);
    EXPECT_NE(std::string(b.at("uri").as_string()).find("otpauth://totp/posfleet:"),
              std::string::npos);
    enrolled_step_ = unix_now() / 30;
    auto confirmed = send("POST", "/api/v1/session/totp/confirm",
                          R"({"code":")" + totp_code(*secret, enrolled_step_) + "\"}", session);
    EXPECT_EQ(confirmed.status, 200) << confirmed.body;
    return secret ? *secret : "";
  }

  std::vector<AuditEntry> audit() {
    store::AuditQuery q;
    q.limit = 1000;
    return *store_->query_audit(q);
  }

  std::string admin_;
  std::int64_t enrolled_step_ = 0;
};

TEST_F(AccountsHandlerTest, WeakPasswordsAreRefusedWithTheirOwnCode) {
  auto r = send("POST", "/api/v1/users", R"({"name":"amy","role":"auditor","password":"amy"})",
                {{"authorization", admin_}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "weak_password");
  add_user("amy", "auditor");
  r = send("PUT", "/api/v1/users/amy", R"({"password":"password1234"})",
           {{"authorization", admin_}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "weak_password");
}

TEST_F(AccountsHandlerTest, TotpLogInNeedsTheCodeAndEachCodeWorksOnce) {
  add_user("tina", "auditor");
  auto first = log_in("tina");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(body_of(first).at("totp"), false);
  const std::string secret = enrol(session_of(first));

  auto no_code = log_in("tina");
  EXPECT_EQ(no_code.status, 401);
  EXPECT_EQ(error_code(no_code), "totp_required");
  for (const auto& [k, v] : no_code.headers) EXPECT_NE(k, "Set-Cookie") << "no session yet";

  // The set-up's code was used by the confirmation; the next one logs in once.
  const std::int64_t step = enrolled_step_;
  auto used = log_in("tina", totp_code(secret, step));
  EXPECT_EQ(error_code(used), "totp_wrong") << "the code that confirmed the set-up";
  const std::string next = totp_code(secret, step + 1);
  auto ok = log_in("tina", next);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(body_of(ok).at("totp"), true);
  auto again = log_in("tina", next);
  EXPECT_EQ(again.status, 401);
  EXPECT_EQ(error_code(again), "totp_wrong") << "a replayed code";
  EXPECT_EQ(error_code(log_in("tina", "12345")), "totp_wrong");
  EXPECT_EQ(error_code(log_in("tina", "12345678")), "totp_wrong") << "too long: refused unread";

  // Wrong codes count like wrong passwords: the name is blocked, right code or not.
  for (int i = 0; i < 5; ++i) (void)log_in("tina", "000000");
  auto blocked = log_in("tina", totp_code(secret, step - 1));
  EXPECT_EQ(blocked.status, 429);

  bool failed_audited = false;
  for (const auto& e : audit())
    if (e.action == "login.totp_failed" && e.target == "user:tina") failed_audited = true;
  EXPECT_TRUE(failed_audited);
}

TEST_F(AccountsHandlerTest, ASecretIsStoredSealedNeverInTheClear) {
  add_user("sam", "auditor");
  const std::string secret = enrol(session_of(log_in("sam")));
  auto u = store_->user_by_name("sam");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->totp_secret.find(base32_encode(secret)), std::string::npos);
  EXPECT_EQ(u->totp_secret.rfind("s2.", 0), 0u) << "sealed by the secret box";
  EXPECT_EQ(*secrets_->unseal(u->totp_secret), secret);
}

TEST_F(AccountsHandlerTest, RequiredForAdministratorsTheyMaySetItUpAndNothingElse) {
  add_user("root2", "admin");
  add_user("amy", "auditor");
  auto set = send("PUT", "/api/v1/settings/accounts", R"({"totp_required_for_admins":true})",
                  {{"authorization", admin_}});
  ASSERT_EQ(set.status, 200) << set.body;

  auto auditor = session_of(log_in("amy"));
  EXPECT_EQ(send("GET", "/api/v1/audit", "", auditor).status, 200) << "not an administrator";

  auto login = log_in("root2");
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(body_of(login).at("totp_enrol_required"), true);
  auto admin = session_of(login);
  auto refused = send("GET", "/api/v1/users", "", admin);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "totp_enrol_required");
  EXPECT_EQ(send("GET", "/api/v1/session", "", admin).status, 200);
  enrol(admin);
  EXPECT_EQ(send("GET", "/api/v1/users", "", admin).status, 200) << "set up: allowed";
  EXPECT_EQ(body_of(send("GET", "/api/v1/session", "", admin)).at("totp_enrol_required"), false);

  // The setting is the administrators' and is audited.
  EXPECT_EQ(
      send("PUT", "/api/v1/settings/accounts", R"({"totp_required_for_admins":false})", auditor)
          .status,
      403);
  bool audited = false;
  for (const auto& e : audit())
    if (e.action == "settings.totp_required" && e.after == "true") audited = true;
  EXPECT_TRUE(audited);
}

TEST_F(AccountsHandlerTest, AnAdministratorResetsTotpWithAReasonAndTheSessionsEnd) {
  add_user("rex", "auditor");
  auto first = session_of(log_in("rex"));
  const std::string secret = enrol(first);
  auto session = session_of(log_in("rex", totp_code(secret, enrolled_step_ + 1)));
  EXPECT_EQ(send("GET", "/api/v1/session", "", session).status, 200);

  EXPECT_EQ(send("POST", "/api/v1/users/rex/totp/reset", "{}", {{"authorization", admin_}}).status,
            400)
      << "a reason is required";
  EXPECT_EQ(
      send("POST", "/api/v1/users/rex/totp/reset", R"({"reason":"lost phone"})", session).status,
      403)
      << "not by the user";
  auto reset = send("POST", "/api/v1/users/rex/totp/reset", R"({"reason":"lost phone"})",
                    {{"authorization", admin_}});
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(send("GET", "/api/v1/session", "", session).status, 401) << "sessions ended";
  EXPECT_EQ(log_in("rex").status, 200) << "password alone again, until set up anew";
  const auto log = audit();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().action, "login.ok");
  bool reset_audited = false;
  for (const auto& e : log)
    if (e.action == "user.totp_reset" && e.reason == "lost phone" && e.actor == "token:admin-token")
      reset_audited = true;
  EXPECT_TRUE(reset_audited);
}

TEST_F(AccountsHandlerTest, TokensAreNotPeopleAndHaveNoTotp) {
  auto r = send("POST", "/api/v1/session/totp", "", {{"authorization", admin_}});
  EXPECT_EQ(r.status, 403);
}

TEST_F(AccountsHandlerTest, AuditEntriesCarryTheClientAddressAndTheTokensOwnName) {
  auto r = send("PUT", "/api/v1/settings/accounts", R"({"totp_required_for_admins":false})",
                {{"authorization", admin_}, {"x-forwarded-for", "203.0.113.9, 198.51.100.23"}});
  ASSERT_EQ(r.status, 200) << r.body;
  add_user("amy", "auditor");
  ASSERT_EQ(send("POST", "/api/v1/session", R"({"name":"amy","password":"wrong-password-1"})",
                 {{"x-forwarded-for", "192.0.2.44"}})
                .status,
            401);
  const auto log = audit();
  ASSERT_GE(log.size(), 3u);
  const auto& setting = log[log.size() - 3];
  EXPECT_EQ(setting.action, "settings.totp_required");
  EXPECT_EQ(setting.address, "198.51.100.23") << "the last address the proxy added";
  EXPECT_EQ(setting.actor, "token:admin-token") << "the token, not a person";
  EXPECT_EQ(setting.actor_kind, "token");
  EXPECT_EQ(log[log.size() - 2].action, "user.create");
  EXPECT_EQ(log.back().action, "login.failed");
  EXPECT_EQ(log.back().address, "192.0.2.44");
  EXPECT_TRUE(verify_audit(*ctx_)->check.ok);

  // The API shows it, and the chain checks over the API's copy.
  auto listed = send("GET", "/api/v1/audit", "", {{"authorization", admin_}},
                     {{"order", "desc"}, {"limit", "1"}});
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("\"address\":\"192.0.2.44\""), std::string::npos) << listed.body;
}

}  // namespace
}  // namespace posfleet::domain
