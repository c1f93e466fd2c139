// posfleet: a terminal's health as it reports it with a poll (docs/health.md): battery, storage,
// network and signal, uptime, the versions it runs and the time of its last sale (a time only:
// nothing of the sale itself). The agent builds one and sends its JSON; posfleetd parses what a
// terminal sent with parse() — strictly, every field bounded, unknown fields refused — keeps it
// in the same canonical JSON, and reads the three conditions the fleet's filters find from it.
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace posfleet::health {

// What a terminal may send: its JSON at most this long, at most this many apps.
inline constexpr std::size_t kMaxJsonBytes = 2048;
inline constexpr std::size_t kMaxApps = 16;
inline constexpr std::size_t kMaxAppChars = 64;

// The conditions the fleet's filters find (docs/health.md has the figures).
inline constexpr int kLowBatteryPercent = 15;                    // at or below, not on mains power
inline constexpr int kWeakSignalPercent = 20;                    // below, on wifi or cellular
inline constexpr std::uint64_t kLowStorageBytes = 256ull << 20;  // free below this,
inline constexpr int kLowStoragePercent = 10;                    // or below this share of the whole

struct Sample {
  std::optional<int> battery;                                // percent, 0-100
  std::optional<bool> charging;                              // on external power
  std::optional<std::uint64_t> storage_free, storage_total;  // bytes
  std::string network;                    // wifi | ethernet | cellular | offline; "" unknown
  std::optional<int> signal;              // percent, 0-100
  std::optional<std::int64_t> uptime;     // seconds since the terminal started
  std::optional<std::int64_t> last_sale;  // unix seconds of its newest recorded sale
  std::vector<std::pair<std::string, std::string>> apps;  // name → version, in name order

  bool low_battery() const;
  bool low_storage() const;
  bool weak_signal() const;
  // The canonical JSON (keys sorted; unknown values left out).
  std::string to_json() const;
};

// What a terminal sent, checked: kInvalidArgument naming the field and its rule for anything
// else (too long, not an object, an unknown field, a value out of its range, an app name
// outside [A-Za-z0-9._-] or a version that is not printable text). `now`: a last sale more
// than a day after it is refused.
Expected<Sample> parse(std::string_view json, std::int64_t now);

}  // namespace posfleet::health
