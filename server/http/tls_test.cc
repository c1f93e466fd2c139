// The TLS listener in-process, with certificates made by the `openssl`
// command in a temp dir: a verified client certificate fills
// Request::peer_cert (CN, SHA-256, serial as `openssl x509` prints them); one
// from another CA, or none, leaves it empty and the request is served; files
// that do not belong together are refused with the file named; a reload that
// fails keeps the context in force.
#include "server/http/tls.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/fs.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/testing/temp_dir.h"
#include "server/http/listener.h"

namespace posfleet::http {
namespace {

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A CA and certificates signed by it, all EC P-256, in `dir`.
struct Pki {
  std::string dir;
  explicit Pki(std::string d, const std::string& ca_name = "test CA") : dir(std::move(d)) {
    sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + dir +
       "/ca.key -out " + dir + "/ca.pem -days 3 -subj '/CN=" + ca_name +
       "' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
  }
  void sh(const std::string& command) const {
    ASSERT_EQ(std::system((command + " >/dev/null 2>&1").c_str()), 0) << command;
  }
  std::string ca() const { return dir + "/ca.pem"; }
  // <name>.pem and <name>.key; `usage` is serverAuth or clientAuth.
  void issue(const std::string& name, const std::string& cn, const std::string& usage,
             int serial) const {
    const std::string base = dir + "/" + name;
    sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + base +
       ".key -out " + base + ".csr -subj '/CN=" + cn + "'");
    ASSERT_TRUE(write_file_atomic(base + ".ext", "basicConstraints=CA:FALSE\nextendedKeyUsage=" +
                                                     usage + "\nsubjectAltName=IP:127.0.0.1\n"));
    sh("openssl x509 -req -in " + base + ".csr -CA " + dir + "/ca.pem -CAkey " + dir +
       "/ca.key -set_serial " + std::to_string(serial) + " -days 2 -sha256 -extfile " + base +
       ".ext -out " + base + ".pem");
  }
};

// A listener on 127.0.0.1:0 whose one route answers what it saw of the client.
class TlsListenerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { HttpClient::global_init(); }
  void SetUp() override {
    pki = std::make_unique<Pki>(tmp.path());
    pki->issue("server", "127.0.0.1", "serverAuth", 4096);
    pki->issue("client", "PF-TLS-1", "clientAuth", 4097);
    std::filesystem::create_directory(tmp.path() + "/other");
    other = std::make_unique<Pki>(tmp.path() + "/other", "another CA");
    other->issue("impostor", "PF-TLS-1", "clientAuth", 4098);
    router.add("GET", "/whoami", [](Request& req) {
      boost::json::object o{{"cert", nullptr}};
      if (req.peer_cert)
        o["cert"] = boost::json::object{{"cn", req.peer_cert->subject_cn},
                                        {"sha256", req.peer_cert->sha256},
                                        {"serial", req.peer_cert->serial_hex},
                                        {"not_after", req.peer_cert->not_after}};
      return json_response(200, o);
    });
  }
  void start(TlsFiles files) {
    auto tls = TlsConfig::load(std::move(files));
    ASSERT_TRUE(tls) << tls.error().message;
    ListenerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    o.tls = *tls;
    listener = std::make_unique<Listener>(router, o);
    ASSERT_TRUE(listener->bind());
    thread = std::thread([this] { listener->run(); });
  }
  void TearDown() override {
    if (listener) {
      listener->stop();
      thread.join();
    }
  }
  TlsFiles files(bool client_ca) const {
    TlsFiles f{tmp.path() + "/server.pem", tmp.path() + "/server.key", {}};
    if (client_ca) f.client_cas.push_back(pki->ca());
    return f;
  }
  Expected<boost::json::value> whoami(const std::string& cert = "", const std::string& key = "") {
    TlsClientOptions o;
    o.ca_bundle = pki->ca();
    o.client_cert = cert;
    o.client_key = key;
    CurlHttpClient http("https://127.0.0.1:" + std::to_string(listener->port()), {}, o);
    auto r = http.request("GET", "/whoami");
    if (!r) return r.error();
    EXPECT_EQ(r->status, 200);
    return json::parse(r->body);
  }

  testing::TempDir tmp{"tls_listener"};
  std::unique_ptr<Pki> pki, other;
  Router router;
  std::unique_ptr<Listener> listener;
  std::thread thread;
};

TEST_F(TlsListenerTest, AVerifiedClientCertificateFillsPeerCert) {
  start(files(true));
  auto v = whoami(tmp.path() + "/client.pem", tmp.path() + "/client.key");
  ASSERT_TRUE(v) << v.error().message;
  const auto& cert = v->at("cert");
  ASSERT_TRUE(cert.is_object()) << json::serialize(*v);
  EXPECT_EQ(cert.at("cn").as_string(), "PF-TLS-1");
  EXPECT_EQ(cert.at("serial").as_string(), "1001");  // 4097
  std::string fp =
      run("openssl x509 -in " + tmp.path() + "/client.pem -noout -fingerprint -sha256");
  fp = fp.substr(fp.find('=') + 1);
  std::string hex;
  for (char c : fp)
    if (c != ':') hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(cert.at("sha256").as_string(), hex);
  EXPECT_GT(cert.at("not_after").as_int64(), unix_now());
}

TEST_F(TlsListenerTest, NoCertificateOrAnotherCAsIsServedWithoutPeerCert) {
  start(files(true));
  auto none = whoami();
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->at("cert").is_null());
  auto impostor = whoami(tmp.path() + "/other/impostor.pem", tmp.path() + "/other/impostor.key");
  ASSERT_TRUE(impostor) << impostor.error().message;
  EXPECT_TRUE(impostor->at("cert").is_null());
}

TEST_F(TlsListenerTest, WithoutAClientCANoCertificateIsTaken) {
  start(files(false));
  auto v = whoami(tmp.path() + "/client.pem", tmp.path() + "/client.key");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->at("cert").is_null());
}

TEST_F(TlsListenerTest, AServerCertificateIsNotAClientIdentity) {
  // The server's own certificate (serverAuth only) is not accepted as a client's.
  start(files(true));
  auto v = whoami(tmp.path() + "/server.pem", tmp.path() + "/server.key");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->at("cert").is_null());
}

TEST_F(TlsListenerTest, TheClientRefusesAServerFromAnotherCA) {
  start(files(false));
  TlsClientOptions o;
  o.ca_bundle = other->ca();
  CurlHttpClient http("https://127.0.0.1:" + std::to_string(listener->port()), {}, o);
  auto r = http.request("GET", "/whoami");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnauthorized) << r.error().to_string();
  EXPECT_NE(r.error().message.find("ca_bundle"), std::string::npos) << r.error().message;
}

TEST_F(TlsListenerTest, FilesThatDoNotBelongTogetherAreRefusedAndAReloadKeepsTheOld) {
  TlsFiles wrong{tmp.path() + "/server.pem", tmp.path() + "/client.key", {}};
  auto bad = make_tls_context(wrong);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("client.key"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("not the key of the certificate"), std::string::npos)
      << bad.error().message;
  TlsFiles missing{tmp.path() + "/nothing.pem", tmp.path() + "/server.key", {}};
  EXPECT_FALSE(make_tls_context(missing));

  auto config = TlsConfig::load(files(false));
  ASSERT_TRUE(config);
  auto before = (*config)->current();
  ASSERT_TRUE(write_file_atomic(tmp.path() + "/server.key", "not a key\n"));
  EXPECT_FALSE((*config)->reload());
  EXPECT_EQ((*config)->current(), before);
}

// A certificate made in memory with `cn` as its subject CN (self-signed, EC P-256).
X509* certificate_with_cn(const std::string& cn) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 77);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.data()),
                             static_cast<int>(cn.size()), -1, 0);
  X509_set_issuer_name(cert, name);
  X509_set_pubkey(cert, key);
  X509_sign(cert, key, EVP_sha256());
  EVP_PKEY_free(key);
  return cert;
}

TEST(DescribeCertificate, TakesAPlainCNAndRefusesControlCharactersAndLongOnes) {
  for (const auto& [cn, ok] : {std::pair<std::string, bool>{"PF0001", true},
                               {"终端-7", true},
                               {std::string("PF\x01X"), false},
                               {std::string("PF\nX"), false},
                               {std::string(65, 'A'), false},
                               {std::string("\xff\xfe"), false}}) {
    X509* cert = certificate_with_cn(cn);
    auto d = describe_certificate(cert);
    X509_free(cert);
    EXPECT_EQ(static_cast<bool>(d), ok) << cn;
    if (d) {
      EXPECT_EQ(d->subject_cn, cn);
      EXPECT_EQ(d->serial_hex, "4D");
      EXPECT_EQ(d->sha256.size(), 64u);
    }
  }
}

}  // namespace
}  // namespace posfleet::http
