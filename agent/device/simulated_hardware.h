// posfleet agent: the hardware of a terminal simulated in <device_dir>/hw/.
//
//   network.json      {"kind": "wifi"|"ethernet"|"cellular"|"offline", "signal": 80}
//   battery.json      {"percent": 80, "mains": false}
//   storage.json      {"free_bytes": 1073741824}
//   peripherals.json  {"connected": ["usb:barcode-scanner"]}
//   transaction.lock  flock()ed by the payment app during a sale
//                     (`posfleet-agent pay`), and by the agent while installing
// A missing file means the friendly default: Wi-Fi, mains power, 1 GiB free,
// nothing connected. Tests and operators edit the files to change the hardware.
// Thread-safety: stateless reads; flock is per open file.
#pragma once

#include <string>

#include "agent/device/hardware.h"

namespace posfleet::agent {

class SimulatedHardware final : public Network,
                                public Battery,
                                public Storage,
                                public Peripherals,
                                public TransactionGuard {
 public:
  explicit SimulatedHardware(std::string device_dir) : dir_(std::move(device_dir) + "/hw") {}
  Expected<NetworkInfo> network() override;
  Expected<BatteryInfo> battery() override;
  Expected<std::uint64_t> free_bytes() override;
  Expected<std::uint64_t> total_bytes() override;
  Expected<std::vector<std::string>> connected() override;
  Expected<std::unique_ptr<Hold>> try_hold() override;
  // Blocks until no sale or update holds the guard (used by `pay`).
  Expected<std::unique_ptr<Hold>> hold_blocking();
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace posfleet::agent
