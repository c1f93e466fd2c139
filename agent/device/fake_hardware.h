// posfleet agent, tests only: the terminal's hardware as plain fields. The
// guard is taken while `sale` is false; a hold sets `held` until released.
// Thread-safety: one thread.
#pragma once

#include "agent/device/hardware.h"
#include "agent/steps/steps.h"

namespace posfleet::agent {

class FakeHardware final : public Network,
                           public Battery,
                           public Storage,
                           public Peripherals,
                           public TransactionGuard {
 public:
  Expected<NetworkInfo> network() override { return net; }
  Expected<BatteryInfo> battery() override { return power; }
  Expected<std::uint64_t> free_bytes() override { return free; }
  Expected<std::vector<std::string>> connected() override { return plugged; }
  Expected<std::unique_ptr<Hold>> try_hold() override {
    if (sale || held) return make_error(Code::kUnavailable, "a sale is in progress");
    held = true;
    return std::unique_ptr<Hold>(std::make_unique<FakeHold>(held));
  }
  // All five, for UpdateServices.
  Hardware all() { return {this, this, this, this, this}; }

  NetworkInfo net;
  BatteryInfo power;
  std::uint64_t free = 1ull << 30;
  std::vector<std::string> plugged;
  bool sale = false;  // the payment app holds the guard
  bool held = false;  // the agent holds it

 private:
  struct FakeHold final : Hold {
    explicit FakeHold(bool& h) : held(h) {}
    ~FakeHold() override { held = false; }
    bool& held;
  };
};

}  // namespace posfleet::agent
