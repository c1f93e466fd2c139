// posfleet server: HTTP Range header (RFC 9110 §14) for one byte range.
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace posfleet::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};

enum class RangeResult { kNone, kSatisfiable, kUnsatisfiable };

// Parses "bytes=a-b", "bytes=a-" or "bytes=-n" against a resource of `size`
// bytes. Multiple ranges are answered with the whole resource (kNone).
RangeResult parse_range(std::string_view header, std::uint64_t size, ByteRange& out);

}  // namespace posfleet::http
