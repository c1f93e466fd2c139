// posfleet agent: A/B boot slots, the only way the agent changes what boots.
//
// Two slots, "a" and "b". One is the committed (good) slot. To try an update,
// the agent installs into the other slot and asks for it on the next boot with
// a number of attempts; each boot into a pending slot uses one attempt, and
// when none are left the device boots the good slot again (a boot loop ends by
// itself). Only mark_good(), called after the health check, commits a slot.
// Implementations: SimulatedBootControl (a directory); real boards wrap their
// bootloader (U-Boot env, GRUB, EFI) behind the same interface.
// Thread-safety: one user at a time.
#pragma once

#include <string>

#include "core/result.h"

namespace posfleet::agent {

struct BootState {
  std::string good = "a";    // committed slot
  std::string booted = "a";  // slot running now
  std::string pending;       // slot to try, "" if none
  int attempts_left = 0;     // boots left for the pending slot
  int boots = 0;             // boots since the device was made, for diagnostics
};

class BootControl {
 public:
  virtual ~BootControl() = default;
  virtual Expected<BootState> state() = 0;
  static std::string other(const std::string& slot) { return slot == "a" ? "b" : "a"; }
  // Folder holding a slot's contents.
  virtual std::string slot_dir(const std::string& slot) const = 0;
  // Boot `slot` next, for at most `attempts` boots, unless committed.
  virtual Status set_pending(const std::string& slot, int attempts) = 0;
  virtual Status clear_pending() = 0;
  // Restarts the device: picks the slot as described above.
  virtual Expected<BootState> reboot() = 0;
  // Commits the booted slot.
  virtual Status mark_good() = 0;
};

}  // namespace posfleet::agent
