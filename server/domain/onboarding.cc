// The applicant's side of onboarding.h: phone codes, checking and submitting
// an application, and its status. The staff side is in onboarding_review.cc.
#include "server/domain/onboarding.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/clock.h"
#include "core/identity_numbers.h"
#include "core/json.h"
#include "server/domain/audit.h"
#include "server/domain/identity_verifier.h"
#include "server/domain/one_time_code.h"
#include "server/domain/secrets.h"
#include "server/domain/sms.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

namespace {

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// 11 digits, without +86 / 0086, spaces or hyphens.
std::string mobile_digits(const std::string& phone) {
  std::string p = identity::normalize_digits(phone);
  if (p.starts_with("+86")) return p.substr(3);
  if (p.starts_with("0086")) return p.substr(4);
  return p;
}

std::int32_t today_yyyymmdd() {
  const auto t = format_utc(unix_now());
  return std::stoi(t.substr(0, 4) + t.substr(5, 2) + t.substr(8, 2));
}

// Text fields: required, and at most `max` bytes (a Chinese character is 3).
void text_field(FieldErrors& e, const char* name, const std::string& v, size_t min, size_t max) {
  const auto t = trimmed(v);
  if (t.empty())
    e[name] = "required";
  else if (t.size() < min)
    e[name] = "too_short";
  else if (t.size() > max)
    e[name] = "too_long";
}

// The application number an applicant quotes: "PA" and 8 characters without
// look-alikes (no 0/O, 1/I/L).
std::string new_application_number() {
  static constexpr char kChars[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  std::string n = "PA";
  for (int i = 0; i < 8; ++i) n += kChars[randombytes_uniform(sizeof kChars - 1)];
  return n;
}

IdentityToCheck to_check(const ApplicationInput& in, bool phone_verified) {
  return {in.kind,
          trimmed(in.legal_name),
          upper(trimmed(in.resident_id)),
          trimmed(in.business_name),
          upper(trimmed(in.credit_code)),
          mobile_digits(in.phone),
          identity::normalize_digits(in.card),
          trimmed(in.bank),
          phone_verified};
}

}  // namespace

FieldErrors check_application(const Context& ctx, const ApplicationInput& in) {
  FieldErrors e;
  if (in.kind != "individual" && in.kind != "business") e["kind"] = "required";
  text_field(e, "legal_name", in.legal_name, 2, 150);
  const auto id = upper(trimmed(in.resident_id));
  if (id.empty())
    e["resident_id"] = "required";
  else if (auto f = identity::check_resident_id(id, today_yyyymmdd()); f != identity::Flaw::kNone)
    e["resident_id"] = identity::name(f);
  else if (std::stoi(id.substr(6, 8)) + 180000 > today_yyyymmdd())
    e["resident_id"] = "underage";
  if (in.kind == "business") {
    text_field(e, "business_name", in.business_name, 2, 300);
    const auto code = upper(trimmed(in.credit_code));
    if (code.empty())
      e["credit_code"] = "required";
    else if (auto f = identity::check_credit_code(code); f != identity::Flaw::kNone)
      e["credit_code"] = identity::name(f);
  }
  if (trimmed(in.phone).empty())
    e["phone"] = "required";
  else if (auto f = identity::check_mobile(in.phone); f != identity::Flaw::kNone)
    e["phone"] = identity::name(f);
  else if (in.phone_code_id <= 0)
    e["phone"] = "not_verified";
  if (trimmed(in.card).empty())
    e["card"] = "required";
  else if (auto f = identity::check_card(in.card); f != identity::Flaw::kNone)
    e["card"] = identity::name(f);
  text_field(e, "bank", in.bank, 2, 150);
  text_field(e, "address", in.address, 5, 600);
  const auto models = terminal_catalogue(ctx);
  if (in.model.empty())
    e["model"] = "required";
  else if (std::none_of(models.begin(), models.end(),
                        [&](const auto& m) { return m.id == in.model; }))
    e["model"] = "unknown_model";
  return e;
}

Expected<store::PhoneCodeRecord> send_phone_code(Context& ctx, const std::string& phone) {
  if (auto f = identity::check_mobile(phone); f != identity::Flaw::kNone)
    return make_error(
        Code::kInvalidArgument,
        std::string("phone is not a mainland mobile number (") + identity::name(f) + ")");
  const auto digits = mobile_digits(phone);
  const auto now = unix_now();
  const auto code = new_code();
  store::PhoneCodeRecord c{0,     digits, hash_code(code),        0, false,
                           false, now,    now + kPhoneCodeSeconds};
  // Counted and stored in one transaction, so requests at the same moment
  // cannot pass the limits together.
  auto st = ctx.store.transact([&](store::Tx& tx) -> Status {
    auto last_minute = tx.count_phone_codes_since(digits, now - kPhoneCodeGapSeconds);
    if (!last_minute) return last_minute.error();
    if (*last_minute > 0)
      return make_error(Code::kTooManyRequests,
                        "a code was sent less than a minute ago; wait and try again");
    auto last_hour = tx.count_phone_codes_since(digits, now - 3600);
    if (!last_hour) return last_hour.error();
    if (*last_hour >= kPhoneCodesPerHour)
      return make_error(Code::kTooManyRequests,
                        "too many codes for this number this hour; try again later");
    auto id = tx.insert_phone_code(c);
    if (!id) return id.error();
    c.id = *id;
    return ok_status();
  });
  if (!st) return st.error();
  if (auto s =
          ctx.sms->send(digits, "【posfleet】验证码 " + code +
                                    "，5 分钟内有效，用于申请收款终端。Your posfleet code is " +
                                    code + " (valid 5 minutes).");
      !s) {
    // The applicant is asked to try again; the code that never went out
    // counts towards the limits like any other (a minute's wait).
    spdlog::error("phone code {}: SMS not sent: {}", c.id, s.error().message);
    return make_error(Code::kUnavailable,
                      "the code could not be sent to your phone; wait a minute and try again");
  }
  return c;
}

Status confirm_phone_code(Context& ctx, std::int64_t id, const std::string& code) {
  auto c = ctx.store.phone_code(id);
  if (!c) return make_error(Code::kNotFound, "no such code; ask for a new one");
  if (c->verified) return ok_status();
  const auto now = unix_now();
  if (now >= c->expires)
    return make_error(Code::kUnauthorized, "the code has expired; ask for a new one");
  auto took = ctx.store.take_phone_code_try(id, kPhoneCodeTries, now);
  if (!took) return took.error();
  if (!*took) return make_error(Code::kUnauthorized, "too many wrong codes; ask for a new one");
  if (!code_matches(c->code_hash, trimmed(code))) {
    const int left = kPhoneCodeTries - c->attempts - 1;
    if (left <= 0)
      return make_error(Code::kUnauthorized, "too many wrong codes; ask for a new one");
    return make_error(Code::kUnauthorized, "wrong code; " + std::to_string(left) + " tries left");
  }
  return ctx.store.mark_phone_code_verified(id);
}

Expected<Submitted> submit_application(Context& ctx, const ApplicationInput& in) {
  Submitted out;
  out.errors = check_application(ctx, in);
  const auto phone = mobile_digits(in.phone);
  if (!out.errors.contains("phone")) {
    auto c = ctx.store.phone_code(in.phone_code_id);
    if (!c || c->phone != phone || !c->verified || c->used ||
        unix_now() >= c->created + kVerifiedPhoneSeconds)
      out.errors["phone"] = "not_verified";
  }
  if (!out.errors.empty()) return out;

  const auto check = to_check(in, true);
  auto& a = out.record;
  a.kind = in.kind;
  a.legal_name = check.legal_name;
  a.resident_id_enc = ctx.secrets->seal(check.resident_id);
  a.resident_id_index = ctx.secrets->index(check.resident_id);
  a.resident_id_masked = mask_resident_id(check.resident_id);
  if (in.kind == "business") {
    a.business_name = check.business_name;
    a.credit_code = check.credit_code;
  }
  a.phone = phone;
  a.card_enc = ctx.secrets->seal(check.card);
  a.card_masked = identity::mask_card(check.card);
  a.bank = check.bank;
  a.address = trimmed(in.address);
  a.model = in.model;
  a.checks_json = checks_to_json(ctx.verifier->name(), ctx.verifier->verify(check));
  a.created = a.updated = unix_now();
  // The code is spent, the application stored and audited in one transaction:
  // one code carries one application even when two arrive at once, and a
  // refused application leaves the code unspent.
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto used = tx.use_phone_code(in.phone_code_id, phone);
    if (!used) return used.error();
    if (!*used) {
      out.errors["phone"] = "not_verified";
      return ok_status();
    }
    for (int attempt = 0;; ++attempt) {
      a.number = new_application_number();
      // Each try in a savepoint of its own, so a refused insert leaves the rest standing.
      auto inserted = ctx.store.transact([&](store::Tx& one) -> Status {
        auto id = one.insert_application(a);
        if (!id) return id.error();
        a.id = *id;
        return ok_status();
      });
      if (inserted) break;
      if (inserted.error().code != Code::kConflict || attempt > 3) return inserted.error();
      if (auto same = tx.application_by_number(a.number); !same)  // not the number: the resident ID
        return make_error(Code::kConflict,
                          "an application with this resident ID is already in progress; check "
                          "its status with the application number you were given");
    }
    return record_audit(
        tx, {a.legal_name, "applicant", "public"}, "application.submit", "application:" + a.number,
        "", a.kind + " " + a.model + " " + a.resident_id_masked + " " + a.card_masked, "");
  });
  if (!st) return st.error();
  if (!out.errors.empty()) return out;
  // After the commit: the applicant already sees the number on the screen, so
  // a message that cannot be sent is only logged for the operator.
  if (auto s = ctx.sms->send(phone, "【posfleet】终端申请已提交，申请编号 " + a.number +
                                        "，可凭编号和手机号查询进度。Application " + a.number +
                                        " received; check its status with this number and your "
                                        "phone.");
      !s)
    spdlog::error("application {}: SMS to the applicant not sent: {}", a.number, s.error().message);
  return out;
}

Expected<store::ApplicationRecord> application_status(Context& ctx, const std::string& number,
                                                      const std::string& phone) {
  auto a = ctx.store.application_by_number(upper(trimmed(number)));
  if (!a || !equal_constant_time(a->phone, mobile_digits(phone)))
    return make_error(Code::kNotFound,
                      "no application with this number and phone; check both and try again");
  return a;
}

}  // namespace posfleet::domain
