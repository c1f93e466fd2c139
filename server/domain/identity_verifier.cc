#include "server/domain/identity_verifier.h"

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/identity_numbers.h"
#include "core/json.h"

namespace posfleet::domain {

namespace {

CheckResult format_check(const std::string& item, bool ok, const std::string& zh,
                         const std::string& en) {
  if (!ok) return {item, "fail", zh + "：格式不正确", en + ": the format is wrong"};
  return {item, "format_only", zh + "：格式和校验位正确（仅核对格式，未向核验服务查询）",
          en + ": format and check character are right (format only; not checked with a "
               "verification service)"};
}

}  // namespace

std::vector<CheckResult> FormatOnlyVerifier::verify(const IdentityToCheck& who) {
  const auto today = format_utc(unix_now());  // "YYYY-MM-DD..."
  const std::int32_t yyyymmdd =
      std::stoi(today.substr(0, 4) + today.substr(5, 2) + today.substr(8, 2));
  std::vector<CheckResult> out;
  out.push_back(
      format_check("resident_id",
                   identity::check_resident_id(who.resident_id, yyyymmdd) == identity::Flaw::kNone,
                   "身份证号（" + who.legal_name + "）", "Resident ID (" + who.legal_name + ")"));
  if (who.kind == "business")
    out.push_back(format_check(
        "business", identity::check_credit_code(who.credit_code) == identity::Flaw::kNone,
        "统一社会信用代码（" + who.business_name + "）",
        "Unified social credit code (" + who.business_name + ")"));
  out.push_back(format_check("card", identity::check_card(who.card) == identity::Flaw::kNone,
                             "结算银行卡（" + who.bank + "，Luhn 校验）",
                             "Settlement card (" + who.bank + ", Luhn check)"));
  if (who.phone_verified)
    out.push_back({"phone", "pass", "手机号：申请人已输入短信验证码",
                   "Mobile number: the applicant typed the SMS code"});
  else
    out.push_back(
        {"phone", "fail", "手机号：未通过短信验证", "Mobile number: not verified by SMS code"});
  return out;
}

std::string checks_to_json(const std::string& provider, const std::vector<CheckResult>& checks) {
  boost::json::array items;
  for (const auto& c : checks)
    items.push_back(boost::json::object{
        {"item", c.item}, {"outcome", c.outcome}, {"zh", c.detail_zh}, {"en", c.detail_en}});
  return json::serialize(boost::json::object{{"provider", provider}, {"items", items}});
}

}  // namespace posfleet::domain
