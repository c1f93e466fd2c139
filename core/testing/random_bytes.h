// posfleet test support: reproducible random bytes, for tests of file formats.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace posfleet::testing {

inline std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

}  // namespace posfleet::testing
