// posfleet fuzz targets: what every target shares.
//
// A target's input is split the way its seed files in fuzz/corpus/<name>/ are written, so a
// seed stays readable: split_first_line() takes a selector line off the front. An invariant a
// target checks (a round trip, a signature it just made) fails with FUZZ_CHECK, which prints
// what broke and aborts, so libFuzzer keeps the input as a crash.
// Thread-safety: libFuzzer calls a target from one thread.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/signing.h"

#define FUZZ_CHECK(cond, what)                                               \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "fuzz invariant broken: %s (%s)\n", what, #cond); \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

namespace posfleet::fuzz {

inline std::string_view as_text(const unsigned char* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// ("first line", "the rest") of `text`; the line without its '\n'.
inline std::pair<std::string_view, std::string_view> split_first_line(std::string_view text) {
  auto nl = text.find('\n');
  if (nl == std::string_view::npos) return {text, {}};
  return {text.substr(0, nl), text.substr(nl + 1)};
}

// Quiet logs (a fuzzer runs millions of inputs) and libsodium ready. Call once.
inline void init_quietly() {
  spdlog::set_level(spdlog::level::off);
  if (!init_crypto()) std::abort();
}

// A signing key derived from a fixed seed: the same key in every run, so that seed files can
// carry its signatures. Fuzzing only; never a product key.
SigningKey fixed_signing_key(unsigned char seed_byte);

}  // namespace posfleet::fuzz
