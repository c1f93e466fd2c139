// The terminal's trust store and root walk (agent/trust/), and what the update
// steps do with them: a release checked against the current root's release
// keys, a replayed older sequence refused, a pending release whose key a newer
// root revoked dropped before install with the running slot untouched.
#include "agent/trust/trust_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "agent/testing/update_rig.h"
#include "agent/trust/root_walk.h"
#include "core/fs.h"

namespace posfleet::agent {
namespace {

struct Keys {
  Keys() {
    EXPECT_TRUE(init_crypto());
    root_a = generate_signing_key();
    root_b = generate_signing_key();
  }
  SignedRoot root(std::int64_t version, const SigningKey& release,
                  const std::vector<const SigningKey*>& signers, std::int64_t now) {
    SignedRoot r;
    r.root.version = version;
    r.root.expires = now + 86400 * 30;
    r.root.root = {{root_a.pub, root_b.pub}, 2};
    r.root.release = {{release.pub}, 1};
    for (const auto* k : signers) r.sign(*k);
    return r;
  }
  SigningKey root_a, root_b;
};

struct TrustRig : testing::UpdateRig, Keys {
  TrustRig() : UpdateRig("trust") {
    v1 = root(1, key, {&root_a, &root_b}, clock.now());
    reopen();
  }
  void reopen() {
    auto t = TrustStore::open(default_fs(), dir, v1, {}, 1);
    ASSERT_TRUE(t) << t.error().to_string();
    trust = std::move(*t);
    agent();
  }
  Deployment sequenced(const std::string& version, std::int64_t sequence, bool rollback = false) {
    SignedManifest sm;
    sm.manifest.version = version;
    sm.manifest.expires = clock.now() + 86400;
    sm.manifest.models = {"A920"};
    sm.manifest.sequence = sequence;
    sm.manifest.rollback = rollback;
    sm.manifest.components = {{"os", version, "os.img", sha256_hex(bytes), bytes.size()}};
    sm.sign(key);
    return {testing::kAction,
            {{"os", "os.img", "http://fake/os.img", bytes.size()}},
            sm.to_json_text()};
  }
  std::string slot_version() {
    auto v = installed_version(boot);
    return v ? *v : "";
  }
  SignedRoot v1;
};

TEST(TrustStore, KeepsTheRootAndSequenceItReachedAcrossARestart) {
  TrustRig rig;
  SigningKey release2 = generate_signing_key();
  ASSERT_TRUE(rig.trust->record_sequence(42));
  ASSERT_TRUE(
      rig.trust->accept_root(rig.root(2, release2, {&rig.root_a, &rig.root_b}, rig.clock.now())));
  rig.reopen();  // a new agent process, the same pinned root 1 in its config
  EXPECT_EQ(rig.trust->root_version(), 2);
  EXPECT_EQ(rig.trust->highest_sequence(), 42);
  EXPECT_TRUE(rig.trust->record_sequence(7));  // lower: kept at 42
  EXPECT_EQ(rig.trust->highest_sequence(), 42);
}

TEST(TrustStore, ABrokenTrustFileStopsTheAgentInsteadOfResettingTrust) {
  TrustRig rig;
  ASSERT_TRUE(rig.trust->record_sequence(5));
  ASSERT_TRUE(write_file_atomic(rig.dir + "/trust.json", "{\"sequence\":\"x\"}"));
  auto t = TrustStore::open(default_fs(), rig.dir, rig.v1, {}, 1);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Code::kParse);
}

TEST(TrustStore, APinnedRootNotSignedByItsOwnKeysIsRefused) {
  TrustRig rig;
  SignedRoot half = rig.root(1, rig.key, {&rig.root_a}, rig.clock.now());
  auto t = TrustStore::open(default_fs(), rig.tmp.file("other"), half, {}, 1);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Code::kRootUntrusted);
}

TEST(RootWalk, FollowsThePollToTheServersNewestRootOneAtATime) {
  TrustRig rig;
  SigningKey release2 = generate_signing_key();
  rig.ddi.roots[2] = rig.root(2, release2, {&rig.root_a, &rig.root_b}, 0).to_json_text();
  rig.ddi.roots[3] = rig.root(3, release2, {&rig.root_a, &rig.root_b}, 0).to_json_text();
  auto taken = follow_roots(rig.ddi, *rig.trust, {{"root_version", 3}});
  ASSERT_TRUE(taken) << taken.error().to_string();
  EXPECT_EQ(*taken, 2);
  EXPECT_EQ(rig.trust->root_version(), 3);
  EXPECT_EQ(*follow_roots(rig.ddi, *rig.trust, {{"root_version", 3}}), 0);
}

TEST(RootWalk, StopsAtARootThatIsNotSignedByTheTrustedKeysAndKeepsWhatItReached) {
  TrustRig rig;
  SigningKey release2 = generate_signing_key();
  rig.ddi.roots[2] = rig.root(2, release2, {&rig.root_a, &rig.root_b}, 0).to_json_text();
  rig.ddi.roots[3] = rig.root(3, release2, {&rig.root_a}, 0).to_json_text();  // below threshold
  rig.ddi.roots[4] = rig.root(4, release2, {&rig.root_a, &rig.root_b}, 0).to_json_text();
  auto taken = follow_roots(rig.ddi, *rig.trust, {{"root_version", 4}});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, Code::kRootUntrusted);
  EXPECT_EQ(rig.trust->root_version(), 2);
  // The server serving root 4 under number 3 (a skip) is refused too.
  rig.ddi.roots[3] = rig.ddi.roots[4];
  EXPECT_EQ(follow_roots(rig.ddi, *rig.trust, {{"root_version", 4}}).error().code,
            Code::kRootNotNext);
  EXPECT_EQ(rig.trust->root_version(), 2);
}

TEST(TrustedUpdate, AReleaseSignedByAKeyTheRootNoLongerListsIsRefused) {
  TrustRig rig;
  SigningKey release2 = generate_signing_key();
  ASSERT_TRUE(
      rig.trust->accept_root(rig.root(2, release2, {&rig.root_a, &rig.root_b}, rig.clock.now())));
  rig.reach("check_manifest");  // the release is signed by the revoked key
  EXPECT_EQ(check_manifest(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kUnknownKey));
}

TEST(TrustedUpdate, APendingReleaseIsDroppedWhenANewRootRevokesItsKey) {
  TrustRig rig;
  rig.reach("verify");  // checked and downloaded under root 1
  SigningKey release2 = generate_signing_key();
  ASSERT_TRUE(
      rig.trust->accept_root(rig.root(2, release2, {&rig.root_a, &rig.root_b}, rig.clock.now())));
  EXPECT_EQ(verify_artifacts(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kKeyRevoked));
  EXPECT_FALSE(std::filesystem::exists(rig.ctx->part_path(rig.record.artifacts[0])));
  EXPECT_EQ(rig.slot_version(), "1.0.0");  // the running slot untouched
}

TEST(TrustedUpdate, AnOlderSequenceIsAReplayEvenAsARollbackRelease) {
  TrustRig rig;
  auto newer = rig.sequenced("2.0.0", 20);
  rig.reach("check_manifest", &newer);
  EXPECT_EQ(check_manifest(*rig.ctx), Event::kDone);
  EXPECT_EQ(rig.trust->highest_sequence(), 20);
  rig.reopen();  // survives a restart
  for (const auto& old :
       {rig.sequenced("2.0.0", 10), rig.sequenced("1.0.0", 10, true), rig.sequenced("2.0.0", 0)}) {
    rig.record = {};
    rig.agent();
    rig.reach("check_manifest", &old);
    EXPECT_EQ(check_manifest(*rig.ctx), Event::kFailed);
    EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kSequenceReplayed));
  }
  // A rollback signed with a new, higher sequence is taken.
  rig.record = {};
  rig.agent();
  auto rollback = rig.sequenced("1.0.0", 21, true);
  rig.reach("check_manifest", &rollback);
  EXPECT_EQ(check_manifest(*rig.ctx), Event::kDone) << rig.record.error;
  EXPECT_EQ(rig.trust->highest_sequence(), 21);
}

}  // namespace
}  // namespace posfleet::agent
