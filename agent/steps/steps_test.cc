// Each update step alone, its success and its failure paths, against fakes:
// a scripted server (FakeDdiClient), fake hardware and merchant data, a clock
// that moves only when a step waits, and a simulated device in a temp folder
// whose boot control can be told to fail. A step is reached by running the
// real machine up to its state, then called directly.
#include <gtest/gtest.h>

#include <filesystem>

#include <boost/json.hpp>

#include <map>

#include "agent/testing/update_rig.h"
#include "core/delta/patch.h"
#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {
namespace {

using testing::kAction;

struct StepRig : testing::UpdateRig {
  StepRig() : UpdateRig("steps") {}
  std::string last_feedback() const {
    return ddi.sent.empty() ? "" : ddi.sent.back().m.details.back();
  }
};

// --- check_manifest ----------------------------------------------------------

TEST(CheckManifestStep, PlansTheArtifactsOfATrustedRelease) {
  StepRig rig;
  rig.reach("check_manifest");
  EXPECT_EQ(check_manifest(*rig.ctx), Event::kDone);
  EXPECT_EQ(rig.record.version, "2.0.0");
  ASSERT_EQ(rig.record.artifacts.size(), 1u);
  EXPECT_EQ(rig.record.artifacts[0].sha256, sha256_hex(rig.bytes));
}

TEST(CheckManifestStep, RefusesAnUntrustedOrMissingManifest) {
  StepRig rig;
  const Deployment forged = rig.make_release("2.0.0", rig.bytes, generate_signing_key());
  rig.reach("check_manifest", &forged);
  EXPECT_EQ(check_manifest(*rig.ctx), Event::kFailed);
  EXPECT_NE(rig.record.error_code, 0);
  rig.record.manifest_text.clear();
  EXPECT_EQ(check_manifest(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kBadSignature));
}

TEST(CheckManifestStep, FailsWhenTheServerOffersNoDownloadForAComponent) {
  StepRig rig;
  Deployment d = rig.release;
  d.artifacts[0].href.clear();
  rig.reach("check_manifest", &d);
  EXPECT_EQ(check_manifest(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kServer));
}

// --- download -----------------------------------------------------------------

TEST(DownloadStep, FetchesEveryArtifactIntoItsPartFile) {
  StepRig rig;
  rig.reach("download");
  EXPECT_EQ(download(*rig.ctx), Event::kDone);
  auto got = read_file(rig.ctx->part_path(rig.record.artifacts[0]));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, rig.bytes);
  EXPECT_EQ(rig.record.error_code, 0);
}

TEST(DownloadStep, WaitsWhileOffline) {
  StepRig rig;
  rig.reach("download");
  rig.hardware.net.kind = "offline";
  EXPECT_EQ(download(*rig.ctx), Event::kRetry);
  EXPECT_EQ(rig.record.waiting, "offline");
  EXPECT_EQ(rig.ddi.downloads, 0);
}

TEST(DownloadStep, AFailedAttemptBacksOffAndALengthMismatchFailsAtOnce) {
  StepRig rig;
  rig.reach("download");
  rig.ddi.on_download = [](const std::string&, const std::string&, std::uint64_t) {
    return Expected<DownloadResult>(make_error(Code::kNetwork, "interrupted"));
  };
  EXPECT_EQ(download(*rig.ctx), Event::kRetry);
  EXPECT_EQ(rig.record.download_failures, 1);
  EXPECT_GT(rig.record.retry_at, rig.clock.now());
  rig.ddi.on_download = [](const std::string&, const std::string&, std::uint64_t) {
    return Expected<DownloadResult>(make_error(Code::kLengthMismatch, "too long"));
  };
  rig.record.retry_at = 0;
  EXPECT_EQ(download(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kLengthMismatch));
}

TEST(DownloadStep, StopsForTheOperatorsCancel) {
  StepRig rig;
  rig.reach("download");
  rig.ddi.cancel_action_id = kAction;
  rig.ddi.on_download = {};  // the fake asks should_stop first, which polls
  EXPECT_EQ(download(*rig.ctx), Event::kCanceled);
}

// --- download by a patch -------------------------------------------------------

// The running slot holds release 1.0.0's os.img; release 2.0.0's manifest lists a patch from
// it, which the server offers beside the full file.
struct DeltaRig : StepRig {
  const std::string old_os = std::string(30000, 'o') + "the running os, 1.0.0";
  const std::string new_os = std::string(30000, 'o') + "the new os, 2.0.0, a little longer";
  std::string patch, served_patch;
  Deployment offer;
  std::map<std::string, int> fetched;  // href → downloads

  DeltaRig() {
    const std::string slot = boot.slot_dir("a");
    EXPECT_TRUE(write_file_atomic(slot + "/os.img", old_os));
    const boost::json::object installed{
        {"version", "1.0.0"},
        {"components", boost::json::array{boost::json::object{{"name", "os"},
                                                              {"version", "1.0.0"},
                                                              {"filename", "os.img"},
                                                              {"sha256", sha256_hex(old_os)},
                                                              {"length", old_os.size()}}}}};
    EXPECT_TRUE(write_file_atomic(slot + "/slot.json", json::serialize(installed)));
    patch = served_patch = *delta::make_patch(old_os, new_os);
    offer =
        offer_of(Delta{"1.0.0", sha256_hex(old_os), "os.pfdelta", sha256_hex(patch), patch.size()},
                 "os.pfdelta");
    ddi.on_download = [this](const std::string& href, const std::string& file, std::uint64_t) {
      ++fetched[href];
      return fake_download_bytes(file, href.ends_with(".pfdelta") ? served_patch : new_os);
    };
  }

  // Release 2.0.0 signed with `signed_delta`, the server offering the patch file `offered`.
  Deployment offer_of(const Delta& signed_delta, const std::string& offered) {
    SignedManifest sm;
    sm.manifest.version = "2.0.0";
    sm.manifest.expires = clock.now() + 86400;
    sm.manifest.models = {"A920"};
    Component c{"os", "2.0.0", "os.img", sha256_hex(new_os), new_os.size()};
    c.deltas = {signed_delta};
    sm.manifest.components = {c};
    sm.sign(key);
    return {kAction,
            {{"os", "os.img", "http://fake/os.img", new_os.size()}},
            sm.to_json_text(),
            {{"os", offered, "http://fake/" + offered, patch.size()}}};
  }

  std::string made() const { return read_file(ctx->part_path(record.artifacts[0])).value(); }
  bool said(const std::string& words) const {
    for (const auto& s : ddi.sent)
      for (const auto& line : s.m.details)
        if (line.find(words) != std::string::npos) return true;
    return false;
  }
};

TEST(DownloadByDelta, MakesTheFileFromThePatchAndNeverFetchesTheFullOne) {
  DeltaRig rig;
  rig.reach("download", &rig.offer);
  ASSERT_TRUE(rig.record.artifacts[0].delta.pending());
  EXPECT_EQ(rig.record.artifacts[0].fetch_length(), rig.patch.size());
  EXPECT_EQ(download(*rig.ctx), Event::kDone);
  EXPECT_TRUE(rig.made() == rig.new_os);
  EXPECT_EQ(rig.fetched["http://fake/os.pfdelta"], 1);
  EXPECT_EQ(rig.fetched["http://fake/os.img"], 0);
  EXPECT_EQ(rig.record.artifacts[0].delta.outcome, kDeltaApplied);
  EXPECT_TRUE(rig.said("delta: os made from a patch of " + std::to_string(rig.patch.size())));
  EXPECT_FALSE(std::filesystem::exists(rig.ctx->delta_part_path(rig.record.artifacts[0])));
  // A restart after it: nothing is fetched again, and verify takes the file as a download.
  ASSERT_TRUE(rig.record.save(rig.path()));
  rig.restart();
  EXPECT_EQ(download(*rig.ctx), Event::kDone);
  EXPECT_EQ(rig.fetched["http://fake/os.pfdelta"] + rig.fetched["http://fake/os.img"], 1);
  EXPECT_EQ(verify_artifacts(*rig.ctx), Event::kDone);
}

TEST(DownloadByDelta, ARunningSlotThatIsNotThePatchesSourceGetsTheFullFile) {
  DeltaRig rig;
  rig.reach("download", &rig.offer);
  // slot.json still names the old file, but its bytes changed: the patch is not applied to them.
  ASSERT_TRUE(write_file_atomic(rig.boot.slot_dir("a") + "/os.img", rig.old_os + "!"));
  EXPECT_EQ(download(*rig.ctx), Event::kDone);
  EXPECT_TRUE(rig.made() == rig.new_os);
  EXPECT_EQ(rig.fetched["http://fake/os.img"], 1);
  EXPECT_NE(rig.record.artifacts[0].delta.outcome.find("is not the file the patch was made from"),
            std::string::npos);
  EXPECT_TRUE(rig.said("delta not used for os: the running slot's os.img"));
  EXPECT_EQ(rig.record.error_code, 0);  // not a failure of the update
  EXPECT_EQ(verify_artifacts(*rig.ctx), Event::kDone);
}

TEST(DownloadByDelta, ADamagedPatchGetsTheFullFile) {
  for (bool signed_hash_matches : {false, true}) {
    SCOPED_TRACE(signed_hash_matches);
    DeltaRig rig;
    // The server sends other bytes than the signed patch; or (were the release key's holder
    // to sign a broken patch) the signed bytes make another file than the signed target.
    rig.served_patch[rig.served_patch.size() / 2] ^= 0x40;
    Deployment d = rig.offer;
    if (signed_hash_matches)
      d = rig.offer_of(Delta{"1.0.0", sha256_hex(rig.old_os), "os.pfdelta",
                             sha256_hex(rig.served_patch), rig.served_patch.size()},
                       "os.pfdelta");
    rig.reach("download", &d);
    EXPECT_EQ(download(*rig.ctx), Event::kDone);
    EXPECT_TRUE(rig.made() == rig.new_os);
    EXPECT_EQ(rig.fetched["http://fake/os.img"], 1);
    EXPECT_TRUE(rig.said("delta not used for os"));
    EXPECT_NE(rig.record.artifacts[0].delta.outcome, kDeltaApplied);
    EXPECT_EQ(verify_artifacts(*rig.ctx), Event::kDone);
  }
}

TEST(DownloadByDelta, APatchTheManifestDoesNotListIsNotUsed) {
  DeltaRig rig;
  // Offered under another name than the signed one, or signed for another source.
  const Deployment offers[] = {rig.offer_of(Delta{"1.0.0", sha256_hex(rig.old_os), "os.pfdelta",
                                                  sha256_hex(rig.patch), rig.patch.size()},
                                            "other.pfdelta"),
                               rig.offer_of(Delta{"0.9.0", sha256_hex("0.9.0"), "os.pfdelta",
                                                  sha256_hex(rig.patch), rig.patch.size()},
                                            "os.pfdelta")};
  for (const auto& d : offers) {
    rig.reach("download", &d);
    EXPECT_FALSE(rig.record.artifacts[0].delta.planned());
    EXPECT_EQ(download(*rig.ctx), Event::kDone);
    EXPECT_TRUE(rig.made() == rig.new_os);
    rig.record = UpdateRecord{};
    rig.agent();
  }
  EXPECT_EQ(rig.fetched["http://fake/os.img"], 2);
  EXPECT_EQ(
      rig.fetched.count("http://fake/os.pfdelta") + rig.fetched.count("http://fake/other.pfdelta"),
      0u);
}

// --- verify -------------------------------------------------------------------

TEST(VerifyStep, AcceptsTheManifestsBytesAndDeletesOthers) {
  {
    StepRig rig;
    rig.reach("verify");
    EXPECT_EQ(verify_artifacts(*rig.ctx), Event::kDone);
  }
  StepRig rig;
  rig.download_bytes = std::string(rig.bytes.size(), 'x');  // same length, other bytes
  rig.reach("verify");
  EXPECT_EQ(verify_artifacts(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kHashMismatch));
  EXPECT_FALSE(std::filesystem::exists(rig.ctx->part_path(rig.record.artifacts[0])));
}

TEST(VerifyStep, RefusesAFileOfAnotherLength) {
  StepRig rig;
  rig.download_bytes = "short";
  rig.reach("verify");
  EXPECT_EQ(verify_artifacts(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kLengthMismatch));
}

// --- precheck -----------------------------------------------------------------

TEST(PrecheckStep, PassesAndHoldsTheGuard) {
  StepRig rig;
  rig.reach("precheck");
  EXPECT_EQ(precheck(*rig.ctx), Event::kDone);
  EXPECT_TRUE(rig.hardware.held);
}

TEST(PrecheckStep, EachFailingCheckWaitsWithItsReason) {
  struct Case {
    const char* what;
    std::function<void(FakeHardware&)> set;
    const char* waiting;
  };
  const Case cases[] = {
      {"battery",
       [](FakeHardware& h) {
         h.power = {10, false};
       },
       "battery:10%"},
      {"storage", [](FakeHardware& h) { h.free = 3; }, "storage:"},
      {"peripherals", [](FakeHardware& h) { h.plugged = {"usb:scanner"}; },
       "peripherals:usb:scanner"},
      {"a sale", [](FakeHardware& h) { h.sale = true; }, "transaction"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    StepRig rig;
    rig.reach("precheck");
    c.set(rig.hardware);
    const auto before = rig.clock.now();
    EXPECT_EQ(precheck(*rig.ctx), Event::kRetry);
    EXPECT_EQ(rig.record.waiting.rfind(c.waiting, 0), 0u) << rig.record.waiting;
    EXPECT_GE(rig.clock.now() - before, rig.config.precheck_retry_seconds);
    EXPECT_NE(rig.last_feedback().find("waiting"), std::string::npos);
    EXPECT_FALSE(rig.hardware.held && c.waiting == std::string("transaction"));
  }
}

TEST(PrecheckStep, ACancelWhileWaitingIsObeyed) {
  StepRig rig;
  rig.reach("precheck");
  rig.hardware.sale = true;
  rig.ddi.cancel_action_id = kAction;
  EXPECT_EQ(precheck(*rig.ctx), Event::kCanceled);
}

// --- backup -------------------------------------------------------------------

TEST(BackupStep, BacksUpUnderTheActionOrFails) {
  StepRig rig;
  rig.reach("backup");
  rig.data.fail_backup = 1;
  EXPECT_EQ(backup(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kIo));
  EXPECT_EQ(backup(*rig.ctx), Event::kDone);
  EXPECT_TRUE(rig.data.has_backup(std::to_string(kAction)));
}

// --- install, reboot, health_check, commit -------------------------------------

TEST(InstallStep, WritesTheOtherSlotAndAsksToBootIt) {
  StepRig rig;
  rig.reach("install");
  EXPECT_EQ(install(*rig.ctx), Event::kDone);
  auto st = rig.boot.state();
  EXPECT_EQ(st->pending, "b");
  EXPECT_EQ(st->good, "a");
  EXPECT_EQ(*read_file(rig.boot.slot_dir("b") + "/os.img"), rig.bytes);
}

TEST(InstallStep, FailsWhenTheBootloaderCannotBeToldAndIsIdempotent) {
  StepRig rig;
  rig.reach("install");
  rig.boot.fail = {"set_pending"};
  EXPECT_EQ(install(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.boot.state()->pending, "");
  rig.boot.fail.clear();
  EXPECT_EQ(install(*rig.ctx), Event::kDone);
  EXPECT_EQ(install(*rig.ctx), Event::kDone);  // again after a crash: the same slot
  EXPECT_EQ(rig.boot.state()->pending, "b");
}

TEST(RebootStep, BootsTheNewSlotOrFallsBack) {
  {
    StepRig rig;
    rig.reach("reboot");
    EXPECT_EQ(reboot(*rig.ctx), Event::kDone);
    EXPECT_EQ(rig.boot.state()->booted, "b");
    EXPECT_EQ(reboot(*rig.ctx), Event::kDone);  // re-run after a crash: already there
    EXPECT_EQ(rig.boot.state()->boots, 1);
  }
  StepRig rig;
  rig.reach("reboot");
  ASSERT_TRUE(make_dirs(rig.dir + "/hw"));
  ASSERT_TRUE(write_file_atomic(rig.dir + "/hw/faults.json", R"({"boot_fail": ["b"]})"));
  Event e = Event::kRetry;
  for (int i = 0; i < 10 && e != Event::kFellBack; ++i) e = reboot(*rig.ctx);
  EXPECT_EQ(e, Event::kFellBack);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kBootFailed));
}

TEST(HealthCheckStep, PassesOnTheNewSlotAndFailsOnUnreadableSettings) {
  StepRig rig;
  rig.reach("health_check");
  EXPECT_EQ(health_check(*rig.ctx), Event::kDone);
  rig.data.settings_ok = false;
  EXPECT_EQ(health_check(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.record.error_code, static_cast<int>(Code::kHealthCheck));
}

TEST(CommitStep, CommitsTheBootedSlotOrFails) {
  StepRig rig;
  rig.reach("commit");
  rig.boot.fail = {"mark_good"};
  EXPECT_EQ(commit(*rig.ctx), Event::kFailed);
  EXPECT_EQ(rig.boot.state()->good, "a");
  rig.boot.fail.clear();
  EXPECT_EQ(commit(*rig.ctx), Event::kDone);
  EXPECT_EQ(rig.boot.state()->good, "b");
  EXPECT_FALSE(rig.hardware.held);  // sales may go on while the result is reported
  EXPECT_FALSE(std::filesystem::exists(rig.ctx->download_dir()));
}

// --- rollback -------------------------------------------------------------------

TEST(RollbackStep, ReturnsToTheCommittedSlotAndRestoresTheData) {
  StepRig rig;
  rig.reach("health_check");
  rig.data.journal.push_back("T1");  // a sale made after the backup
  rig.data.fail_restore = 1;
  EXPECT_EQ(rollback(*rig.ctx), Event::kRetry);  // restore failed: tried again
  EXPECT_EQ(rollback(*rig.ctx), Event::kDone);
  auto st = rig.boot.state();
  EXPECT_EQ(st->booted, "a");
  EXPECT_EQ(st->good, "a");
  EXPECT_EQ(st->pending, "");
  EXPECT_EQ(rig.data.restores, 1);
  EXPECT_EQ(*rig.data.transaction_ids(), std::vector<std::string>{"T1"});  // kept
  EXPECT_NE(rig.record.error.find("rolled back to slot a"), std::string::npos);
}

TEST(RollbackStep, RetriesWhileTheBootloaderRefuses) {
  StepRig rig;
  rig.reach("health_check");
  rig.boot.fail = {"clear_pending"};
  EXPECT_EQ(rollback(*rig.ctx), Event::kRetry);
  rig.boot.fail.clear();
  EXPECT_EQ(rollback(*rig.ctx), Event::kDone);
}

// --- reports --------------------------------------------------------------------

TEST(ReportSteps, TellTheServerOnceAndRetryUntilItHears) {
  struct Case {
    Event (*step)(UpdateContext&);
    bool cancel;
    const char* result;
    const char* outcome;
  };
  const Case cases[] = {{report_success, false, "success", "success"},
                        {report_failure, false, "failure", "failure"},
                        {report_canceled, true, "success", "canceled"},
                        {report_unchanged, false, "success", "success"}};
  for (const auto& c : cases) {
    StepRig rig;
    rig.reach("download");
    rig.ddi.sent.clear();
    rig.ddi.fail_feedback = 1;
    EXPECT_EQ(c.step(*rig.ctx), Event::kRetry);
    EXPECT_TRUE(rig.ddi.sent.empty());
    EXPECT_EQ(c.step(*rig.ctx), Event::kDone);
    ASSERT_EQ(rig.ddi.sent.size(), 1u);
    EXPECT_EQ(rig.ddi.sent[0].cancel, c.cancel);
    EXPECT_EQ(rig.ddi.sent[0].m.execution, "closed");
    EXPECT_EQ(rig.ddi.sent[0].m.result, c.result);
    EXPECT_EQ(rig.record.last.result, c.outcome);
    EXPECT_EQ(rig.record.last.time, rig.clock.now());
  }
}

}  // namespace
}  // namespace posfleet::agent
