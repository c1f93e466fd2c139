#include "core/scrub.h"

#include <cctype>

#include "core/identity_numbers.h"
#include "core/text.h"

namespace posfleet {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// The end of a run of digits starting at `i`, where single spaces or hyphens may separate
// groups (how card numbers are written); an ID's final X belongs to it.
std::size_t run_end(std::string_view s, std::size_t i) {
  std::size_t end = i;
  while (end < s.size()) {
    if (digit(s[end])) {
      ++end;
    } else if ((s[end] == ' ' || s[end] == '-') && end + 1 < s.size() && digit(s[end + 1])) {
      ++end;
    } else {
      break;
    }
  }
  if (end < s.size() && (s[end] == 'X' || s[end] == 'x')) ++end;
  return end;
}

}  // namespace

std::string scrub_sensitive(std::string_view in) {
  const std::string valid = text::to_valid_utf8(in);
  const std::string_view s = valid;
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    // A number starts a run only where a word starts: "A1234…" is a code, not a card.
    const bool starts =
        digit(s[i]) &&
        (i == 0 || !(digit(s[i - 1]) || std::isalpha(static_cast<unsigned char>(s[i - 1]))));
    if (!starts) {
      out += s[i++];
      continue;
    }
    const std::size_t end = run_end(s, i);
    const std::string_view run = s.substr(i, end - i);
    const std::string digits = identity::normalize_digits(run);
    // The whole run, then the run without a trailing X, tried as each kind of number.
    if (digits.size() == 18 &&
        identity::check_resident_id(digits, 99991231) == identity::Flaw::kNone) {
      out += "[id]";
    } else if (std::string plain = digits.back() == 'X' || digits.back() == 'x'
                                       ? digits.substr(0, digits.size() - 1)
                                       : digits;
               plain.size() >= 12 && plain.size() <= 19 &&
               identity::check_card(plain) == identity::Flaw::kNone) {
      out += "[card]";
      if (plain.size() != digits.size()) out += run.back();
    } else {
      out.append(run);
    }
    i = end;
  }
  return out;
}

}  // namespace posfleet
