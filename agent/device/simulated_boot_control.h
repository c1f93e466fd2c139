// posfleet agent: BootControl for a terminal simulated in a directory.
//
// <device_dir>/boot.json holds BootState (written atomically);
// <device_dir>/slots/{a,b}/ hold each slot's component files and slot.json.
// A "reboot" applies the bootloader's rule to boot.json; the process itself
// keeps running, as the agent would after a real restart.
// Faults for tests, in <device_dir>/hw/faults.json:
//   {"boot_fail": ["b"]}        slot b never comes up: every boot into it uses an
//                               attempt and resets, until the bootloader falls back
//   {"corrupt_settings": ["b"]} booting slot b garbles the merchant's settings
//                               (a bad data migration), for the health check to catch
#pragma once

#include <string>

#include "agent/device/boot_control.h"

namespace posfleet::agent {

class SimulatedBootControl final : public BootControl {
 public:
  explicit SimulatedBootControl(std::string device_dir) : dir_(std::move(device_dir)) {}
  // Creates a factory-fresh device (slot a, good) if the directory has none.
  Status init(const std::string& factory_version);

  Expected<BootState> state() override;
  std::string slot_dir(const std::string& slot) const override { return dir_ + "/slots/" + slot; }
  Status set_pending(const std::string& slot, int attempts) override;
  Status clear_pending() override;
  Expected<BootState> reboot() override;
  Status mark_good() override;

 private:
  Status save(const BootState& s);
  std::string dir_;
};

}  // namespace posfleet::agent
