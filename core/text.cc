#include "core/text.h"

#include <cstdio>

namespace posfleet::text {

namespace {

struct Step {
  bool valid;
  std::size_t bytes;  // the character's length, or the ill-formed maximal subpart's
};

// One character at s[i] by Unicode's Table 3-7 (well-formed UTF-8 byte sequences).
Step step(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return {true, 1};
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {false, 1};
  }
  for (std::size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return {false, k};
    const unsigned char x = b(k);
    if (k == 1 ? (x < lo || x > hi) : (x < 0x80 || x > 0xBF)) return {false, k};
  }
  return {true, need + 1};
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

char32_t code_point(std::string_view s, std::size_t i, std::size_t bytes) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (bytes == 1) return c;
  char32_t cp = c & (0xFF >> (bytes + 1));
  for (std::size_t k = 1; k < bytes; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto st = step(s, i);
    if (!st.valid) return false;
    i += st.bytes;
  }
  return true;
}

std::size_t length(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); i += step(s, i).bytes) ++n;
  return n;
}

std::string_view truncate_bytes(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t end = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto st = step(s, i);
    if (i + st.bytes > max_bytes) break;
    i += st.bytes;
    end = i;
  }
  return s.substr(0, end);
}

std::string_view truncate_chars(std::string_view s, std::size_t max_chars) {
  std::size_t i = 0;
  for (std::size_t n = 0; i < s.size() && n < max_chars; ++n) i += step(s, i).bytes;
  return s.substr(0, i);
}

std::string to_valid_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    auto st = step(s, i);
    if (st.valid)
      out.append(s.substr(i, st.bytes));
    else
      out += "\xEF\xBF\xBD";  // U+FFFD
    i += st.bytes;
  }
  return out;
}

std::string safe_echo(std::string_view s, std::size_t max_chars) {
  std::string out;
  std::size_t n = 0, i = 0;
  for (; i < s.size() && n < max_chars; ++n) {
    auto st = step(s, i);
    const char32_t cp = st.valid ? code_point(s, i, st.bytes) : 0xFFFD;
    if (!st.valid) {
      out += "\xEF\xBF\xBD";
    } else if (is_control(cp)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(s.substr(i, st.bytes));
    }
    i += st.bytes;
  }
  if (i < s.size()) out += "…";
  return out;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Status check_field(std::string_view field, std::string_view value, std::size_t max_chars,
                   Lines lines) {
  const std::string name(field);
  std::size_t n = 0;
  for (std::size_t i = 0; i < value.size(); ++n) {
    auto st = step(value, i);
    if (!st.valid)
      return make_error(Code::kInvalidArgument, name + " is not valid UTF-8 text (byte " +
                                                    std::to_string(i + 1) + "); send it as UTF-8");
    const char32_t cp = code_point(value, i, st.bytes);
    const bool allowed_space = lines == Lines::kMany && (cp == '\t' || cp == '\n' || cp == '\r');
    if (is_control(cp) && !allowed_space)
      return make_error(Code::kInvalidArgument,
                        name + " must not contain control characters (character " +
                            std::to_string(n + 1) + " is one)");
    i += st.bytes;
  }
  if (n > max_chars)
    return make_error(Code::kInvalidArgument,
                      name + " has " + std::to_string(n) + " characters; at most " +
                          std::to_string(max_chars) + " are allowed: shorten it");
  return ok_status();
}

}  // namespace posfleet::text
