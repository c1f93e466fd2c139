// posfleet core: release versions.
//
// A version is MAJOR.MINOR.PATCH with an optional numeric fourth part
// (e.g. "2.1.0" or "2.1.0.7"); anything else is rejected so that ordering is
// never a guess. Ordering is numeric, part by part.
// Thread-safety: plain values.
#pragma once

#include <array>
#include <compare>
#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet {

class Version {
 public:
  static Expected<Version> parse(std::string_view text);
  std::string to_string() const;
  auto operator<=>(const Version&) const = default;

 private:
  std::array<unsigned long, 4> parts_{};
  int count_ = 3;
};

}  // namespace posfleet
