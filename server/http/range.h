// posfleet server: HTTP Range header (RFC 9110 §14): one byte range, or a set of them (answered
// as multipart/byteranges, which zchunk clients such as swupdate's delta handler ask for).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.h"

namespace posfleet::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};

enum class RangeResult { kNone, kSatisfiable, kUnsatisfiable };

// Parses "bytes=a-b", "bytes=a-" or "bytes=-n" against a resource of `size`
// bytes. Multiple ranges are answered with the whole resource (kNone).
RangeResult parse_range(std::string_view header, std::uint64_t size, ByteRange& out);

// The most ranges one request may ask for; more are answered with the whole resource.
inline constexpr std::size_t kMaxRanges = 1000;

// Parses "bytes=" and a comma-separated list of ranges of the forms above. Ranges that start
// past the end are left out (kUnsatisfiable when none is left). The whole resource (kNone) for
// a header that is not a byte-range set, more than kMaxRanges ranges, or ranges that overlap
// or go backwards (RFC 9110 §14.2 lets a server ignore those: read as asked, a list of
// overlapping ranges would send many times the file).
RangeResult parse_ranges(std::string_view header, std::uint64_t size, std::vector<ByteRange>& out);

// The 206 body for several ranges of the file at `path` (`size` bytes): multipart/byteranges
// (RFC 9110 §14.6), each part with `part_type` and its Content-Range, between the boundary's
// lines. Returns the slice for Response::file and sets *content_type (with the boundary,
// random for each answer).
FileSlice byteranges_slice(const std::string& path, const std::vector<ByteRange>& ranges,
                           std::uint64_t size, std::string_view part_type,
                           std::string* content_type);

}  // namespace posfleet::http
