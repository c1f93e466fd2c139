#include "server/domain/device_ca.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/clock.h"
#include "core/fs.h"
#include "core/testing/temp_dir.h"
#include "server/testing/device_csr.h"

namespace posfleet::domain {
namespace {

using posfleet::testing::make_csr;

class DeviceCaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = DeviceCa::open_in(dir_.path());
    ASSERT_TRUE(ca) << ca.error().to_string();
    ca_ = std::move(*ca);
  }
  posfleet::testing::TempDir dir_{"posfleet_device_ca"};
  std::unique_ptr<DeviceCa> ca_;
};

TEST_F(DeviceCaTest, IsCreatedOnceWithAPrivateKeyAndLoadedAfterwards) {
  struct stat st {};
  ASSERT_EQ(::stat(dir_.file("device-ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = DeviceCa::open_in(dir_.path());
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ((*again)->cert_pem(), ca_->cert_pem());
  EXPECT_EQ((*again)->cert_file(), dir_.file("device-ca.crt"));
}

TEST_F(DeviceCaTest, ACertificateWithoutItsKeyIsRefusedNotReplaced) {
  std::filesystem::remove(dir_.file("device-ca.key"));
  auto ca = DeviceCa::open_in(dir_.path());
  ASSERT_FALSE(ca);
  EXPECT_NE(ca.error().message.find("device-ca.key is missing"), std::string::npos);
}

TEST_F(DeviceCaTest, AKeyOfAnotherCertificateIsRefused) {
  posfleet::testing::TempDir other{"posfleet_device_ca_other"};
  ASSERT_TRUE(DeviceCa::open_in(other.path()));
  auto ca = DeviceCa::load(dir_.file("device-ca.crt"), other.file("device-ca.key"));
  ASSERT_FALSE(ca);
  EXPECT_EQ(ca.error().code, Code::kCertificateInvalid);
}

TEST_F(DeviceCaTest, SignsAP256OrEd25519CsrForTheSerialAndVerifiesWhatItSigned) {
  const auto now = unix_now();
  for (const char* type : {"P-256", "ED25519"}) {
    // The CSR's own subject is not taken: the certificate names the serial.
    auto c = ca_->sign(make_csr(type, "SOMEONE-ELSE"), "PF1", 30, now);
    ASSERT_TRUE(c) << type << ": " << c.error().to_string();
    EXPECT_EQ(c->facts.subject_cn, "PF1");
    EXPECT_EQ(c->facts.sha256.size(), 64u);
    EXPECT_NEAR(static_cast<double>(c->facts.not_after), static_cast<double>(now + 30 * 86400), 2);
    auto v = ca_->verify(c->pem, now);
    ASSERT_TRUE(v) << v.error().to_string();
    EXPECT_EQ(v->sha256, c->facts.sha256);
    EXPECT_EQ(v->serial_hex, c->facts.serial_hex);
    EXPECT_EQ(certificate_facts(c->pem)->sha256, c->facts.sha256);
  }
}

TEST_F(DeviceCaTest, RefusesCsrsThatCannotBeUsed) {
  const auto now = unix_now();
  struct Case {
    std::string name, csr;
  } cases[] = {
      {"rsa key", make_csr("RSA")},
      {"p-384 key", make_csr("P-384")},
      {"signature does not verify", make_csr("P-256", "PF1", true)},
      {"not pem", "hello"},
      {"empty", ""},
      {"too large", std::string(kMaxCsrBytes + 1, 'A')},
  };
  for (const auto& c : cases) {
    auto r = ca_->sign(c.csr, "PF1", 30, now);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().code, Code::kCertificateInvalid) << c.name;
  }
  EXPECT_FALSE(ca_->sign(make_csr("P-256"), "PF1", 0, now));
}

TEST_F(DeviceCaTest, RefusesACertificateOfAnotherCaOrPastItsValidity) {
  const auto now = unix_now();
  auto c = ca_->sign(make_csr("P-256"), "PF1", 1, now);
  ASSERT_TRUE(c);
  EXPECT_EQ(ca_->verify(c->pem, now + 2 * 86400).error().code, Code::kCertificateInvalid);
  posfleet::testing::TempDir other_dir{"posfleet_device_ca_other"};
  auto other = DeviceCa::open_in(other_dir.path());
  ASSERT_TRUE(other);
  auto foreign = (*other)->sign(make_csr("P-256"), "PF1", 30, now);
  ASSERT_TRUE(foreign);
  auto v = ca_->verify(foreign->pem, now);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Code::kCertificateInvalid);
  EXPECT_EQ(ca_->verify("garbage", now).error().code, Code::kCertificateInvalid);
  // A CA certificate is not a client certificate.
  EXPECT_FALSE(ca_->verify(ca_->cert_pem(), now));
}

}  // namespace
}  // namespace posfleet::domain
