// posfleet agent: the terminal's health, sent with a poll (docs/health.md): battery and
// charging, storage free and whole, network kind and signal (the hardware seams,
// agent/device/hardware.h), uptime (/proc/uptime), the running release ("release") and its
// components' versions, and the time of the newest sale in the journal (a time only). HealthTimer
// says when a poll carries it: every `every` seconds the server asks for (900 by default), at once
// when one of the fleet's conditions (low battery, low storage, weak signal) starts or ends.
// Thread-safety: one HealthTimer per daemon loop; collect_health is as its parts.
#pragma once

#include <cstdint>
#include <string>

#include "agent/device/boot_control.h"
#include "agent/device/hardware.h"
#include "agent/device/merchant_data.h"
#include "core/health.h"

namespace posfleet::agent {

health::Sample collect_health(Network& network, Battery& battery, Storage& storage,
                              const MerchantData& data, BootControl& boot,
                              const std::string& proc_uptime = "/proc/uptime");

class HealthTimer {
 public:
  // Whether a poll at `now` should carry `s`.
  bool due(const health::Sample& s, std::int64_t now) const;
  // `s` went out with a poll the server answered at `now`.
  void sent(const health::Sample& s, std::int64_t now);
  // The interval the server's answer asks for (posfleet.health.every), if sane.
  void every(std::int64_t seconds);
  std::int64_t every() const { return every_; }

 private:
  static int conditions(const health::Sample& s);
  std::int64_t every_ = 900, last_ = 0;
  int last_conditions_ = -1;
};

}  // namespace posfleet::agent
