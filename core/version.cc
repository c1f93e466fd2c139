#include "core/version.h"

#include <charconv>

namespace posfleet {

Expected<Version> Version::parse(std::string_view text) {
  Version v;
  int n = 0;
  size_t pos = 0;
  auto bad = [&] {
    return make_error(Code::kInvalidArgument,
                      "version \"" + std::string(text) +
                          "\" is not MAJOR.MINOR.PATCH[.BUILD] with numbers only, e.g. 2.1.0");
  };
  while (true) {
    if (n == 4) return bad();
    size_t end = text.find('.', pos);
    std::string_view part =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (part.empty() || part.size() > 9) return bad();
    unsigned long value = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || ptr != part.data() + part.size()) return bad();
    v.parts_[n++] = value;
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  if (n < 3) return bad();
  v.count_ = n;
  return v;
}

std::string Version::to_string() const {
  std::string s;
  for (int i = 0; i < count_; ++i) {
    if (i) s += '.';
    s += std::to_string(parts_[i]);
  }
  return s;
}

}  // namespace posfleet
