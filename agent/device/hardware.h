// posfleet agent: the terminal's hardware besides its boot slots, behind
// small interfaces so that the update steps never read devices directly:
// Network, Battery, Storage, Peripherals and the TransactionGuard that the
// payment application holds while a sale is in progress. SimulatedHardware
// (simulated_hardware.h) implements them all over files in a directory, so a
// whole fleet can run on one machine and tests can change the "hardware".
// Thread-safety: implementations are safe to call from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::agent {

struct NetworkInfo {
  std::string kind = "wifi";  // wifi | ethernet | cellular | offline
  int signal = 100;           // percent
};

class Network {
 public:
  virtual ~Network() = default;
  virtual Expected<NetworkInfo> network() = 0;
};

struct BatteryInfo {
  int percent = 100;
  bool mains = true;  // on external power
};

class Battery {
 public:
  virtual ~Battery() = default;
  virtual Expected<BatteryInfo> battery() = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;
  virtual Expected<std::uint64_t> free_bytes() = 0;
  // The whole of it, when the platform says (kNotFound otherwise).
  virtual Expected<std::uint64_t> total_bytes() {
    return make_error(Code::kNotFound, "the storage's size is not known");
  }
};

class Peripherals {
 public:
  virtual ~Peripherals() = default;
  // Connected USB and other peripherals, e.g. "usb:barcode-scanner".
  virtual Expected<std::vector<std::string>> connected() = 0;
};

// While the payment app holds the guard a sale is in progress; the agent
// holds it itself while it changes the slots, so no sale starts mid-install.
class TransactionGuard {
 public:
  class Hold {
   public:
    virtual ~Hold() = default;
  };
  virtual ~TransactionGuard() = default;
  // A hold if no sale is in progress right now; kUnavailable while one is.
  virtual Expected<std::unique_ptr<Hold>> try_hold() = 0;
};

}  // namespace posfleet::agent
