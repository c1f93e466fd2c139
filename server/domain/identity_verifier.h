// posfleet server: the verification provider — who checks an applicant's
// identity, business and settlement card beyond their format.
//
// IdentityVerifier is the seam for a real identity (公安身份核验) or bank-card
// (银行卡要素核验) service: the operator implements it against their
// provider. The default, FormatOnlyVerifier, checks format and consistency
// only (check characters, birth date and age, Luhn, the phone's SMS code) and
// says so in every answer, so a reviewer never mistakes it for a real check.
// Thread-safety: verify() may be called from any thread.
#pragma once

#include <string>
#include <vector>

namespace posfleet::domain {

struct IdentityToCheck {
  std::string kind;  // individual | business
  std::string legal_name, resident_id, business_name, credit_code;
  std::string phone, card, bank;
  bool phone_verified = false;
};

struct CheckResult {
  std::string item;     // resident_id | business | card | phone
  std::string outcome;  // pass | fail | format_only
  std::string detail_zh, detail_en;
};

class IdentityVerifier {
 public:
  virtual ~IdentityVerifier() = default;
  virtual std::string name() const = 0;
  virtual std::vector<CheckResult> verify(const IdentityToCheck& who) = 0;
};

class FormatOnlyVerifier final : public IdentityVerifier {
 public:
  std::string name() const override { return "format-only"; }
  std::vector<CheckResult> verify(const IdentityToCheck& who) override;
};

// {"provider": name, "items": [{item, outcome, zh, en}, ...]}: how answers are kept with an
// application.
std::string checks_to_json(const std::string& provider, const std::vector<CheckResult>& checks);

}  // namespace posfleet::domain
