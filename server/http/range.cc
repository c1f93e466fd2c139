#include "server/http/range.h"

#include <charconv>

namespace posfleet::http {

namespace {
bool to_u64(std::string_view s, std::uint64_t& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

RangeResult parse_range(std::string_view header, std::uint64_t size, ByteRange& out) {
  constexpr std::string_view kPrefix = "bytes=";
  if (header.substr(0, kPrefix.size()) != kPrefix) return RangeResult::kNone;
  std::string_view spec = header.substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos) return RangeResult::kNone;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::kNone;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  std::uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix range: the last n bytes
    std::uint64_t n = 0;
    if (!to_u64(b, n)) return RangeResult::kNone;
    if (n == 0 || size == 0) return RangeResult::kUnsatisfiable;
    first = n >= size ? 0 : size - n;
    last = size - 1;
  } else {
    if (!to_u64(a, first)) return RangeResult::kNone;
    if (b.empty())
      last = size ? size - 1 : 0;
    else if (!to_u64(b, last) || last < first)
      return RangeResult::kNone;
    if (first >= size) return RangeResult::kUnsatisfiable;
    if (last >= size) last = size - 1;
  }
  out.first = first;
  out.length = last - first + 1;
  return RangeResult::kSatisfiable;
}

}  // namespace posfleet::http
