// Device identity at the router: enrolment with a CSR, a certificate for an
// enrolled terminal, DDI requests authenticated by the client certificate the
// connection presented (Request::peer_cert, as the TLS listener fills it) or
// a trusted proxy forwarded, revocation and retirement, the fleet setting.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "core/hashing.h"
#include "server/domain/device_ca.h"
#include "server/testing/device_csr.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::api {
namespace {

using posfleet::testing::make_csr;

class DeviceIdentityApiTest : public testing::HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    auto ca = domain::DeviceCa::open_in(dir_.path());
    ASSERT_TRUE(ca) << ca.error().to_string();
    ca_ = std::move(*ca);
    ctx_->device_ca = ca_.get();
    admin_ = bearer("admin");
    auto res = send("POST", "/api/v1/terminals", R"({"serial":"PF1","model":"A920"})",
                    {{"authorization", admin_}});
    ASSERT_EQ(res.status, 201) << res.body;
    token_ = std::string(body_of(res).at("token").as_string());
    res = send("POST", "/api/v1/terminals", R"({"serial":"PF2","model":"A920"})",
               {{"authorization", admin_}});
    ASSERT_EQ(res.status, 201) << res.body;
    other_token_ = std::string(body_of(res).at("token").as_string());
  }

  // A request as the listener hands it over: from `remote`, with the client
  // certificate its connection presented, if any.
  http::Response send_as(const std::string& method, const std::string& path,
                         const std::string& body, std::map<std::string, std::string> headers,
                         const std::optional<http::PeerCertificate>& cert,
                         const std::string& remote = "127.0.0.1") {
    http::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.headers = std::move(headers);
    req.remote = remote;
    req.peer_cert = cert;
    auto m = router_.match(req);
    if (!m.handler) return http::unrouted(req, m);
    return (*m.handler)(req);
  }

  static http::PeerCertificate peer(const std::string& pem) {
    auto f = domain::certificate_facts(pem);
    EXPECT_TRUE(f) << f.error().to_string();
    return http::PeerCertificate{f->subject_cn, f->sha256, f->serial_hex, f->not_after};
  }

  // PF1 (or `serial`) asks for a certificate with its token; the PEM.
  std::string renew(const std::string& serial = "PF1", const std::string& token = "") {
    auto res = send("POST", "/DEFAULT/controller/v1/" + serial + "/posfleet/certificate",
                    bj_csr(make_csr("P-256", serial)),
                    {{"authorization", "TargetToken " + (token.empty() ? token_ : token)}});
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? std::string(body_of(res).at("certificate").as_string()) : "";
  }
  static std::string bj_csr(const std::string& csr) {
    return boost::json::serialize(boost::json::object{{"csr", csr}});
  }

  http::Response poll(const std::string& serial, const std::optional<http::PeerCertificate>& cert,
                      const std::string& token = "") {
    std::map<std::string, std::string> h;
    if (!token.empty()) h["authorization"] = "TargetToken " + token;
    return send_as("GET", "/DEFAULT/controller/v1/" + serial, "", h, cert);
  }

  void token_required(bool required) {
    auto res = send("PUT", "/api/v1/fleet/device-auth",
                    required ? R"({"token_required":true})"
                             : R"({"token_required":false,"reason":"mutual TLS rolled out"})",
                    {{"authorization", admin_}});
    ASSERT_EQ(res.status, 200) << res.body;
  }

  std::unique_ptr<domain::DeviceCa> ca_;
  std::string admin_, token_, other_token_;
};

TEST_F(DeviceIdentityApiTest, EnrolmentWithACsrAnswersTheTerminalsCertificate) {
  const auto t = store_->terminal_by_serial("DEFAULT", "PF1");
  ASSERT_TRUE(t);
  store::ApplicationRecord a;
  a.number = "PA1";
  a.status = "shipped";
  auto app = store_->insert_application(a);
  ASSERT_TRUE(app) << app.error().to_string();
  ASSERT_TRUE(store_->insert_activation({0, sha256_hex("posfleet activation:ABCD2345"), "PF1",
                                         "A920", *app, 0, unix_now() + 3600, 0, unix_now()}));
  auto enrol = [&](const std::string& csr) {
    return send("POST", "/api/v1/public/enroll",
                boost::json::serialize(boost::json::object{
                    {"code", "ABCD-2345"}, {"serial", "PF1"}, {"model", "A920"}, {"csr", csr}}),
                {{"content-type", "application/json"}});
  };
  // A CSR that cannot be used refuses the enrolment and leaves the code unused.
  auto bad = enrol(make_csr("RSA"));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(error_code(bad), "certificate_invalid");
  auto res = enrol(make_csr("P-256"));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = body_of(res).as_object();
  const std::string pem(body.at("certificate").as_string());
  EXPECT_EQ(std::string(body.at("device_ca").as_string()), ca_->cert_pem());
  EXPECT_FALSE(std::string(body.at("token").as_string()).empty());
  auto facts = ca_->verify(pem, unix_now());
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_EQ(facts->subject_cn, "PF1");
  auto list = send("GET", "/api/v1/terminals/PF1/certificates", "", {{"authorization", admin_}});
  ASSERT_EQ(list.status, 200) << list.body;
  const auto listed = body_of(list);
  const auto& certs = listed.at("certificates").as_array();
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(std::string(certs[0].at("fingerprint").as_string()), facts->sha256);
  EXPECT_TRUE(certs[0].at("revoked").is_null());
  const auto audit = *store_->audit_entries(0, 1000);
  EXPECT_EQ(audit.back().action, "terminal.certificate.issue");
}

TEST_F(DeviceIdentityApiTest, TheCertificateStandsInForTheTokenOnlyWhenTheFleetSaysSo) {
  const auto cert = peer(renew());
  // Token required (the default): the certificate alone is not enough.
  auto res = poll("PF1", cert);
  EXPECT_EQ(res.status, 401) << res.body;
  EXPECT_NE(res.body.find("requires the terminal's token"), std::string::npos);
  EXPECT_EQ(poll("PF1", cert, token_).status, 200);
  // An auditor may read the setting but not change it.
  auto denied = send("PUT", "/api/v1/fleet/device-auth", R"({"token_required":false})",
                     {{"authorization", bearer("auditor")}});
  EXPECT_EQ(denied.status, 403) << denied.body;
  token_required(false);
  EXPECT_EQ(poll("PF1", cert).status, 200);
  EXPECT_EQ(poll("PF1", cert, "wrong-token").status, 401);  // a token sent must be right
  EXPECT_EQ(poll("PF1", std::nullopt).status, 401);         // neither: refused
  EXPECT_EQ(poll("PF2", cert).status, 401);                 // another terminal's certificate
  EXPECT_EQ(poll("PF2", cert, other_token_).status, 200);
  // A certificate posfleet did not issue (not on record) proves nothing.
  auto stranger = cert;
  stranger.sha256 = std::string(64, 'a');
  EXPECT_EQ(poll("PF1", stranger).status, 401);
  auto got = send("GET", "/api/v1/fleet/device-auth", "", {{"authorization", bearer("auditor")}});
  ASSERT_EQ(got.status, 200);
  EXPECT_FALSE(body_of(got).at("token_required").as_bool());
  const auto audit = *store_->audit_entries(0, 1000);
  EXPECT_EQ(audit.back().action, "fleet.device_auth");
  EXPECT_EQ(audit.back().reason, "mutual TLS rolled out");
}

TEST_F(DeviceIdentityApiTest, ARevokedCertificateIsRefusedAtTheNextRequestEvenWithItsToken) {
  const auto cert = peer(renew());
  token_required(false);
  ASSERT_EQ(poll("PF1", cert).status, 200);
  auto no_reason = send("POST", "/api/v1/terminals/PF1/certificates/revoke", R"({})",
                        {{"authorization", admin_}});
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  auto not_admin = send("POST", "/api/v1/terminals/PF1/certificates/revoke",
                        R"({"reason":"stolen"})", {{"authorization", bearer("operator")}});
  EXPECT_EQ(not_admin.status, 403) << not_admin.body;
  auto res = send("POST", "/api/v1/terminals/PF1/certificates/revoke",
                  R"({"reason":"stolen from the shop"})", {{"authorization", admin_}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(body_of(res).at("revoked").as_int64(), 1);
  for (const auto& token : {std::string(), token_}) {
    auto refused = poll("PF1", cert, token);
    EXPECT_EQ(refused.status, 401) << refused.body;
    EXPECT_EQ(error_code(refused), "certificate_revoked");
  }
  EXPECT_EQ(poll("PF1", std::nullopt, token_).status, 200);  // its token alone still works
  auto again = send("POST", "/api/v1/terminals/PF1/certificates/revoke", R"({"reason":"x"})",
                    {{"authorization", admin_}});
  EXPECT_EQ(again.status, 409) << again.body;
  auto list = send("GET", "/api/v1/terminals/PF1/certificates", "", {{"authorization", admin_}});
  const auto listed = body_of(list);
  const auto& c = listed.at("certificates").as_array().at(0);
  EXPECT_FALSE(c.at("revoked").is_null());
  EXPECT_EQ(std::string(c.at("revoked_reason").as_string()), "stolen from the shop");
  EXPECT_EQ((*store_->audit_entries(0, 1000)).back().action, "terminal.certificate.revoke");
}

TEST_F(DeviceIdentityApiTest, RetiringATerminalRevokesItsCertificates) {
  const auto cert = peer(renew());
  auto res = send("POST", "/api/v1/terminals/PF1/retire", R"({"reason":"returned"})",
                  {{"authorization", admin_}});
  ASSERT_EQ(res.status, 200) << res.body;
  auto refused = poll("PF1", cert, "");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(error_code(refused), "certificate_revoked");
  auto list = send("GET", "/api/v1/terminals/PF1/certificates", "", {{"authorization", admin_}});
  const auto listed = body_of(list);
  const auto& c = listed.at("certificates").as_array().at(0);
  EXPECT_EQ(std::string(c.at("revoked_reason").as_string()), "retired: returned");
}

TEST_F(DeviceIdentityApiTest, ACertificateIsRenewedOnlyForAProvenTerminalAndAtMostOnceAMinute) {
  auto res = send("POST", "/DEFAULT/controller/v1/PF1/posfleet/certificate",
                  bj_csr(make_csr("P-256")), {{"authorization", "TargetToken " + other_token_}});
  EXPECT_EQ(res.status, 401) << res.body;
  const auto pem = renew();
  ASSERT_FALSE(pem.empty());
  res = send("POST", "/DEFAULT/controller/v1/PF1/posfleet/certificate", bj_csr(make_csr("P-256")),
             {{"authorization", "TargetToken " + token_}});
  EXPECT_EQ(res.status, 429) << res.body;
  res = send("POST", "/DEFAULT/controller/v1/PF2/posfleet/certificate", bj_csr("not a csr"),
             {{"authorization", "TargetToken " + other_token_}});
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(error_code(res), "certificate_invalid");
}

// nginx's $ssl_client_escaped_cert: the PEM, URL-encoded.
std::string escaped(const std::string& pem) {
  std::string out;
  for (unsigned char c : pem) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

TEST_F(DeviceIdentityApiTest, AProxysClientCertHeaderCountsOnlyFromATrustedProxy) {
  const auto pem = renew();
  token_required(false);
  ctx_->trusted_proxies = {"10.0.0.5"};
  const auto path = std::string("/DEFAULT/controller/v1/PF1");
  auto res = send_as("GET", path, "", {{"x-client-cert", escaped(pem)}}, std::nullopt, "10.0.0.5");
  EXPECT_EQ(res.status, 200) << res.body;
  // From anyone else the header is ignored.
  res = send_as("GET", path, "", {{"x-client-cert", escaped(pem)}}, std::nullopt, "10.0.0.9");
  EXPECT_EQ(res.status, 401) << res.body;
  // A header the device CA did not sign, or that is not a certificate, is refused.
  posfleet::testing::TempDir other_dir{"posfleet_other_ca"};
  auto other = domain::DeviceCa::open_in(other_dir.path());
  ASSERT_TRUE(other);
  auto foreign = (*other)->sign(make_csr("P-256"), "PF1", 30, unix_now());
  ASSERT_TRUE(foreign);
  for (const auto& header : {escaped(foreign->pem), std::string("%ZZ"), escaped("garbage")}) {
    res = send_as("GET", path, "", {{"x-client-cert", header}}, std::nullopt, "10.0.0.5");
    EXPECT_EQ(res.status, 400) << res.body;
    EXPECT_EQ(error_code(res), "certificate_invalid");
  }
}

}  // namespace
}  // namespace posfleet::api
