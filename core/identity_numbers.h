// posfleet core: format checks for the numbers an applicant types — the
// resident identity number (GB 11643), the unified social credit code
// (GB 32100), a mainland mobile number, and a bank card number (Luhn).
//
// These say whether a number is well formed, never whether it belongs to the
// person: that is the verification provider's job (server/domain). Each check
// answers which rule failed, so the console and the API can say so in the
// user's language. Input is taken as typed; spaces and hyphens inside card and
// phone numbers are allowed and removed by normalize_digits().
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace posfleet::identity {

// Why a number is refused. Stable names (name()) travel in API errors.
enum class Flaw {
  kNone = 0,
  kLength,          // wrong number of characters
  kCharacters,      // a character that cannot appear there
  kCheckCharacter,  // the final check character does not match (a typo)
  kBirthDate,       // not a real date, before 1900, or in the future
  kRegion,          // the leading region code is not a mainland province
  kPrefix,          // a phone number that is not a mobile number
};
const char* name(Flaw f);

// GB 11643-1999: 17 digits and a check character (0-9 or X, any case); digits
// 7-14 are the birth date YYYYMMDD, which must be real, from 1900 on and not
// after `today_yyyymmdd`.
Flaw check_resident_id(std::string_view id, std::int32_t today_yyyymmdd);

// GB 32100-2015: 18 characters of 0-9 and A-Y without I, O, S, V, Z; the last
// is the check character (mod 31).
Flaw check_credit_code(std::string_view code);

// A mainland mobile number: 11 digits starting 13-19, optionally after +86.
Flaw check_mobile(std::string_view phone);

// A bank card number: 12-19 digits passing the Luhn check.
Flaw check_card(std::string_view card);

// `s` without spaces and hyphens (how people write card and phone numbers).
std::string normalize_digits(std::string_view s);

// A card number as the console shows it: "6222 **** **** 1234" (first 4 and
// last 4 digits in groups of four).
std::string mask_card(std::string_view card);

}  // namespace posfleet::identity
