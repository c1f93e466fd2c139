// Store conformance: device identity — certificates issued to terminals,
// looked up by fingerprint, listed, revoked; the device authentication setting.
#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {
namespace {

DeviceCertRecord cert(std::int64_t terminal_id, const std::string& fp, std::int64_t issued) {
  return DeviceCertRecord{0, terminal_id, fp, "0A1B", issued, issued + 86400, 0, ""};
}

TEST_P(DevicesConformance, ACertificateIsFoundByItsFingerprint) {
  const auto t = terminal("PF1");
  auto id = store().insert_device_cert(cert(t, "aa11", 100));
  ASSERT_TRUE(id) << id.error().to_string();
  auto c = store().device_cert_by_fingerprint("aa11");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->id, *id);
  EXPECT_EQ(c->terminal_id, t);
  EXPECT_EQ(c->cert_serial, "0A1B");
  EXPECT_EQ(c->issued, 100);
  EXPECT_EQ(c->not_after, 100 + 86400);
  EXPECT_EQ(c->revoked, 0);
  EXPECT_EQ(store().device_cert_by_fingerprint("bb22").error().code, Code::kNotFound);
}

TEST_P(DevicesConformance, AFingerprintIsOnRecordOnce) {
  const auto t = terminal("PF1");
  ASSERT_TRUE(store().insert_device_cert(cert(t, "aa11", 100)));
  auto again = store().insert_device_cert(cert(terminal("PF2"), "aa11", 200));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kConflict);
}

TEST_P(DevicesConformance, ATerminalsCertificatesAreListedNewestFirstAndOnlyItsOwn) {
  const auto t = terminal("PF1"), other = terminal("PF2");
  ASSERT_TRUE(store().insert_device_cert(cert(t, "aa11", 100)));
  ASSERT_TRUE(store().insert_device_cert(cert(other, "cc33", 150)));
  ASSERT_TRUE(store().insert_device_cert(cert(t, "bb22", 200)));
  auto list = store().device_certs_of(t);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].fingerprint, "bb22");
  EXPECT_EQ((*list)[1].fingerprint, "aa11");
}

TEST_P(DevicesConformance, RevokingMarksEveryUnrevokedCertificateOfTheTerminalOnly) {
  const auto t = terminal("PF1"), other = terminal("PF2");
  ASSERT_TRUE(store().insert_device_cert(cert(t, "aa11", 100)));
  ASSERT_TRUE(store().insert_device_cert(cert(t, "bb22", 200)));
  ASSERT_TRUE(store().insert_device_cert(cert(other, "cc33", 150)));
  auto n = store().revoke_device_certs(t, 500, "stolen");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  auto c = store().device_cert_by_fingerprint("aa11");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->revoked, 500);
  EXPECT_EQ(c->revoked_reason, "stolen");
  EXPECT_EQ(store().device_cert_by_fingerprint("cc33")->revoked, 0);
  // Already revoked ones keep when and why they were revoked.
  auto again = store().revoke_device_certs(t, 900, "retired");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(store().device_cert_by_fingerprint("bb22")->revoked_reason, "stolen");
}

TEST_P(DevicesConformance, TheTokenIsRequiredUntilSetOtherwise) {
  auto r = store().device_token_required();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(*r);
  ASSERT_TRUE(store().set_device_token_required(false));
  EXPECT_FALSE(*store().device_token_required());
  ASSERT_TRUE(store().set_device_token_required(true));
  EXPECT_TRUE(*store().device_token_required());
}

TEST_P(DevicesConformance, AnIssueInAFailedTransactionLeavesNoCertificate) {
  const auto t = terminal("PF1");
  auto s = store().transact([&](Tx& tx) -> Status {
    if (auto id = tx.insert_device_cert(cert(t, "aa11", 100)); !id) return id.error();
    return make_error(Code::kInternal, "the audit entry failed");
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(store().device_cert_by_fingerprint("aa11").error().code, Code::kNotFound);
}

}  // namespace
}  // namespace posfleet::store::conformance
