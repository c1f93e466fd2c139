// Fuzz target: the identity-number checks an applicant's form goes through
// (core/identity_numbers.h) — resident identity number, unified social credit code, mobile and
// card numbers — with the normalizing and masking the console shows, and their invariants: a
// well-formed number is refused for no other reason, a mask never shows a middle digit.
#include <cstdint>
#include <string>

#include "core/identity_numbers.h"
#include "fuzz/fuzz_support.h"

using namespace posfleet;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  const auto text = fuzz::as_text(data, size);
  for (std::int32_t today : {20261202, 19000101, 0, -1, 99991231}) {
    auto f = identity::check_resident_id(text, today);
    FUZZ_CHECK(identity::name(f) != nullptr, "a flaw without a name");
  }
  (void)identity::name(identity::check_credit_code(text));
  (void)identity::name(identity::check_mobile(text));
  const auto card_flaw = identity::check_card(text);
  const std::string digits = identity::normalize_digits(text);
  FUZZ_CHECK(digits.find_first_of(" -") == std::string::npos, "normalize left a space or hyphen");
  const std::string masked = identity::mask_card(text);
  if (card_flaw == identity::Flaw::kNone) {
    // A valid card (12-19 digits) shows its first and last four digits, nothing between.
    FUZZ_CHECK(masked.substr(0, 4) == digits.substr(0, 4), "mask lost the first four digits");
    FUZZ_CHECK(masked.substr(masked.size() - 4) == digits.substr(digits.size() - 4),
               "mask lost the last four digits");
    FUZZ_CHECK(masked.substr(4, masked.size() - 8).find_first_of("0123456789") == std::string::npos,
               "mask shows a middle digit");
  }
  return 0;
}
