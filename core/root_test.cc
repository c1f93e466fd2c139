#include "core/root.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/hashing.h"

namespace posfleet {
namespace {

class RootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(init_crypto());
    for (auto* k : {&r1a_, &r1b_, &r2a_, &r2b_, &rel1_, &rel2_}) *k = generate_signing_key();
    v1_ = make(1, {r1a_, r1b_}, 2, {rel1_});
    v1_.sign(r1a_);
    v1_.sign(r1b_);
  }

  SignedRoot make(std::int64_t version, const std::vector<SigningKey>& roots, int threshold,
                  const std::vector<SigningKey>& releases) {
    SignedRoot r;
    r.root.version = version;
    r.root.expires = unix_now() + 86400;
    for (const auto& k : roots) r.root.root.keys.push_back(k.pub);
    r.root.root.threshold = threshold;
    for (const auto& k : releases) r.root.release.keys.push_back(k.pub);
    r.root.release.threshold = 1;
    return r;
  }

  SignedManifest release_signed_by(const SigningKey& key) {
    SignedManifest m;
    m.manifest.version = "2.0.0";
    m.manifest.expires = unix_now() + 86400;
    m.manifest.models = {"A920"};
    m.manifest.components = {{"os", "2.0.0", "os.img", sha256_hex("os"), 2}};
    m.sign(key);
    return m;
  }

  SigningKey r1a_, r1b_, r2a_, r2b_, rel1_, rel2_;
  SignedRoot v1_;
};

TEST_F(RootTest, EnvelopeRoundTripsAndIsSelfSigned) {
  auto parsed = SignedRoot::parse(v1_.to_json_text());
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->root.version, 1);
  EXPECT_EQ(parsed->root.root.threshold, 2);
  ASSERT_EQ(parsed->root.release.keys.size(), 1u);
  EXPECT_EQ(parsed->root.release.keys[0].key_id, rel1_.pub.key_id);
  EXPECT_TRUE(check_self_signed(*parsed));
  EXPECT_EQ(parsed->to_json_text(), v1_.to_json_text());
}

TEST_F(RootTest, ThresholdSigningOnSeveralMachinesAddsUp) {
  SignedRoot v2 = make(2, {r2a_, r2b_}, 2, {rel2_});
  v2.sign(r1a_);
  // Machine two reads the file machine one wrote and adds its signatures.
  auto there = SignedRoot::parse(v2.to_json_text());
  ASSERT_TRUE(there);
  EXPECT_EQ(check_next_root(v1_.root, *there).error().code, Code::kRootUntrusted);
  there->sign(r1b_);
  there->sign(r2a_);
  there->sign(r2b_);
  auto back = SignedRoot::parse(there->to_json_text());
  ASSERT_TRUE(back);
  EXPECT_TRUE(check_next_root(v1_.root, *back));
}

TEST_F(RootTest, RotationOfRootAndReleaseKeysIsAccepted) {
  SignedRoot v2 = make(2, {r2a_, r2b_}, 2, {rel2_});
  for (const auto& k : {r1a_, r1b_, r2a_, r2b_}) v2.sign(k);
  auto walked = walk_roots(v1_.root, {v2});
  ASSERT_TRUE(walked) << walked.error().to_string();
  EXPECT_EQ(walked->version, 2);
  // Root 3 now needs root 2's keys; root 1's keys alone no longer do.
  SignedRoot v3 = make(3, {r2a_, r2b_}, 2, {rel2_});
  for (const auto& k : {r1a_, r1b_}) v3.sign(k);
  EXPECT_EQ(check_next_root(*walked, v3).error().code, Code::kRootUntrusted);
  for (const auto& k : {r2a_, r2b_}) v3.sign(k);
  EXPECT_TRUE(check_next_root(*walked, v3));
}

TEST_F(RootTest, RevokedReleaseKeyNoLongerVerifiesAReleaseUnderTheNewRoot) {
  auto old_release = release_signed_by(rel1_);
  EXPECT_TRUE(verify_release(old_release, v1_.root));
  SignedRoot v2 = make(2, {r1a_, r1b_}, 2, {rel2_});  // rel1 revoked
  for (const auto& k : {r1a_, r1b_}) v2.sign(k);
  auto walked = walk_roots(v1_.root, {v2});
  ASSERT_TRUE(walked);
  EXPECT_EQ(verify_release(old_release, *walked).error().code, Code::kUnknownKey);
  EXPECT_TRUE(verify_release(release_signed_by(rel2_), *walked));
}

TEST_F(RootTest, SignedOnlyByTheNewKeysIsRefused) {
  SignedRoot v2 = make(2, {r2a_, r2b_}, 2, {rel2_});
  for (const auto& k : {r2a_, r2b_}) v2.sign(k);
  auto s = check_next_root(v1_.root, v2);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Code::kRootUntrusted);
  EXPECT_NE(s.error().message.find("trusted root 1"), std::string::npos) << s.error().message;
}

TEST_F(RootTest, SignedOnlyByTheOldKeysIsRefused) {
  SignedRoot v2 = make(2, {r2a_, r2b_}, 2, {rel2_});
  for (const auto& k : {r1a_, r1b_}) v2.sign(k);
  auto s = check_next_root(v1_.root, v2);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Code::kRootUntrusted);
  EXPECT_NE(s.error().message.find("its own root keys"), std::string::npos) << s.error().message;
  v2.sign(r2a_);  // one of two new keys: still below the new threshold
  EXPECT_EQ(check_next_root(v1_.root, v2).error().code, Code::kRootUntrusted);
}

TEST_F(RootTest, OneKeySigningTwiceCountsOnce) {
  SignedRoot v2 = make(2, {r1a_, r1b_}, 2, {rel2_});
  v2.sign(r1a_);
  v2.signatures.push_back(v2.signatures.front());
  EXPECT_EQ(check_next_root(v1_.root, v2).error().code, Code::kRootUntrusted);
}

TEST_F(RootTest, SkippedVersionIsRefused) {
  SignedRoot v3 = make(3, {r1a_, r1b_}, 2, {rel1_});
  for (const auto& k : {r1a_, r1b_}) v3.sign(k);
  auto s = check_next_root(v1_.root, v3);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Code::kRootNotNext);
  EXPECT_NE(s.error().message.find("skips"), std::string::npos);
}

TEST_F(RootTest, RollbackAndReplayAreRefused) {
  SignedRoot v2 = make(2, {r1a_, r1b_}, 2, {rel2_});
  for (const auto& k : {r1a_, r1b_}) v2.sign(k);
  auto walked = walk_roots(v1_.root, {v2});
  ASSERT_TRUE(walked);
  EXPECT_EQ(check_next_root(*walked, v1_).error().code, Code::kRootNotNext);  // rollback
  EXPECT_EQ(check_next_root(*walked, v2).error().code, Code::kRootNotNext);   // replay
}

TEST_F(RootTest, ExpiredRootIsAStepButNotAnEnd) {
  SignedRoot v2 = make(2, {r1a_, r1b_}, 2, {rel2_});
  v2.root.expires = unix_now() - 10;
  for (const auto& k : {r1a_, r1b_}) v2.sign(k);
  SignedRoot v3 = make(3, {r1a_, r1b_}, 2, {rel2_});
  for (const auto& k : {r1a_, r1b_}) v3.sign(k);
  auto to2 = walk_roots(v1_.root, {v2});
  ASSERT_TRUE(to2);
  EXPECT_EQ(check_root_fresh(*to2, unix_now()).error().code, Code::kExpired);
  auto to3 = walk_roots(v1_.root, {v2, v3});
  ASSERT_TRUE(to3) << to3.error().to_string();
  EXPECT_TRUE(check_root_fresh(*to3, unix_now()));
}

TEST_F(RootTest, WalkStopsAtTheFirstRefusedStep) {
  SignedRoot v2 = make(2, {r1a_, r1b_}, 2, {rel2_});
  for (const auto& k : {r1a_, r1b_}) v2.sign(k);
  SignedRoot v3 = make(3, {r1a_, r1b_}, 2, {rel2_});
  v3.sign(r1a_);
  EXPECT_EQ(walk_roots(v1_.root, {v2, v3}).error().code, Code::kRootUntrusted);
  std::vector<SignedRoot> many(kMaxRootWalk + 1, v2);
  EXPECT_EQ(walk_roots(v1_.root, many).error().code, Code::kRootNotNext);
}

TEST_F(RootTest, AlteredContentBreaksTheSignatures) {
  std::string text = v1_.to_json_text();
  auto pos = text.find("\"threshold\":1");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 13, "\"threshold\":1 ");
  auto same = SignedRoot::parse(text);  // whitespace: same canonical bytes
  ASSERT_TRUE(same);
  EXPECT_TRUE(check_self_signed(*same));
  SignedRoot other = v1_;
  other.received_bytes.clear();
  other.root.release.keys.push_back(rel2_.pub);
  auto tampered = SignedRoot::parse(other.to_json_text());
  ASSERT_TRUE(tampered);
  EXPECT_EQ(check_self_signed(*tampered).error().code, Code::kRootUntrusted);
}

TEST_F(RootTest, BadDocumentsAreRefusedWhenParsed) {
  const std::string good = v1_.to_json_text();
  auto refuse = [](const std::string& text, Code code) {
    auto r = SignedRoot::parse(text);
    EXPECT_FALSE(r) << text;
    if (!r) {
      EXPECT_EQ(r.error().code, code) << r.error().to_string();
    }
  };
  refuse("", Code::kParse);
  refuse("{", Code::kParse);
  refuse("[]", Code::kParse);
  refuse("{\"signatures\":[]}", Code::kParse);
  refuse(std::string(Root::kMaxRootBytes + 1, ' '), Code::kTooLarge);
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    auto pos = t.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos) t.replace(pos, from.size(), to);
    return t;
  };
  refuse(edit("\"posfleet-root\"", "\"posfleet-release\""), Code::kParse);
  refuse(edit("\"schema\":1", "\"schema\":2"), Code::kParse);
  refuse(edit("\"version\":1", "\"version\":0"), Code::kParse);
  refuse(edit("\"version\":1", "\"version\":-3"), Code::kParse);
  refuse(edit("\"version\":1", "\"version\":1.5"), Code::kParse);
  refuse(edit("\"version\":1", "\"version\":\"1\""), Code::kParse);
  refuse(edit("\"threshold\":2", "\"threshold\":3"), Code::kParse);
  refuse(edit("\"threshold\":2", "\"threshold\":0"), Code::kParse);
  refuse(edit("\"schema\":1", "\"schema\":1,\"extra\":true"), Code::kParse);
  refuse(edit("\"signed\":", "\"unsigned\":{},\"signed\":"), Code::kParse);
  refuse(edit(rel1_.pub.key_id, r1a_.pub.key_id), Code::kParse);  // keyid of another key
  // A key listed twice in a role, and a key in both roles.
  SignedRoot twice = v1_;
  twice.received_bytes.clear();
  twice.root.root.keys.push_back(r1a_.pub);
  refuse(twice.to_json_text(), Code::kParse);
  SignedRoot both = v1_;
  both.received_bytes.clear();
  both.root.release.keys.push_back(r1a_.pub);
  refuse(both.to_json_text(), Code::kParse);
  // Too many keys, too many signatures.
  SignedRoot crowd = make(1, {r1a_}, 1, {rel1_});
  for (std::size_t i = 0; i < Root::kMaxKeys; ++i)
    crowd.root.release.keys.push_back(generate_signing_key().pub);
  refuse(crowd.to_json_text(), Code::kParse);
  SignedRoot noisy = v1_;
  for (std::size_t i = 0; i < Root::kMaxSignatures; ++i)
    noisy.signatures.push_back(v1_.signatures.front());
  refuse(noisy.to_json_text(), Code::kParse);
}

}  // namespace
}  // namespace posfleet
