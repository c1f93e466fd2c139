#include "core/identity_numbers.h"

#include <array>
#include <cctype>

namespace posfleet::identity {

namespace {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int digits_value(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool real_date(int y, int m, int d) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[static_cast<size_t>(m - 1)] + (m == 2 && leap ? 1 : 0);
}

// Province-level codes of GB/T 2260 (the first two digits of a resident ID).
bool mainland_region(int two) {
  switch (two / 10) {
    case 1:
      return two >= 11 && two <= 15;
    case 2:
      return two >= 21 && two <= 23;
    case 3:
      return two >= 31 && two <= 37;
    case 4:
      return two >= 41 && two <= 46;
    case 5:
      return two >= 50 && two <= 54;
    case 6:
      return two >= 61 && two <= 65;
    case 7:
      return two == 71;
    case 8:
      return two == 81 || two == 82;
  }
  return false;
}

constexpr std::string_view kCreditChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";

}  // namespace

const char* name(Flaw f) {
  switch (f) {
    case Flaw::kNone:
      return "ok";
    case Flaw::kLength:
      return "length";
    case Flaw::kCharacters:
      return "characters";
    case Flaw::kCheckCharacter:
      return "check_character";
    case Flaw::kBirthDate:
      return "birth_date";
    case Flaw::kRegion:
      return "region";
    case Flaw::kPrefix:
      return "prefix";
  }
  return "unknown";
}

Flaw check_resident_id(std::string_view id, std::int32_t today_yyyymmdd) {
  if (id.size() != 18) return Flaw::kLength;
  if (!all_digits(id.substr(0, 17))) return Flaw::kCharacters;
  char last = static_cast<char>(std::toupper(static_cast<unsigned char>(id[17])));
  if (!(std::isdigit(static_cast<unsigned char>(last)) || last == 'X')) return Flaw::kCharacters;
  if (!mainland_region(digits_value(id.substr(0, 2)))) return Flaw::kRegion;
  int y = digits_value(id.substr(6, 4)), m = digits_value(id.substr(10, 2)),
      d = digits_value(id.substr(12, 2));
  if (y < 1900 || !real_date(y, m, d) || y * 10000 + m * 100 + d > today_yyyymmdd)
    return Flaw::kBirthDate;
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (id[i] - '0') * kWeights[i];
  return "10X98765432"[sum % 11] == last ? Flaw::kNone : Flaw::kCheckCharacter;
}

Flaw check_credit_code(std::string_view code) {
  if (code.size() != 18) return Flaw::kLength;
  static constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                   29, 25, 13, 8,  24, 10, 30, 28};
  int sum = 0;
  std::array<size_t, 18> value{};
  for (size_t i = 0; i < 18; ++i) {
    auto pos =
        kCreditChars.find(static_cast<char>(std::toupper(static_cast<unsigned char>(code[i]))));
    if (pos == std::string_view::npos) return Flaw::kCharacters;
    value[i] = pos;
  }
  for (size_t i = 0; i < 17; ++i) sum += static_cast<int>(value[i]) * kWeights[i];
  size_t check = static_cast<size_t>((31 - sum % 31) % 31);
  return value[17] == check ? Flaw::kNone : Flaw::kCheckCharacter;
}

Flaw check_mobile(std::string_view phone) {
  std::string p = normalize_digits(phone);
  std::string_view v = p;
  if (v.starts_with("+86"))
    v.remove_prefix(3);
  else if (v.starts_with("0086"))
    v.remove_prefix(4);
  if (!all_digits(v)) return Flaw::kCharacters;
  if (v.size() != 11) return Flaw::kLength;
  return v[0] == '1' && v[1] >= '3' && v[1] <= '9' ? Flaw::kNone : Flaw::kPrefix;
}

Flaw check_card(std::string_view card) {
  std::string c = normalize_digits(card);
  if (!all_digits(c)) return Flaw::kCharacters;
  if (c.size() < 12 || c.size() > 19) return Flaw::kLength;
  int sum = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    int d = c[c.size() - 1 - i] - '0';
    if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 == 0 ? Flaw::kNone : Flaw::kCheckCharacter;
}

std::string normalize_digits(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '-') out += c;
  return out;
}

std::string mask_card(std::string_view card) {
  std::string c = normalize_digits(card);
  if (c.size() < 8) return std::string(c.size(), '*');
  std::string out = c.substr(0, 4);
  for (size_t i = 4; i + 4 < c.size(); i += 4) out += " ****";
  return out + " " + c.substr(c.size() - 4);
}

}  // namespace posfleet::identity
