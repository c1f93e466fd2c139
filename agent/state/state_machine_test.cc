// The update state machine against a scripted server (FakeUpdateDdi), a
// simulated device in a temp folder and a clock that moves only when a step
// waits: downloads that never succeed, a trickle, a busy server, a cancel
// during the backoff, a restart in the middle, a replay and a reused version.
#include "agent/state/state_machine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "agent/ddi/fake_ddi_client.h"
#include "agent/device/simulated_boot_control.h"
#include "core/fake_clock.h"
#include "core/hashing.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

constexpr std::int64_t kActionId = 7;

// A device, a server and a clock; `steps` runs the machine and keeps the chain of states.
struct Rig {
  explicit Rig(const char* name)
      : tmp(std::string("posfleet_sm_") + name), dir(tmp.file("device")), boot(dir) {
    EXPECT_TRUE(init_crypto());
    key = generate_signing_key();
    config.server = "http://fake";
    config.model = "A920";
    config.device_dir = dir;
    config.trusted_keys = {key.pub};
    config.download_max_failures = 3;
    config.download_retry_seconds = 2;
    EXPECT_TRUE(boot.init("1.0.0"));
    std::filesystem::create_directories(dir + "/state");
  }

  // A signed release with one component "os" holding `bytes`.
  Deployment release(const std::string& version, const std::string& bytes,
                     std::int64_t action = kActionId) {
    SignedManifest sm;
    sm.manifest.version = version;
    sm.manifest.expires = unix_now() + 86400;
    sm.manifest.models = {"A920"};
    sm.manifest.components = {{"os", version, "os.img", sha256_hex(bytes), bytes.size()}};
    sm.sign(key);
    content = bytes;
    return Deployment{
        action, {{"os", "os.img", "http://fake/os.img", bytes.size()}}, sm.to_json_text()};
  }

  UpdateContext context() {
    UpdateContext ctx{.config = config,
                      .services = {.ddi = ddi, .boot = boot, .clock = fake_clock},
                      .record = record,
                      .stopping = stopping,
                      .hooks = {.wait = [this](int s) {
                        clock += s;
                        fake_clock.advance_seconds(s);
                        return false;
                      }}};
    ctx.runtime.poll_seconds = 1;
    return ctx;
  }

  // A fresh agent process on this device: a new context and machine over the
  // same record (a test that restarts reloads it first).
  UpdateMachine& agent() {
    machine.reset();
    ctx.emplace(context());
    return machine.emplace(*ctx, path());
  }

  // Steps until idle (or `limit` steps); the states visited, without repeats in a row.
  std::vector<std::string> run(UpdateMachine& m, int limit = 2000) {
    std::vector<std::string> chain{record.state};
    for (int i = 0; i < limit && !m.idle(); ++i) {
      EXPECT_TRUE(m.step());
      if (chain.back() != record.state) chain.push_back(record.state);
    }
    return chain;
  }

  std::string path() const { return dir + "/state/update.json"; }
  const FakeUpdateDdi::Sent* closed() const {
    for (const auto& s : ddi.sent)
      if (s.m.execution == "closed") return &s;
    return nullptr;
  }

  testing::TempDir tmp;
  std::string dir;
  Config config;
  SimulatedBootControl boot;
  SigningKey key;
  UpdateRecord record;
  FakeUpdateDdi ddi;
  std::atomic<bool> stopping{false};
  std::int64_t clock = unix_now();  // moves only when a step waits
  FakeClock fake_clock{clock};      // the same time, for the steps
  std::string content;
  std::optional<UpdateContext> ctx;
  std::optional<UpdateMachine> machine;
};

const std::vector<std::string> kGaveUp{"check_manifest", "download", "report_failure", "idle"};

// Downloads that never succeed end, within their bounds, reported with the reason's code.
TEST(UpdateMachineDownload, FailuresThatNeverEndAreBoundedAndReported) {
  struct Case {
    const char* what;
    Error answer;     // what every download attempt gets
    int retry_after;  // the server's Retry-After on a 429/503
    int max_hours;
    Code reported;
    int attempts;  // downloads tried (0: any number)
  };
  const Case cases[] = {
      {"404 for good", make_error(Code::kNotFound, "answered HTTP 404"), 0, 48, Code::kNotFound, 3},
      {"a short artifact (broken, then 416)", make_error(Code::kServer, "answered HTTP 416"), 0, 48,
       Code::kServer, 3},
      {"a connection that breaks", make_error(Code::kNetwork, "interrupted"), 0, 48, Code::kNetwork,
       3},
      {"a trickle", make_error(Code::kTooSlow, "below the minimum"), 0, 48, Code::kTooSlow, 3},
      {"busy for good (429)", make_error(Code::kUnavailable, "busy"), 30, 1, Code::kUnavailable, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Rig rig("fail");
    rig.config.download_max_hours = c.max_hours;
    rig.ddi.retry_after = c.retry_after;
    rig.ddi.on_download = [&](const std::string&, const std::string&, std::uint64_t) {
      return Expected<DownloadResult>(c.answer);
    };
    auto& m = rig.agent();
    ASSERT_TRUE(m.start(rig.release("2.1.0", std::string(1000, 'x'))));
    EXPECT_EQ(rig.run(m), kGaveUp);
    ASSERT_TRUE(rig.closed());
    EXPECT_EQ(rig.closed()->m.result, "failure");
    EXPECT_EQ(rig.closed()->m.code, static_cast<int>(c.reported));
    EXPECT_NE(rig.closed()->m.details[0].find("given up"), std::string::npos)
        << rig.closed()->m.details[0];
    if (c.attempts) {
      EXPECT_EQ(rig.ddi.downloads, c.attempts);
    }
    EXPECT_EQ(rig.record.last.code, static_cast<int>(c.reported));
    EXPECT_GT(rig.ddi.polls, 0);  // it kept polling while it backed off
    EXPECT_EQ(*installed_version(rig.boot), "1.0.0");
  }
}

// The server counts Retry-After from the moment it answered; the agent's clock
// counts whole seconds, so it comes back one second later than asked, never earlier.
TEST(UpdateMachineDownload, ABusyServerIsNotAskedAgainBeforeItsRetryAfter) {
  Rig rig("busy");
  rig.ddi.retry_after = 7;
  rig.ddi.on_download = [&](const std::string&, const std::string&, std::uint64_t) {
    return Expected<DownloadResult>(make_error(Code::kUnavailable, "answered HTTP 429"));
  };
  auto& m = rig.agent();
  ASSERT_TRUE(m.start(rig.release("2.1.0", "abc")));
  while (rig.ddi.downloads < 1) ASSERT_TRUE(m.step());
  const std::int64_t answered = rig.clock;
  EXPECT_EQ(rig.record.waiting, "server_busy");
  // The wait it announces ("next in N s": Retry-After plus a random spread).
  int announced = -1;
  for (const auto& s : rig.ddi.sent_with("proceeding"))
    if (auto at = s.m.details.back().find("next in "); at != std::string::npos)
      announced = std::stoi(s.m.details.back().substr(at + 8));
  ASSERT_GE(announced, 7);
  EXPECT_EQ(rig.record.retry_at, answered + announced + 1);
  while (rig.ddi.downloads < 2) ASSERT_TRUE(m.step());
  EXPECT_GT(rig.clock, answered + announced);
}

// The server timed the action out (410 Gone on feedback): the download stops, the update ends as
// canceled without touching the slots, and nothing is downloaded or reported again.
TEST(UpdateMachineDownload, AnActionTheServerEndedStopsInsteadOfLooping) {
  Rig rig("gone");
  rig.config.download_max_failures = 100;
  rig.ddi.on_download = [&](const std::string&, const std::string&, std::uint64_t) {
    rig.ddi.gone = true;  // timed out on the server while the download hung
    return Expected<DownloadResult>(make_error(Code::kNetwork, "connection reset"));
  };
  auto& m = rig.agent();
  ASSERT_TRUE(m.start(rig.release("2.1.0", "abc")));
  EXPECT_EQ(rig.run(m),
            (std::vector<std::string>{"check_manifest", "download", "report_canceled", "idle"}));
  EXPECT_EQ(rig.ddi.downloads, 1);
  EXPECT_EQ(*installed_version(rig.boot), "1.0.0");
  EXPECT_EQ(rig.record.last.result, "canceled");
}

// The structured phase line tells the server where the update is.
TEST(UpdateMachineDownload, ProgressNotesCarryThePhase) {
  Rig rig("phase");
  auto& m = rig.agent();
  ASSERT_TRUE(m.start(rig.release("2.1.0", "abc")));
  rig.run(m);
  const auto notes = rig.ddi.sent_with("proceeding");
  ASSERT_FALSE(notes.empty());
  const auto& first = notes.front().m;
  ASSERT_EQ(first.details.size(), 2u);
  EXPECT_EQ(first.details[0], "phase: downloading");
  EXPECT_EQ(first.details[1], "downloading 3 bytes");
}

TEST(UpdateMachineDownload, EachFailedAttemptIsToldToTheServerAndTheMerchant) {
  Rig rig("told");
  auto& m = rig.agent();
  ASSERT_TRUE(m.start(rig.release("2.1.0", "abc")));
  while (rig.ddi.downloads < 1) ASSERT_TRUE(m.step());
  EXPECT_EQ(rig.record.waiting, "download_retry:1/3");
  EXPECT_EQ(waiting_text(rig.record.waiting, true), "下载失败，稍后自动重试（第 1/3 次）");
  int notes = 0;
  for (const auto& s : rig.ddi.sent_with("proceeding"))
    notes += s.m.details.back().find("attempt 1 of 3") != std::string::npos;
  EXPECT_EQ(notes, 1);
}

TEST(UpdateMachineDownload, ACancelIsObeyedDuringTheBackoff) {
  Rig rig("cancel");
  rig.config.download_max_failures = 100;
  rig.ddi.on_download = [&](const std::string&, const std::string&, std::uint64_t) {
    rig.ddi.cancel_action_id = kActionId;  // the operator cancels after the first 404
    return Expected<DownloadResult>(make_error(Code::kNotFound, "answered HTTP 404"));
  };
  auto& m = rig.agent();
  ASSERT_TRUE(m.start(rig.release("2.1.0", "abc")));
  EXPECT_EQ(rig.run(m),
            (std::vector<std::string>{"check_manifest", "download", "report_canceled", "idle"}));
  EXPECT_EQ(rig.ddi.downloads, 1);
  ASSERT_FALSE(rig.ddi.sent.empty());
  EXPECT_TRUE(rig.ddi.sent.back().cancel);
  EXPECT_EQ(rig.ddi.sent.back().m.execution, "closed");
  EXPECT_EQ(rig.record.last.result, "canceled");
}

TEST(UpdateMachineDownload, ARestartKeepsTheCountAndTheBackoff) {
  Rig rig("restart");
  {
    auto& m = rig.agent();
    ASSERT_TRUE(m.start(rig.release("2.1.0", "abc")));
    while (rig.record.download_failures < 2) ASSERT_TRUE(m.step());
  }
  const std::int64_t retry_at = rig.record.retry_at;
  EXPECT_GT(retry_at, rig.clock);
  // The agent is killed here: only what update.json holds survives.
  auto loaded = UpdateRecord::load(rig.path());
  ASSERT_TRUE(loaded);
  rig.record = *loaded;
  EXPECT_EQ(rig.record.download_failures, 2);
  EXPECT_EQ(rig.record.retry_at, retry_at);
  auto& m = rig.agent();
  ASSERT_TRUE(m.resume());
  rig.run(m);
  EXPECT_EQ(rig.ddi.downloads, 3);  // one more, not three
  EXPECT_GE(rig.clock, retry_at);   // not before the backoff it had promised
  EXPECT_EQ(rig.closed()->m.code, static_cast<int>(Code::kNotFound));
}

TEST(UpdateMachineDownload, ASuccessAfterFailuresReportsNoErrorCode) {
  Rig rig("recover");
  rig.ddi.on_download = [&](const std::string&, const std::string& file, std::uint64_t) {
    if (rig.ddi.downloads < 3)
      return Expected<DownloadResult>(make_error(Code::kNetwork, "interrupted"));
    return fake_download_bytes(file, rig.content);
  };
  auto& m = rig.agent();
  ASSERT_TRUE(m.start(rig.release("2.1.0", "new os")));
  rig.run(m);
  ASSERT_TRUE(rig.closed());
  EXPECT_EQ(rig.closed()->m.result, "success");
  EXPECT_EQ(rig.closed()->m.code, 0);
  EXPECT_EQ(*installed_version(rig.boot), "2.1.0");
}

// Same version: the very release installed is a no-op; other bytes are refused.
TEST(UpdateMachineVersions, AReplayInstallsNothingAndAReusedVersionIsRefused) {
  Rig rig("versions");
  rig.ddi.on_download = [&](const std::string&, const std::string& file, std::uint64_t) {
    return fake_download_bytes(file, rig.content);
  };
  auto& m = rig.agent();
  const Deployment first = rig.release("2.1.0", "os one");
  ASSERT_TRUE(m.start(first));
  rig.run(m);
  ASSERT_EQ(*installed_version(rig.boot), "2.1.0");
  const BootState before = *rig.boot.state();
  const int downloads = rig.ddi.downloads;

  struct Case {
    const char* what;
    Deployment d;
    std::vector<std::string> chain;
    const char* result;
    Code code;
    const char* detail;
  };
  const Case cases[] = {
      {"the replay of the action that installed it",
       first,
       {"check_manifest", "report_unchanged", "idle"},
       "success",
       Code::kOk,
       "already installed"},
      {"the same release under a new action",
       Deployment{8, first.artifacts, first.manifest_text},
       {"check_manifest", "report_unchanged", "idle"},
       "success",
       Code::kOk,
       "already installed"},
      {"another 2.1.0, trusted-signed",
       rig.release("2.1.0", "os two", 9),
       {"check_manifest", "report_failure", "idle"},
       "failure",
       Code::kVersionReused,
       "other content"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    rig.ddi.sent.clear();
    ASSERT_TRUE(m.start(c.d));
    EXPECT_EQ(rig.run(m), c.chain);
    ASSERT_TRUE(rig.closed());
    EXPECT_EQ(rig.closed()->m.result, c.result);
    EXPECT_EQ(rig.closed()->m.code, static_cast<int>(c.code));
    EXPECT_NE(rig.closed()->m.details[0].find(c.detail), std::string::npos)
        << rig.closed()->m.details[0];
    EXPECT_EQ(rig.ddi.downloads, downloads);  // nothing fetched
    const BootState after = *rig.boot.state();
    EXPECT_EQ(after.good, before.good);  // no slot flipped
    EXPECT_EQ(after.booted, before.booted);
    EXPECT_EQ(after.boots, before.boots);
  }
}

}  // namespace
}  // namespace posfleet::agent
