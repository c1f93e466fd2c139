#include "core/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace posfleet {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

std::string format_utc(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Years before 1000 and negative fields ("0153-…", "T-1:…") are refused: format_utc could not
// write them back, so a manifest signed with one changed on a trip through its text (found by
// fuzz/manifest_fuzz, regression seed expires_year_153.json).
Expected<std::int64_t> parse_utc(std::string_view text) {
  std::tm tm{};
  int y, mo, d, h, mi, s;
  char z = 0;
  std::string str(text);
  if (str.size() != 20 ||
      std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 ||
      z != 'Z' || y < 1000 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
      mi > 59 || s < 0 || s > 60)
    return make_error(Code::kParse,
                      "time \"" + str + "\" is not UTC in the form 2027-01-31T00:00:00Z");
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace posfleet
