#include "server/http/range.h"

#include <charconv>
#include <random>

namespace posfleet::http {

namespace {
bool to_u64(std::string_view s, std::uint64_t& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One range-spec ("a-b", "a-", "-n").
RangeResult parse_one(std::string_view spec, std::uint64_t size, ByteRange& out) {
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

constexpr std::string_view kPrefix = "bytes=";
}  // namespace

RangeResult parse_range(std::string_view header, std::uint64_t size, ByteRange& out) {
  if (header.substr(0, kPrefix.size()) != kPrefix) return RangeResult::kNone;
  std::string_view spec = header.substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos) return RangeResult::kNone;
  return parse_one(spec, size, out);
}

RangeResult parse_ranges(std::string_view header, std::uint64_t size, std::vector<ByteRange>& out) {
  out.clear();
  if (header.substr(0, kPrefix.size()) != kPrefix) return RangeResult::kNone;
  std::string_view rest = header.substr(kPrefix.size());
  std::size_t specs = 0;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view spec = trimmed(rest.substr(0, comma));
    if (++specs > kMaxRanges) return out.clear(), RangeResult::kNone;
    ByteRange r;
    switch (parse_one(spec, size, r)) {
      case RangeResult::kNone:
        return out.clear(), RangeResult::kNone;
      case RangeResult::kUnsatisfiable:
        break;
      case RangeResult::kSatisfiable:
        if (!out.empty() && r.first < out.back().first + out.back().length)
          return out.clear(), RangeResult::kNone;  // overlapping, or out of order
        out.push_back(r);
        break;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out.empty() ? RangeResult::kUnsatisfiable : RangeResult::kSatisfiable;
}

FileSlice byteranges_slice(const std::string& path, const std::vector<ByteRange>& ranges,
                           std::uint64_t size, std::string_view part_type,
                           std::string* content_type) {
  static const char* hex = "0123456789abcdef";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string boundary = "posfleet-";
  for (int i = 0; i < 24; ++i) boundary.push_back(hex[rng() & 15]);
  *content_type = "multipart/byteranges; boundary=" + boundary;
  FileSlice slice{path, 0, 0, {}};
  for (const auto& r : ranges) {
    std::string head = slice.parts.empty() ? "" : "\r\n";
    head += "--" + boundary + "\r\nContent-Type: " + std::string(part_type) +
            "\r\nContent-Range: bytes " + std::to_string(r.first) + "-" +
            std::to_string(r.first + r.length - 1) + "/" + std::to_string(size) + "\r\n\r\n";
    slice.length += head.size() + r.length;
    slice.parts.push_back({std::move(head), r.first, r.length});
  }
  slice.tail = "\r\n--" + boundary + "--\r\n";
  slice.length += slice.tail.size();
  return slice;
}

}  // namespace posfleet::http
