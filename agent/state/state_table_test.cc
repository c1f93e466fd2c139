// The update state machine, table-driven (after Mender's state_test.cpp):
// for every state × {its step fails, the agent restarts there, it restarts
// there in a loop, its step hangs until the operator cancels}, the chain of
// states, the slot the device ends on and the feedback the server received.
// Everything runs in-process: a scripted server (FakeDdiClient), a clock that
// moves only when the update waits (FakeClock), the merchant's data in memory
// (FakeMerchantData), fake hardware, and a simulated device in a temp folder.
// A restart is what a killed agent does: a new machine over the record as
// it was persisted (update.json), nothing else of the old run kept.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "agent/ddi/fake_ddi_client.h"
#include "agent/device/fake_hardware.h"
#include "agent/device/fake_merchant_data.h"
#include "agent/device/simulated_boot_control.h"
#include "agent/state/state_machine.h"
#include "agent/state/states.h"
#include "core/fake_clock.h"
#include "core/hashing.h"
#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

constexpr std::int64_t kAction = 7;
using Chain = std::vector<std::string>;

// What a state's step does in place of (or before) its real self.
using Injection = std::function<Event(UpdateContext&, UpdateMachine::StepFn real)>;

struct Rig {
  explicit Rig(const std::string& name)
      : tmp("posfleet_table_" + name), dir(tmp.file("device")), boot(dir) {
    EXPECT_TRUE(init_crypto());
    key = generate_signing_key();
    config.server = "http://fake";
    config.model = "A920";
    config.device_dir = dir;
    config.trusted_keys = {key.pub};
    config.precheck_retry_seconds = 5;
    EXPECT_TRUE(boot.init("1.0.0"));
    std::filesystem::create_directories(dir + "/state");
    const std::string bytes = "the new os, 2.0.0";
    SignedManifest sm;
    sm.manifest.version = "2.0.0";
    sm.manifest.expires = clock.now() + 86400;
    sm.manifest.models = {"A920"};
    sm.manifest.components = {{"os", "2.0.0", "os.img", sha256_hex(bytes), bytes.size()}};
    sm.sign(key);
    release = {kAction, {{"os", "os.img", "http://fake/os.img", bytes.size()}}, sm.to_json_text()};
    ddi.on_download = [bytes](const std::string&, const std::string& file, std::uint64_t) {
      return fake_download_bytes(file, bytes);
    };
  }

  std::string path() const { return dir + "/state/update.json"; }

  // A fresh agent process over the persisted record.
  UpdateMachine& agent() {
    machine.reset();
    ctx.reset();
    ctx.emplace(UpdateContext{
        .config = config,
        .services =
            {.ddi = ddi, .boot = boot, .hardware = hardware.all(), .data = &data, .clock = clock},
        .record = record,
        .stopping = stopping,
        .hooks = {.wait = [this](int s) {
          clock.advance_seconds(s);
          return false;
        }}});
    ctx->runtime.poll_seconds = 1;
    auto& m = machine.emplace(*ctx, path());
    m.around_step = [this](const std::string& state, UpdateContext& c, UpdateMachine::StepFn real) {
      auto i = injections.find(state);
      if (i == injections.end()) return real(c);
      return i->second(c, real);
    };
    return m;
  }

  void restart() {
    auto loaded = UpdateRecord::load(path());
    ASSERT_TRUE(loaded);
    record = *loaded;
    ASSERT_TRUE(agent().resume());
  }

  // Steps to idle; before a step in `restart_in`, restarts the agent
  // `restarts` times. The states visited, without repeats in a row.
  Chain run(const std::string& restart_in = "", int restarts = 0) {
    Chain chain{record.state};
    int done = 0;
    for (int i = 0; i < 500 && !machine->idle(); ++i) {
      while (record.state == restart_in && done < restarts) {
        ++done;
        restart();
        if (chain.back() != record.state) chain.push_back(record.state);
      }
      if (machine->idle()) break;
      EXPECT_TRUE(machine->step()) << "in state " << record.state;
      if (chain.back() != record.state) chain.push_back(record.state);
    }
    return chain;
  }

  // The closed messages: the update's report to the server.
  std::vector<FakeDdiClient::Sent> closed() const { return ddi.sent_with("closed"); }

  testing::TempDir tmp;
  std::string dir;
  Config config;
  SimulatedBootControl boot;
  FakeDdiClient ddi;
  FakeClock clock;
  FakeMerchantData data;
  FakeHardware hardware;
  SigningKey key;
  Deployment release;
  UpdateRecord record;
  std::atomic<bool> stopping{false};
  std::map<std::string, Injection> injections;
  std::optional<UpdateContext> ctx;
  std::optional<UpdateMachine> machine;
};

// --- injections --------------------------------------------------------------

// The step fails once, as when its service fails (kFailed with `code`).
Injection fail_once(Code code) {
  auto fired = std::make_shared<bool>(false);
  return [=](UpdateContext& c, UpdateMachine::StepFn real) {
    if (*fired) return real(c);
    *fired = true;
    return c.fail(make_error(code, "injected failure"));
  };
}

// A step whose table has no failure edge fails the way its service can: a
// failed pre-check waits, a restore that fails is tried again, a report that
// is not delivered is sent again.
Injection service_fails_once(Rig& rig, const std::string& state) {
  auto fired = std::make_shared<bool>(false);
  return [=, &rig](UpdateContext& c, UpdateMachine::StepFn real) {
    if (*fired) return real(c);
    *fired = true;
    if (state == "precheck") {
      rig.hardware.power = {5, false};
      const Event e = real(c);
      rig.hardware.power = {};
      return e;
    }
    if (state == "rollback") rig.data.fail_restore = 1;
    if (state.rfind("report_", 0) == 0) rig.ddi.fail_feedback = 1;
    return real(c);
  };
}

// The step hangs (it waits, polling the server) and the operator cancels the
// action meanwhile; then the hang ends.
Injection hang_until_cancel() {
  auto fired = std::make_shared<bool>(false);
  return [=](UpdateContext& c, UpdateMachine::StepFn real) {
    if (*fired) return real(c);
    *fired = true;
    // The step hangs on its service until the operator cancels (or, once
    // the slots are touched, until it gives up waiting).
    static_cast<FakeDdiClient&>(c.services.ddi).cancel_action_id = kAction;
    return c.pause(30);
  };
}

// --- expectations -------------------------------------------------------------

const Chain kHappy{"check_manifest", "download",       "verify", "precheck",
                   "backup",         "install",        "reboot", "health_check",
                   "commit",         "report_success", "idle"};
const Chain kRolledBack{"check_manifest", "download",       "verify", "precheck",
                        "backup",         "install",        "reboot", "health_check",
                        "rollback",       "report_failure", "idle"};
const Chain kCanceled{"check_manifest", "download", "report_canceled", "idle"};
const Chain kUnchanged{"check_manifest", "report_unchanged", "idle"};

// The chain up to and including `state`, then `tail`.
Chain up_to(const Chain& base, const std::string& state, const Chain& tail) {
  Chain out;
  for (const auto& s : base) {
    out.push_back(s);
    if (s == state) break;
  }
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

struct Slots {
  std::string good, booted, version;
};
const Slots kOld{"a", "a", "1.0.0"}, kNew{"b", "b", "2.0.0"};

struct Report {
  bool cancel;  // sent as the answer to a cancel request
  std::string result;
  Code code;
};

struct Outcome {
  Chain chain;
  Slots slots;
  Report report;
};

// The run each state is reached by, and how it ends with no fault.
enum class Base { kHappy, kRolledBack, kCanceled, kUnchanged };
Base base_of(const std::string& state) {
  if (state == "rollback" || state == "report_failure") return Base::kRolledBack;
  if (state == "report_canceled") return Base::kCanceled;
  if (state == "report_unchanged") return Base::kUnchanged;
  return Base::kHappy;
}
Outcome base_outcome(Base b) {
  switch (b) {
    case Base::kHappy:
      return {kHappy, kNew, {false, "success", Code::kOk}};
    case Base::kRolledBack:
      return {kRolledBack, kOld, {false, "failure", Code::kHealthCheck}};
    case Base::kCanceled:
      return {kCanceled, kOld, {true, "success", Code::kOk}};
    case Base::kUnchanged:
      return {kUnchanged, kNew, {false, "success", Code::kOk}};
  }
  return {};
}

// Sets the rig up for a base run and starts it.
void start(Rig& rig, Base b) {
  if (b == Base::kRolledBack) rig.injections["health_check"] = fail_once(Code::kHealthCheck);
  if (b == Base::kCanceled) rig.injections["download"] = hang_until_cancel();
  if (b == Base::kUnchanged) {  // 2.0.0 installed by an earlier run of the same release
    auto& m = rig.agent();
    ASSERT_TRUE(m.start(rig.release));
    ASSERT_EQ(rig.run(), kHappy);
    rig.ddi.sent.clear();
  }
  auto& m = rig.agent();
  ASSERT_TRUE(m.start(rig.release));
}

void expect_outcome(Rig& rig, const Chain& chain, const Outcome& want) {
  EXPECT_EQ(chain, want.chain);
  auto st = rig.boot.state();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->good, want.slots.good);
  EXPECT_EQ(st->booted, want.slots.booted);
  EXPECT_EQ(st->pending, "");
  auto v = installed_version(rig.boot);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, want.slots.version);
  // The server hears the end exactly once.
  const auto closed = rig.closed();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].cancel, want.report.cancel);
  EXPECT_EQ(closed[0].action_id, kAction);
  EXPECT_EQ(closed[0].m.result, want.report.result);
  EXPECT_EQ(closed[0].m.code, static_cast<int>(want.report.code));
  EXPECT_EQ(rig.record.state, "idle");
  EXPECT_EQ(rig.record.last.result, want.report.cancel ? "canceled" : want.report.result);
}

// Every state but idle, from the one list.
std::vector<std::string> step_states() {
  std::vector<std::string> out;
  for (const auto& s : kStates)
    if (s.name != "idle") out.emplace_back(s.name);
  return out;
}

TEST(UpdateStateTable, TheMachineKnowsExactlyTheStatesOfTheOneList) {
  std::set<std::string> listed, tables;
  for (const auto& s : kStates) listed.emplace(s.name);
  for (const auto& s : UpdateMachine::states_in_tables()) tables.insert(s);
  EXPECT_EQ(listed, tables);
}

TEST(UpdateStateTable, WithNoFaultEachBaseRunEndsAsExpected) {
  for (Base b : {Base::kHappy, Base::kRolledBack, Base::kCanceled, Base::kUnchanged}) {
    SCOPED_TRACE(static_cast<int>(b));
    Rig rig("base");
    start(rig, b);
    expect_outcome(rig, rig.run(), base_outcome(b));
  }
}

// The step fails. Until the slots are touched the failure is only reported;
// from install on it rolls back. States without a failure edge wait or retry.
TEST(UpdateStateTable, TheStepFails) {
  const Report failed{false, "failure", Code::kIo};
  const Chain to_rollback{"rollback", "report_failure", "idle"};
  const std::map<std::string, Outcome> want = {
      {"check_manifest",
       {up_to(kHappy, "check_manifest", {"report_failure", "idle"}), kOld, failed}},
      {"download", {up_to(kHappy, "download", {"report_failure", "idle"}), kOld, failed}},
      {"verify", {up_to(kHappy, "verify", {"report_failure", "idle"}), kOld, failed}},
      {"precheck", base_outcome(Base::kHappy)},
      {"backup", {up_to(kHappy, "backup", {"report_failure", "idle"}), kOld, failed}},
      {"install", {up_to(kHappy, "install", to_rollback), kOld, failed}},
      {"reboot", {up_to(kHappy, "reboot", to_rollback), kOld, failed}},
      {"health_check", {up_to(kHappy, "health_check", to_rollback), kOld, failed}},
      {"commit", {up_to(kHappy, "commit", to_rollback), kOld, failed}},
      {"rollback", base_outcome(Base::kRolledBack)},
      {"report_success", base_outcome(Base::kHappy)},
      {"report_failure", base_outcome(Base::kRolledBack)},
      {"report_canceled", base_outcome(Base::kCanceled)},
      {"report_unchanged", base_outcome(Base::kUnchanged)},
  };
  for (const auto& state : step_states()) {
    SCOPED_TRACE(state);
    ASSERT_TRUE(want.count(state)) << "no expectation for state " << state;
    Rig rig("fail_" + state);
    const bool has_failure_edge = want.at(state).report.code == Code::kIo;
    rig.injections[state] =
        has_failure_edge ? fail_once(Code::kIo) : service_fails_once(rig, state);
    start(rig, base_of(state));
    expect_outcome(rig, rig.run(), want.at(state));
  }
}

// The agent is killed as it enters the state (after the state was saved,
// before it acts) and starts again: every step is idempotent, so the update
// ends exactly as without the restart, reported once.
TEST(UpdateStateTable, TheAgentRestarts) {
  for (const auto& state : step_states()) {
    SCOPED_TRACE(state);
    Rig rig("restart_" + state);
    start(rig, base_of(state));
    expect_outcome(rig, rig.run(state, 1), base_outcome(base_of(state)));
  }
}

// The agent keeps dying in the state: past kMaxResumes it gives up there —
// reported if the slots are untouched, else rolled back — except where
// waiting or finishing is the only way on (precheck, commit, rollback, reports).
TEST(UpdateStateTable, TheAgentRestartsInALoop) {
  const Report gave_up{false, "failure", Code::kInternal};
  const Chain to_rollback{"rollback", "report_failure", "idle"};
  const std::map<std::string, Outcome> want = {
      {"check_manifest",
       {up_to(kHappy, "check_manifest", {"report_failure", "idle"}), kOld, gave_up}},
      {"download", {up_to(kHappy, "download", {"report_failure", "idle"}), kOld, gave_up}},
      {"verify", {up_to(kHappy, "verify", {"report_failure", "idle"}), kOld, gave_up}},
      {"precheck", base_outcome(Base::kHappy)},
      {"backup", {up_to(kHappy, "backup", {"report_failure", "idle"}), kOld, gave_up}},
      {"install", {up_to(kHappy, "install", to_rollback), kOld, gave_up}},
      {"reboot", {up_to(kHappy, "reboot", to_rollback), kOld, gave_up}},
      {"health_check", {up_to(kHappy, "health_check", to_rollback), kOld, gave_up}},
      {"commit", base_outcome(Base::kHappy)},
      {"rollback", base_outcome(Base::kRolledBack)},
      {"report_success", base_outcome(Base::kHappy)},
      {"report_failure", base_outcome(Base::kRolledBack)},
      {"report_canceled", base_outcome(Base::kCanceled)},
      {"report_unchanged", base_outcome(Base::kUnchanged)},
  };
  for (const auto& state : step_states()) {
    SCOPED_TRACE(state);
    ASSERT_TRUE(want.count(state)) << "no expectation for state " << state;
    Rig rig("loop_" + state);
    start(rig, base_of(state));
    expect_outcome(rig, rig.run(state, UpdateMachine::kMaxResumes + 1), want.at(state));
  }
}

// The step hangs and the operator cancels: obeyed while the slots are
// untouched (reported as canceled), refused after (the update runs to its
// end, and the server is told the cancel was rejected).
TEST(UpdateStateTable, TheStepHangsUntilCanceled) {
  const Report canceled{true, "success", Code::kOk};
  for (const auto& state : step_states()) {
    SCOPED_TRACE(state);
    Rig rig("hang_" + state);
    const Base base = base_of(state);
    start(rig, base);
    rig.injections[state] = hang_until_cancel();
    const bool untouched = state_info(state)->slots_untouched;
    const Outcome want =
        untouched ? Outcome{up_to(kHappy, state, {"report_canceled", "idle"}), kOld, canceled}
                  : base_outcome(base);
    expect_outcome(rig, rig.run(), want);
    bool rejected = false;
    for (const auto& s : rig.ddi.sent)
      rejected |= s.cancel && s.m.execution == "rejected" && s.action_id == kAction;
    EXPECT_EQ(rejected, !untouched);
  }
}

}  // namespace
}  // namespace posfleet::agent
