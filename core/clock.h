// posfleet core: UTC timestamps in the one text form posfleet writes,
// "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC, whole seconds).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet {

std::int64_t unix_now();
std::string format_utc(std::int64_t unix_seconds);
Expected<std::int64_t> parse_utc(std::string_view text);

}  // namespace posfleet
