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

#include <map>
#include <set>

#include "agent/state/states.h"
#include "agent/testing/update_rig.h"

namespace posfleet::agent {
namespace {

using testing::kAction;
using Chain = std::vector<std::string>;

// What a state's step does in place of (or before) its real self.
using Injection = std::function<Event(UpdateContext&, UpdateMachine::StepFn real)>;

struct Rig : testing::UpdateRig {
  explicit Rig(const std::string& name) : UpdateRig("table_" + name) {
    around_step = [this](const std::string& state, UpdateContext& c, UpdateMachine::StepFn real) {
      auto i = injections.find(state);
      if (i == injections.end()) return real(c);
      return i->second(c, real);
    };
    agent();
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

  std::map<std::string, Injection> injections;
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

// Where a fault that ends the update leads: to a report while the slots are
// untouched, through rollback after. States in `goes_on` (no such edge) and
// the ones after the end (rollback, reports) end as their base run does.
std::map<std::string, Outcome> ending_at(const Report& r, const std::set<std::string>& goes_on) {
  const Chain reported{"report_failure", "idle"}, rolled_back{"rollback", "report_failure", "idle"};
  std::map<std::string, Outcome> want;
  for (const char* s : {"check_manifest", "download", "verify", "precheck", "backup"})
    want[s] = {up_to(kHappy, s, reported), kOld, r};
  for (const char* s : {"install", "reboot", "health_check", "commit"})
    want[s] = {up_to(kHappy, s, rolled_back), kOld, r};
  for (const char* s :
       {"rollback", "report_success", "report_failure", "report_canceled", "report_unchanged"})
    want[s] = base_outcome(base_of(s));
  for (const auto& s : goes_on) want[s] = base_outcome(base_of(s));
  return want;
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
  const auto want = ending_at(failed, {"precheck"});
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
  const auto want = ending_at(gave_up, {"precheck", "commit"});
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
