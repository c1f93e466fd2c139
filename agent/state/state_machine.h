// posfleet agent: the update state machine. Its whole transition table,
// failure paths included, is in state_machine.cc.
// Thread-safety: one machine per device; run from one thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/ddi/ddi_client.h"
#include "agent/steps/steps.h"

namespace posfleet::agent {

class UpdateMachine {
 public:
  UpdateMachine(UpdateContext& ctx, std::string record_path)
      : ctx_(ctx), path_(std::move(record_path)) {}

  // Starts an update for a deployment the server offered (state must be idle).
  // `selected`: the merchant's choice of components (empty: all).
  Status start(const Deployment& d, const std::vector<std::string>& selected = {});
  // Called once after the agent (re)starts: counts the resume and diverts a
  // state that keeps crashing to its failure path.
  Status resume();
  // Runs the current state's step and moves to the next state.
  Status step();
  // Cancels an update that has not yet touched the slots; false if too late.
  Expected<bool> cancel();
  bool idle() const { return ctx_.record.state == "idle"; }

  static constexpr int kMaxResumes = 5;

  // Every state named in the transition and step tables (checked against
  // the one list, states.def, by the tests).
  static std::vector<std::string> states_in_tables();

  // Tests only: runs in place of each step, given its state and the real step,
  // so a table-driven test can make any state fail or hang.
  using StepFn = Event (*)(UpdateContext&);
  std::function<Event(const std::string& state, UpdateContext& ctx, StepFn real)> around_step;

 private:
  Status enter(const std::string& state);
  UpdateContext& ctx_;
  std::string path_;
};

}  // namespace posfleet::agent
