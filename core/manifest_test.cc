#include "core/manifest.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/hashing.h"

namespace posfleet {
namespace {

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(init_crypto());
    key_ = generate_signing_key();
    other_ = generate_signing_key();
    m_.manifest.version = "2.1.0";
    m_.manifest.expires = unix_now() + 86400;
    m_.manifest.models = {"A920", "A930"};
    m_.manifest.notes_zh = "修复安全问题";
    m_.manifest.notes_en = "Security fixes";
    m_.manifest.components = {{"os", "2.1.0", "os.img", sha256_hex("os"), 2},
                              {"payment-app", "5.0.1", "pay.apk", sha256_hex("pay"), 3}};
  }
  SigningKey key_, other_;
  SignedManifest m_;
};

TEST_F(ManifestTest, SignedEnvelopeRoundTripsAndVerifies) {
  m_.sign(key_);
  auto parsed = SignedManifest::parse(m_.to_json_text());
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->manifest.components[1].name, "payment-app");
  EXPECT_EQ(parsed->manifest.notes_zh, "修复安全问题");
  EXPECT_TRUE(verify_signatures(*parsed, {key_.pub}, 1));
}

TEST_F(ManifestTest, RejectsEachKindOfBadSignature) {
  m_.sign(key_);
  // A trusted key whose signature no longer matches the content.
  std::string text = m_.to_json_text();
  auto pos = text.find("2.1.0");
  text.replace(pos, 5, "2.1.1");
  auto tampered = SignedManifest::parse(text);
  ASSERT_TRUE(tampered);
  EXPECT_EQ(verify_signatures(*tampered, {key_.pub}, 1).error().code, Code::kBadSignature);
  // Only keys the terminal does not know.
  EXPECT_EQ(verify_signatures(m_, {other_.pub}, 1).error().code, Code::kUnknownKey);
  // Valid, but fewer than the threshold.
  EXPECT_EQ(verify_signatures(m_, {key_.pub, other_.pub}, 2).error().code, Code::kTooFewSignatures);
  m_.sign(other_);
  EXPECT_TRUE(verify_signatures(m_, {key_.pub, other_.pub}, 2));
  // The same key twice does not count twice.
  m_.signatures.push_back(m_.signatures.front());
  EXPECT_EQ(verify_signatures(m_, {key_.pub}, 2).error().code, Code::kTooFewSignatures);
}

TEST_F(ManifestTest, FieldsAddedAfterSigningBreakTheSignature) {
  m_.sign(key_);
  std::string text = m_.to_json_text();
  text.replace(text.find("\"signed\":{"), 10, "\"signed\":{\"extra\":1,");
  auto parsed = SignedManifest::parse(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(verify_signatures(*parsed, {key_.pub}, 1).error().code, Code::kBadSignature);
}

TEST_F(ManifestTest, ApplicabilityChecks) {
  const auto now = unix_now();
  EXPECT_TRUE(check_applicable(m_.manifest, "A920", "2.0.9", now));
  EXPECT_TRUE(check_applicable(m_.manifest, "A930", "2.1.0", now));
  EXPECT_EQ(check_applicable(m_.manifest, "A920", "2.0.0", m_.manifest.expires).error().code,
            Code::kExpired);
  EXPECT_EQ(check_applicable(m_.manifest, "S300", "2.0.0", now).error().code, Code::kWrongModel);
  EXPECT_EQ(check_applicable(m_.manifest, "A920", "2.2.0", now).error().code, Code::kDowngrade);
  m_.manifest.rollback = true;
  EXPECT_TRUE(check_applicable(m_.manifest, "A920", "2.2.0", now));
}

TEST_F(ManifestTest, StructuralErrorsAreExplained) {
  for (
      const char* bad : {
          R"({"signatures":[]})",
          R"({"signed":{"type":"other"}})",
          R"({"signed":{"type":"posfleet-release","schema":1,"version":"x","expires":"2030-01-01T00:00:00Z","models":["A"],"components":[]}})",
          R"({"signed":{"type":"posfleet-release","schema":1,"version":"1.0.0","expires":"2030-01-01T00:00:00Z","models":["A"],"components":[{"name":"os","version":"1","filename":"../x","sha256":"00","length":1}]}})",
      }) {
    auto p = SignedManifest::parse(bad);
    EXPECT_FALSE(p) << bad;
  }
}

TEST_F(ManifestTest, ComponentChoiceKeepsMandatoryAndDependencies) {
  m_.manifest.components.push_back({"fonts", "1.0.0", "fonts.bin", sha256_hex("f"), 1});
  m_.manifest.components[0].mandatory = true;     // os
  m_.manifest.components[1].depends = {"fonts"};  // payment-app needs fonts
  m_.sign(key_);
  auto back = SignedManifest::parse(m_.to_json_text());  // the new fields are signed and parsed
  ASSERT_TRUE(back && verify_signatures(*back, {key_.pub}, 1));
  const Manifest& m = back->manifest;
  EXPECT_EQ(*resolve_selection(m, {}), (std::vector<std::string>{"os", "payment-app", "fonts"}));
  EXPECT_EQ(*resolve_selection(m, {"payment-app"}),
            (std::vector<std::string>{"os", "payment-app", "fonts"}));
  EXPECT_EQ(*resolve_selection(m, {"fonts"}), (std::vector<std::string>{"os", "fonts"}));
  EXPECT_EQ(required_because(m, {"payment-app", "fonts"}, "os"), "mandatory");
  EXPECT_EQ(required_because(m, {"payment-app", "fonts"}, "fonts"), "needed by payment-app");
  EXPECT_EQ(required_because(m, {"payment-app", "fonts"}, "payment-app"), "");
  EXPECT_EQ(resolve_selection(m, {"games"}).error().code, Code::kInvalidArgument);
}

TEST(Clock, FormatsAndParsesUtc) {
  EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(*parse_utc("2027-03-01T12:30:05Z"), 1803904205);
  EXPECT_FALSE(parse_utc("2027-03-01 12:30:05"));
  // Only times format_utc writes back the same (a manifest's expiry survives its own text).
  EXPECT_FALSE(parse_utc("0153-02-22T09:52:19Z"));
  EXPECT_FALSE(parse_utc("2027-03-01T-1:30:05Z"));
  EXPECT_EQ(format_utc(*parse_utc("1000-01-01T00:00:00Z")), "1000-01-01T00:00:00Z");
}

}  // namespace
}  // namespace posfleet
