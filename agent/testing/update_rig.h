// posfleet agent, tests only: a terminal in-process for the update's tests —
// a simulated device in a temp folder whose boot control can be told to fail,
// a scripted server (FakeDdiClient), a clock that moves only when the update
// waits (FakeClock), the merchant's data in memory and fake hardware; a
// signed release 2.0.0 of one component "os" to install over 1.0.0.
// Thread-safety: one thread.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <set>

#include "agent/ddi/fake_ddi_client.h"
#include "agent/device/fake_hardware.h"
#include "agent/device/fake_merchant_data.h"
#include "agent/device/simulated_boot_control.h"
#include "agent/state/state_machine.h"
#include "agent/steps/steps.h"
#include "core/fake_clock.h"
#include "core/hashing.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent::testing {

constexpr std::int64_t kAction = 7;

// The simulated device's boot control; the operations named in `fail` fail.
class FailingBootControl final : public BootControl {
 public:
  explicit FailingBootControl(const std::string& dir) : real_(dir) {}
  Status init() { return real_.init("1.0.0"); }
  Expected<BootState> state() override { return real_.state(); }
  std::string slot_dir(const std::string& slot) const override { return real_.slot_dir(slot); }
  Status set_pending(const std::string& slot, int attempts) override {
    if (fail.count("set_pending")) return make_error(Code::kIo, "boot env not writable");
    return real_.set_pending(slot, attempts);
  }
  Status clear_pending() override {
    if (fail.count("clear_pending")) return make_error(Code::kIo, "boot env not writable");
    return real_.clear_pending();
  }
  Expected<BootState> reboot() override {
    if (fail.count("reboot")) return make_error(Code::kIo, "reboot refused");
    return real_.reboot();
  }
  Status mark_good() override {
    if (fail.count("mark_good")) return make_error(Code::kIo, "boot env not writable");
    return real_.mark_good();
  }
  std::set<std::string> fail;

 private:
  SimulatedBootControl real_;
};

struct UpdateRig {
  explicit UpdateRig(const std::string& name)
      : tmp("posfleet_" + name), dir(tmp.file("device")), boot(dir) {
    EXPECT_TRUE(init_crypto());
    key = generate_signing_key();
    config.server = "http://fake";
    config.model = "A920";
    config.device_dir = dir;
    config.trusted_keys = {key.pub};
    config.precheck_retry_seconds = 5;
    config.download_max_failures = 3;
    EXPECT_TRUE(boot.init());
    std::filesystem::create_directories(dir + "/state");
    release = make_release("2.0.0", bytes, key);
    ddi.on_download = [this](const std::string&, const std::string& file, std::uint64_t) {
      return fake_download_bytes(file, download_bytes.empty() ? bytes : download_bytes);
    };
    agent();
  }

  Deployment make_release(const std::string& version, const std::string& content,
                          const SigningKey& by) {
    SignedManifest sm;
    sm.manifest.version = version;
    sm.manifest.expires = clock.now() + 86400;
    sm.manifest.models = {"A920"};
    sm.manifest.components = {{"os", version, "os.img", sha256_hex(content), content.size()}};
    sm.sign(by);
    return {kAction, {{"os", "os.img", "http://fake/os.img", content.size()}}, sm.to_json_text()};
  }

  std::string path() const { return dir + "/state/update.json"; }

  // A fresh agent process over `record`: a new context and machine, nothing
  // of the old run's runtime kept.
  UpdateMachine& agent() {
    machine.reset();
    ctx.reset();
    ctx.emplace(UpdateContext{.config = config,
                              .services = {.ddi = ddi,
                                           .boot = boot,
                                           .hardware = hardware.all(),
                                           .data = &data,
                                           .clock = clock,
                                           .trust = trust.get()},
                              .record = record,
                              .stopping = stopping,
                              .hooks = {.wait = [this](int s) {
                                clock.advance_seconds(s);
                                return false;
                              }}});
    ctx->runtime.poll_seconds = 1;
    auto& m = machine.emplace(*ctx, path());
    m.around_step = around_step;
    return m;
  }

  // What a killed agent does: a new machine over the record as persisted.
  void restart() {
    auto loaded = UpdateRecord::load(path());
    ASSERT_TRUE(loaded);
    record = *loaded;
    ASSERT_TRUE(agent().resume());
  }

  // Starts `d` (default: the release) and runs the real steps until `state`.
  void reach(const std::string& state, const Deployment* d = nullptr) {
    ASSERT_TRUE(machine->start(d ? *d : release));
    for (int i = 0; i < 100 && record.state != state; ++i) ASSERT_TRUE(machine->step());
    ASSERT_EQ(record.state, state);
  }

  ::posfleet::testing::TempDir tmp;
  std::string dir;
  Config config;
  FailingBootControl boot;
  FakeDdiClient ddi;
  FakeClock clock;
  FakeMerchantData data;
  FakeHardware hardware;
  SigningKey key;
  const std::string bytes = "the new os, 2.0.0";
  std::string download_bytes;  // what the server sends, if not `bytes`
  Deployment release;
  UpdateRecord record;
  std::atomic<bool> stopping{false};
  // Installed in every machine agent() makes.
  std::function<Event(const std::string&, UpdateContext&, UpdateMachine::StepFn)> around_step;
  std::optional<UpdateContext> ctx;
  std::optional<UpdateMachine> machine;
  // The root of trust, when a test sets one (then call agent() again); null:
  // config.trusted_keys as before.
  std::unique_ptr<TrustStore> trust;
};

}  // namespace posfleet::agent::testing
