// posfleet agent: the update state machine. Its whole transition table,
// failure paths included, is in state_machine.cc.
// Thread-safety: one machine per device; run from one thread.
#pragma once

#include <string>

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

 private:
  Status enter(const std::string& state);
  UpdateContext& ctx_;
  std::string path_;
};

}  // namespace posfleet::agent
