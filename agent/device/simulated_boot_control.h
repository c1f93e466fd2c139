// posfleet agent: BootControl for a terminal simulated in a directory.
//
// <device_dir>/boot.json holds BootState (written atomically);
// <device_dir>/slots/{a,b}/ hold each slot's component files and slot.json.
// A "reboot" applies the bootloader's rule to boot.json; the process itself
// keeps running, as the agent would after a real restart.
// The bootloader verifies a slot before it boots it (as verified boot does):
// a pending slot boots only if its slot.json lists its files and each hashes
// to the SHA-256 listed there; one that does not uses an attempt, like a slot
// that never comes up.
// Power-up: <device_dir>/run/ stands for the RAM-backed /run, emptied by a
// power cut (the power-cut tests' filesystem does that). The first init()
// after one applies the boot rule, as the bootloader does at power-up: a cut
// after set_pending() boots the pending slot, using an attempt.
// Faults for tests, in <device_dir>/hw/faults.json:
//   {"boot_fail": ["b"]}        slot b never comes up: every boot into it uses an
//                               attempt and resets, until the bootloader falls back
//   {"corrupt_settings": ["b"]} booting slot b garbles the merchant's settings
//                               (a bad data migration), for the health check to catch
// Thread-safety: one user at a time.
#pragma once

#include <string>

#include "agent/device/boot_control.h"
#include "core/fs.h"

namespace posfleet::agent {

class SimulatedBootControl final : public BootControl {
 public:
  explicit SimulatedBootControl(std::string device_dir, Fs& fs = default_fs())
      : dir_(std::move(device_dir)), fs_(fs) {}
  // Creates a factory-fresh device (slot a, good) if the directory has none;
  // on the first call after a power cut, boots as the bootloader would.
  Status init(const std::string& factory_version);

  Expected<BootState> state() override;
  std::string slot_dir(const std::string& slot) const override { return dir_ + "/slots/" + slot; }
  Status set_pending(const std::string& slot, int attempts) override;
  Status clear_pending() override;
  Expected<BootState> reboot() override;
  Status mark_good() override;
  // Whether the slot's files hash to its slot.json (what the bootloader checks).
  bool intact(const std::string& slot);

 private:
  Status save(const BootState& s);
  std::string dir_;
  Fs& fs_;
};

}  // namespace posfleet::agent
