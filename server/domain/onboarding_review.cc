// The staff and terminal side of onboarding.h: review, approval with
// terminals and activation codes, rejection, shipping, enrolment, and
// re-sealing after a key rotation.
#include <sodium.h>

#include <algorithm>
#include <functional>
#include <set>

#include "core/clock.h"
#include "core/hashing.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/identity_verifier.h"
#include "server/domain/onboarding.h"
#include "server/domain/secrets.h"
#include "server/domain/sms.h"
#include "server/domain/support.h"
#include "server/domain/terminals.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

namespace {

std::string target(const store::ApplicationRecord& a) { return "application:" + a.number; }

Status expect_status(const store::ApplicationRecord& a, const std::string& want,
                     const std::string& doing) {
  if (a.status == want) return ok_status();
  return make_error(Code::kConflict, "application " + a.number + " is " + a.status + "; only a " +
                                         want + " application can be " + doing);
}

// "XXXX-XXXX-XXXX" without look-alikes; about 58 bits.
std::string new_activation_code() {
  static constexpr char kChars[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  std::string c;
  for (int i = 0; i < 12; ++i) {
    if (i && i % 4 == 0) c += '-';
    c += kChars[randombytes_uniform(sizeof kChars - 1)];
  }
  return c;
}

// What is hashed: upper case, no hyphens or spaces, so "abcd efgh-jkmn" works.
std::string activation_hash(const std::string& code) {
  std::string n;
  for (char ch : code)
    if (ch != '-' && ch != ' ')
      n += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return sha256_hex("posfleet activation:" + n);
}

// Writes `a` if no other step changed the application since it was read with `was`.
Status save(Context& ctx, const store::ApplicationRecord& a, const std::string& was) {
  auto saved = ctx.store.update_application(a, was);
  if (!saved) return saved.error();
  if (!*saved)
    return make_error(Code::kConflict, "application " + a.number +
                                           " was changed by someone else meanwhile; reload it");
  return ok_status();
}

Status sms(Context& ctx, const store::ApplicationRecord& a, const std::string& zh,
           const std::string& en) {
  return ctx.sms->send(a.phone, "【posfleet】" + zh + " " + en);
}

}  // namespace

Expected<store::ApplicationRecord> reverify_application(Context& ctx, std::int64_t id,
                                                        const Actor& who) {
  auto a = ctx.store.application(id);
  if (!a) return a.error();
  auto resident_id = ctx.secrets->unseal(a->resident_id_enc);
  auto card = ctx.secrets->unseal(a->card_enc);
  if (!resident_id) return resident_id.error();
  if (!card) return card.error();
  IdentityToCheck check{
      a->kind, a->legal_name, *resident_id, a->business_name, a->credit_code, a->phone,
      *card,   a->bank,       true};
  a->checks_json = checks_to_json(ctx.verifier->name(), ctx.verifier->verify(check));
  a->updated = unix_now();
  if (auto s = save(ctx, *a, a->status); !s) return s.error();
  record_audit(ctx, who, "application.verify", target(*a), "", ctx.verifier->name(), "");
  return a;
}

Expected<Approved> approve_application(Context& ctx, std::int64_t id,
                                       const std::vector<std::string>& serials,
                                       const std::string& reason, const Actor& who) {
  auto a = ctx.store.application(id);
  if (!a) return a.error();
  if (auto s = expect_status(*a, "submitted", "approved"); !s) return s.error();
  if (serials.empty() || serials.size() > static_cast<size_t>(kMaxTerminalsPerApplication))
    return make_error(Code::kInvalidArgument, "assign 1 to " +
                                                  std::to_string(kMaxTerminalsPerApplication) +
                                                  " terminal serial numbers of model " + a->model);
  if (std::set<std::string>(serials.begin(), serials.end()).size() != serials.size())
    return make_error(Code::kInvalidArgument, "a serial number is listed twice");
  if (auto s = check_reason(
          reason, "say why the application is approved (e.g. documents complete); it is audited");
      !s)
    return s.error();
  // Everything is checked before the merchant is created, so a refusal leaves nothing behind.
  for (const auto& serial : serials)
    if (!valid_serial(serial))
      return make_error(Code::kInvalidArgument,
                        "serial \"" + text::safe_echo(serial) +
                            "\" must be 1-64 letters, digits, '.', '_' or '-'");
  for (const auto& serial : serials)
    if (ctx.store.terminal_by_serial(ctx.tenant, serial))
      return make_error(Code::kConflict,
                        "terminal " + serial + " is already registered; assign another one");

  auto resident_id = ctx.secrets->unseal(a->resident_id_enc);
  if (!resident_id) return resident_id.error();
  // Claimed first, so two reviewers approving at once cannot both go on.
  a->status = "approving";
  a->updated = unix_now();
  if (auto s = save(ctx, *a, "submitted"); !s) return s.error();
  auto give_back = [&](const Error& e) -> Error {
    auto back = *a;
    back.status = "submitted";
    ctx.store.update_application(back, "approving");
    return e;
  };
  // The merchant is the person who applied: support verifies them by name and ID digits.
  auto merchant = create_merchant(ctx, a->legal_name, a->phone, *resident_id, who);
  if (!merchant) return give_back(merchant.error());

  Approved out;
  const auto now = unix_now();
  for (const auto& serial : serials) {
    auto t = register_terminal(ctx, serial, a->model);  // its token is replaced at enrolment
    if (!t) return give_back(t.error());
    if (auto s = link_terminal(ctx, merchant->id, serial, who); !s) return give_back(s.error());
    auto code = new_activation_code();
    store::ActivationRecord act{0,
                                activation_hash(code),
                                serial,
                                a->model,
                                a->id,
                                merchant->id,
                                now + kActivationDays * 86400,
                                0,
                                now};
    if (auto aid = ctx.store.insert_activation(act); !aid) return give_back(aid.error());
    out.codes.emplace_back(serial, code);
  }
  std::string csv;
  for (const auto& s : serials) csv += (csv.empty() ? "" : ",") + s;
  a->status = "approved";
  a->reason = reason;
  a->reviewer = who.name;
  a->serials_csv = csv;
  a->merchant_id = merchant->id;
  a->updated = now;
  if (auto s = save(ctx, *a, "approving"); !s) return s.error();
  record_audit(ctx, who, "application.approve", target(*a), "submitted",
               "approved: merchant " + std::to_string(merchant->id) + ", terminals " + csv, reason);
  sms(ctx, *a, "您的终端申请 " + a->number + " 已通过审核，终端将尽快寄出。",
      "Your terminal application " + a->number +
          " is approved; the terminal will be shipped soon.");
  out.record = *a;
  return out;
}

Expected<std::string> reissue_activation(Context& ctx, std::int64_t id, const std::string& serial,
                                         const std::string& reason, const Actor& who) {
  auto a = ctx.store.application(id);
  if (!a) return a.error();
  auto acts = ctx.store.activations_of(a->id);
  if (!acts) return acts.error();
  const auto it = std::find_if(acts->begin(), acts->end(),
                               [&](const auto& act) { return act.serial == serial; });
  if (it == acts->end())
    return make_error(Code::kNotFound,
                      "terminal " + serial + " is not one of application " + a->number + "'s");
  if (auto s = check_reason(reason,
                            "say why a new code is needed (e.g. the slip was lost); it is audited");
      !s)
    return s.error();
  if (auto s = ctx.store.replace_activations(a->id, serial); !s) return s.error();
  const auto now = unix_now();
  auto code = new_activation_code();
  store::ActivationRecord act{0,
                              activation_hash(code),
                              serial,
                              it->model,
                              a->id,
                              it->merchant_id,
                              now + kActivationDays * 86400,
                              0,
                              now};
  if (auto aid = ctx.store.insert_activation(act); !aid) return aid.error();
  record_audit(ctx, who, "application.activation_code", target(*a), "", "new code for " + serial,
               reason);
  return code;
}

Expected<store::ApplicationRecord> reject_application(Context& ctx, std::int64_t id,
                                                      const std::string& reason, const Actor& who) {
  auto a = ctx.store.application(id);
  if (!a) return a.error();
  if (auto s = expect_status(*a, "submitted", "rejected"); !s) return s.error();
  if (auto s = check_reason(reason, "say why the application is rejected; the applicant is told");
      !s)
    return s.error();
  a->status = "rejected";
  a->reason = reason;
  a->reviewer = who.name;
  a->updated = unix_now();
  if (auto s = save(ctx, *a, "submitted"); !s) return s.error();
  record_audit(ctx, who, "application.reject", target(*a), "submitted", "rejected", reason);
  sms(ctx, *a, "很抱歉，您的终端申请 " + a->number + " 未通过审核：" + reason,
      "Sorry, your terminal application " + a->number + " was not approved: " + reason);
  return a;
}

Expected<store::ApplicationRecord> record_shipping(Context& ctx, std::int64_t id,
                                                   const std::string& carrier,
                                                   const std::string& tracking, const Actor& who) {
  auto a = ctx.store.application(id);
  if (!a) return a.error();
  // A terminal handed over and enrolled before the parcel was recorded stays activated.
  if (a->status != "activated")
    if (auto s = expect_status(*a, "approved", "shipped"); !s) return s.error();
  if (carrier.empty() || carrier.size() > 60 || tracking.empty() || tracking.size() > 60)
    return make_error(Code::kInvalidArgument,
                      "carrier and tracking number are required (at most 60 characters each)");
  const std::string was = a->status;
  if (was == "approved") a->status = "shipped";
  a->carrier = carrier;
  a->tracking = tracking;
  a->updated = unix_now();
  if (auto s = save(ctx, *a, was); !s) return s.error();
  record_audit(ctx, who, "application.ship", target(*a), was, carrier + " " + tracking, "");
  sms(ctx, *a,
      "您申请的终端已由 " + carrier + " 寄出，运单号 " + tracking +
          "。收到后请按说明书用激活码激活。",
      "Your terminal was shipped by " + carrier + ", tracking number " + tracking +
          ". Activate it with the code in the box.");
  return a;
}

Expected<Enrolled> enroll_terminal(Context& ctx, const std::string& code, const std::string& serial,
                                   const std::string& model, const std::string& remote) {
  const Actor terminal{serial, "terminal", "terminal"};
  auto act = ctx.store.activation_by_hash(activation_hash(code));
  if (!act) {
    record_audit(ctx, terminal, "terminal.enroll.refused", "terminal:" + serial, "", remote,
                 "unknown code");
    return make_error(Code::kNotFound,
                      "this activation code is not valid; check it against the slip in the box");
  }
  if (act->serial != serial)
    return make_error(Code::kConflict,
                      "this activation code is for another terminal; use the code on the slip that "
                      "came with this terminal (" +
                          serial + ")");
  if (act->model != model) {
    record_audit(ctx, terminal, "terminal.enroll.refused", "terminal:" + serial, "", remote,
                 "model " + model + " but the code is for a " + act->model);
    return make_error(Code::kConflict, "this terminal reports model " + model +
                                           " but was registered as a " + act->model +
                                           "; call support (the wrong unit may have been shipped)");
  }
  if (auto t = ctx.store.terminal_by_serial(ctx.tenant, serial); t && t->retired) {
    record_audit(ctx, terminal, "terminal.enroll.refused", "terminal:" + serial, "", remote,
                 "terminal retired");
    return make_error(Code::kConflict,
                      "this terminal was retired; call support to have it registered again");
  }
  const auto now = unix_now();
  auto took = ctx.store.use_activation(act->id, now);
  if (!took) return took.error();
  if (!*took) {
    record_audit(ctx, terminal, "terminal.enroll.refused", "terminal:" + serial, "", remote,
                 act->used < 0 ? "code replaced"
                 : act->used   ? "code already used"
                               : "code expired");
    if (act->used < 0)
      return make_error(Code::kConflict,
                        "this activation code was replaced by a newer one; use the new code");
    if (act->used)
      return make_error(Code::kConflict,
                        "this activation code has already been used; call support");
    return make_error(Code::kUnauthorized,
                      "this activation code has expired; call support for a new one");
  }
  auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
  if (!t) return t.error();
  Enrolled out;
  out.token = new_token();
  if (auto s = ctx.store.set_terminal_token(t->id, hash_token(out.token)); !s) return s.error();
  out.terminal = *t;
  record_audit(ctx, terminal, "terminal.enroll", "terminal:" + serial, "",
               "merchant " + std::to_string(act->merchant_id), "");
  for (int attempt = 0; attempt < 3; ++attempt) {  // shipping may be recorded at the same moment
    auto a = ctx.store.application(act->application_id);
    if (!a || (a->status != "approved" && a->status != "shipped")) break;
    const std::string was = a->status;
    a->status = "activated";
    a->updated = now;
    if (auto saved = ctx.store.update_application(*a, was); !saved || *saved) break;
  }
  return out;
}

namespace {

// Calls `f` on every application and every merchant (for re-sealing).
Status each_sealed(Context& ctx,
                   const std::function<Status(store::ApplicationRecord&)>& application,
                   const std::function<Status(const store::MerchantRecord&)>& merchant) {
  for (std::int64_t offset = 0;; offset += 200) {
    auto page = ctx.store.list_applications("", offset, 200);
    if (!page) return page.error();
    for (auto& a : *page)
      if (auto s = application(a); !s) return s;
    if (page->size() < 200) break;
  }
  for (std::int64_t after = 0;;) {
    auto page = ctx.store.merchants_after(after, 200);
    if (!page) return page.error();
    for (const auto& m : *page) {
      if (auto s = merchant(m); !s) return s;
      after = m.id;
    }
    if (page->size() < 200) break;
  }
  return ok_status();
}

}  // namespace

Expected<std::int64_t> reseal_all(Context& ctx) {
  std::int64_t n = 0;
  auto resealed = each_sealed(
      ctx,
      [&](store::ApplicationRecord& a) -> Status {
        auto id = ctx.secrets->unseal(a.resident_id_enc);
        auto card = ctx.secrets->unseal(a.card_enc);
        if (!id) return id.error();
        if (!card) return card.error();
        a.resident_id_enc = ctx.secrets->seal(*id);
        a.resident_id_index = ctx.secrets->index(*id);
        a.card_enc = ctx.secrets->seal(*card);
        n += 2;
        return save(ctx, a, a.status);
      },
      [&](const store::MerchantRecord& m) -> Status {
        auto id = ctx.secrets->unseal(m.resident_id_enc);
        if (!id) return id.error();
        ++n;
        return ctx.store.set_merchant_resident_id(m.id, ctx.secrets->seal(*id));
      });
  if (!resealed) return resealed.error();
  if (auto s = ctx.store.flush(); !s) return s.error();
  auto current = [&](const std::string& sealed) -> Status {
    if (ctx.secrets->sealed_with_current_key(sealed)) return ok_status();
    return make_error(Code::kInternal,
                      "a value is still sealed with the old key; the old key is kept");
  };
  auto checked = each_sealed(
      ctx,
      [&](store::ApplicationRecord& a) -> Status {
        if (auto s = current(a.resident_id_enc); !s) return s;
        return current(a.card_enc);
      },
      [&](const store::MerchantRecord& m) { return current(m.resident_id_enc); });
  if (!checked) return checked.error();
  return n;
}

}  // namespace posfleet::domain
