// The staff and terminal side of onboarding.h: review, approval with
// terminals and activation codes, rejection, shipping, enrolment, and
// re-sealing after a key rotation.
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include "core/clock.h"
#include "core/hashing.h"
#include "core/text.h"
#include "core/unlock_code.h"
#include "server/domain/audit.h"
#include "server/domain/device_certs.h"
#include "server/domain/identity_verifier.h"
#include "server/domain/onboarding.h"
#include "server/domain/parameters.h"
#include "server/domain/secrets.h"
#include "server/domain/sms.h"
#include "server/domain/support.h"
#include "server/domain/terminal_lock.h"
#include "server/domain/terminals.h"
#include "server/domain/time_zones.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

namespace {

std::string target(const store::ApplicationRecord& a) { return "application:" + a.number; }

Status expect_status(const store::ApplicationRecord& a, ApplicationStatus want,
                     const std::string& doing) {
  if (a.status == to_string(want)) return ok_status();
  return make_error(Code::kWrongState, "application " + a.number + " is " + a.status + "; only a " +
                                           to_string(want) + " application can be " + doing);
}

// "XXXX-XXXX-XXXX" without look-alikes; about 59 bits (core/unlock_code.h).
std::string new_activation_code() { return new_readable_code(); }

// What is hashed: upper case, no hyphens or spaces, so "abcd efgh-jkmn" works.
std::string activation_hash(const std::string& code) {
  std::string n;
  for (char ch : code)
    if (ch != '-' && ch != ' ')
      n += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return sha256_hex("posfleet activation:" + n);
}

// Application `id` as this transaction reads it, if it lies in `who`'s organisation's subtree:
// one given elsewhere since the route checked it is "no application N", as one that does not
// exist (organisations.h application_in).
Expected<store::ApplicationRecord> application_of(store::Tx& tx, std::int64_t id,
                                                  const Actor& who) {
  auto a = tx.application(id);
  if (!a || who.organisation == store::kRootOrganisation || a->org_id == who.organisation) return a;
  auto mine = organisation_path(tx, who.organisation);
  auto its = organisation_path(tx, a->org_id);
  if (!mine) return mine.error();
  if (!its) return its.error();
  if (!its->starts_with(*mine))
    return make_error(Code::kNotFound, "no application " + std::to_string(id));
  return a;
}

// Writes `a` if no other step changed the application since it was read with `was`.
Status save(store::Tx& tx, const store::ApplicationRecord& a, const std::string& was) {
  auto saved = tx.update_application(a, was);
  if (!saved) return saved.error();
  if (!*saved)
    return make_error(Code::kConflict, "application " + a.number +
                                           " was changed by someone else meanwhile; reload it");
  return ok_status();
}

// Tells the applicant, after the change committed (a transaction never waits on
// the gateway). A message that cannot be sent does not undo the change: it is
// logged for the operator, and the applicant sees the new status when they
// check the application with its number and phone.
void tell_applicant(Context& ctx, const store::ApplicationRecord& a, const std::string& zh,
                    const std::string& en) {
  if (auto s = ctx.sms->send(a.phone, "【posfleet】" + zh + " " + en); !s)
    spdlog::error("application {} ({}): SMS to the applicant not sent: {}", a.number, a.status,
                  s.error().message);
}

// A terminal for an approved application, of its organisation, registered with a throw-away
// token (enrolment replaces it); kConflict when the serial is registered already.
Status register_for_application(store::Tx& tx, const std::string& tenant, const std::string& serial,
                                const std::string& model, std::int64_t org_id) {
  store::TerminalRecord t;
  t.tenant = tenant;
  t.serial = serial;
  t.model = model;
  t.token_hash = hash_token(new_token());
  t.created = unix_now();
  auto id = tx.insert_terminal(t);
  if (!id && id.error().code == Code::kConflict)
    return make_error(Code::kConflict,
                      "terminal " + serial + " is already registered; assign another one");
  if (!id) return id.error();
  // Given to the application's organisation as a move is (its stored mode follows the policies
  // of that organisation's chain).
  if (org_id != store::kRootOrganisation)
    if (auto s = tx.set_terminal_organisation(*id, org_id); !s) return s;
  return ok_status();
}

Status insert_code(store::Tx& tx, const store::ActivationRecord& like, const std::string& code) {
  auto act = like;
  act.code_hash = activation_hash(code);
  if (auto id = tx.insert_activation(act); !id) return id.error();
  return ok_status();
}

}  // namespace

const char* to_string(ApplicationStatus s) {
  switch (s) {
    case ApplicationStatus::kSubmitted:
      return "submitted";
    case ApplicationStatus::kApproved:
      return "approved";
    case ApplicationStatus::kRejected:
      return "rejected";
    case ApplicationStatus::kShipped:
      return "shipped";
    case ApplicationStatus::kActivated:
      return "activated";
  }
  return "?";
}

Expected<ApplicationStatus> application_status_named(const std::string& name) {
  for (auto s :
       {ApplicationStatus::kSubmitted, ApplicationStatus::kApproved, ApplicationStatus::kRejected,
        ApplicationStatus::kShipped, ApplicationStatus::kActivated})
    if (name == to_string(s)) return s;
  return make_error(Code::kInvalidArgument,
                    "status must be submitted, approved, rejected, shipped or activated");
}

Expected<std::vector<store::ApplicationRecord>> list_applications(
    Context& ctx, std::optional<ApplicationStatus> status, const std::string& org_path) {
  return ctx.store.list_applications(status ? to_string(*status) : "", 0, 500, org_path);
}

Expected<ApplicationDetail> application_detail(Context& ctx, std::int64_t id) {
  auto a = ctx.store.application(id);
  if (!a) return a.error();
  auto acts = ctx.store.activations_of(a->id);
  if (!acts) return acts.error();
  return ApplicationDetail{std::move(*a), std::move(*acts)};
}

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
  // Written onto the application as it is now (it may have been given to another organisation
  // while the provider answered).
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto now = application_of(tx, id, who);
    if (!now) return now.error();
    now->checks_json = a->checks_json;
    now->updated = a->updated;
    if (auto s = save(tx, *now, a->status); !s) return s;  // decided meanwhile: 409
    a = std::move(*now);
    return record_audit(tx, who, "application.verify", target(*a), "", ctx.verifier->name(), "");
  });
  if (!st) return st.error();
  return a;
}

Expected<Approved> approve_application(Context& ctx, std::int64_t id,
                                       const std::vector<std::string>& serials,
                                       const std::string& reason, const Actor& who) {
  auto read = ctx.store.application(id);
  if (!read) return read.error();
  if (auto s = expect_status(*read, ApplicationStatus::kSubmitted, "approved"); !s)
    return s.error();
  if (serials.empty() || serials.size() > static_cast<size_t>(kMaxTerminalsPerApplication))
    return make_error(Code::kInvalidArgument,
                      "assign 1 to " + std::to_string(kMaxTerminalsPerApplication) +
                          " terminal serial numbers of model " + read->model);
  if (std::set<std::string>(serials.begin(), serials.end()).size() != serials.size())
    return make_error(Code::kInvalidArgument, "a serial number is listed twice");
  if (auto s = check_reason(
          reason, "say why the application is approved (e.g. documents complete); it is audited");
      !s)
    return s.error();
  for (const auto& serial : serials)
    if (!valid_serial(serial))
      return make_error(Code::kInvalidArgument,
                        "serial \"" + text::safe_echo(serial) +
                            "\" must be 1-64 letters, digits, '.', '_' or '-'");
  auto resident_id = ctx.secrets->unseal(read->resident_id_enc);
  if (!resident_id) return resident_id.error();

  // The merchant, its terminals, their activation codes, the status move and
  // the audit entries are one transaction: a failure anywhere leaves nothing,
  // and of two reviewers approving at once one finds the application approved.
  Approved out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    out.codes.clear();
    auto a = application_of(tx, id, who);
    if (!a) return a.error();
    if (auto s = expect_status(*a, ApplicationStatus::kSubmitted, "approved"); !s) return s;
    // The merchant is the person who applied: support verifies them by name and ID digits.
    auto merchant =
        create_merchant(tx, *ctx.secrets, a->legal_name, a->phone, *resident_id, who, a->org_id);
    if (!merchant) return merchant.error();
    // Its terminals' windows are read in the zone of its address where that is not the fleet's
    // (an administrator can change it: PUT /api/v1/merchants/{id}/time-zone).
    if (const auto zone = default_zone_for_address(a->address); !zone.empty())
      if (auto s = tx.set_merchant_time_zone(merchant->id, zone); !s) return s;
    const auto now = unix_now();
    for (const auto& serial : serials) {
      if (auto s = register_for_application(tx, ctx.tenant, serial, a->model, a->org_id); !s)
        return s;
      if (auto s = link_terminal(tx, ctx.tenant, merchant->id, serial, who); !s) return s;
      auto code = new_activation_code();
      store::ActivationRecord act{
          0, "", serial, a->model, a->id, merchant->id, now + kActivationDays * 86400, 0, now};
      if (auto s = insert_code(tx, act, code); !s) return s;
      out.codes.emplace_back(serial, code);
    }
    std::string csv;
    for (const auto& serial : serials) csv += (csv.empty() ? "" : ",") + serial;
    a->status = to_string(ApplicationStatus::kApproved);
    a->reason = reason;
    a->reviewer = who.name;
    a->serials_csv = csv;
    a->merchant_id = merchant->id;
    a->updated = now;
    if (auto s = save(tx, *a, to_string(ApplicationStatus::kSubmitted)); !s) return s;
    if (auto s = record_audit(
            tx, who, "application.approve", target(*a), "submitted",
            "approved: merchant " + std::to_string(merchant->id) + ", terminals " + csv, reason);
        !s)
      return s;
    out.record = *a;
    return ok_status();
  });
  if (!st) return st.error();
  tell_applicant(ctx, out.record,
                 "您的终端申请 " + out.record.number + " 已通过审核，终端将尽快寄出。",
                 "Your terminal application " + out.record.number +
                     " is approved; the terminal will be shipped soon.");
  return out;
}

Expected<std::string> reissue_activation(Context& ctx, std::int64_t id, const std::string& serial,
                                         const std::string& reason, const Actor& who) {
  if (auto s = check_reason(reason,
                            "say why a new code is needed (e.g. the slip was lost); it is audited");
      !s)
    return s.error();
  std::string code;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto a = application_of(tx, id, who);
    if (!a) return a.error();
    auto acts = tx.activations_of(a->id);
    if (!acts) return acts.error();
    const auto it = std::find_if(acts->begin(), acts->end(),
                                 [&](const auto& act) { return act.serial == serial; });
    if (it == acts->end())
      return make_error(Code::kNotFound,
                        "terminal " + serial + " is not one of application " + a->number + "'s");
    if (auto s = tx.replace_activations(a->id, serial); !s) return s;
    const auto now = unix_now();
    code = new_activation_code();
    store::ActivationRecord act{
        0, "", serial, it->model, a->id, it->merchant_id, now + kActivationDays * 86400, 0, now};
    if (auto s = insert_code(tx, act, code); !s) return s;
    return record_audit(tx, who, "application.activation_code", target(*a), "",
                        "new code for " + serial, reason);
  });
  if (!st) return st.error();
  return code;
}

Expected<store::ApplicationRecord> reject_application(Context& ctx, std::int64_t id,
                                                      const std::string& reason, const Actor& who) {
  if (auto s = check_reason(reason, "say why the application is rejected; the applicant is told");
      !s)
    return s.error();
  store::ApplicationRecord out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto a = application_of(tx, id, who);
    if (!a) return a.error();
    if (auto s = expect_status(*a, ApplicationStatus::kSubmitted, "rejected"); !s) return s;
    a->status = to_string(ApplicationStatus::kRejected);
    a->reason = reason;
    a->reviewer = who.name;
    a->updated = unix_now();
    if (auto s = save(tx, *a, to_string(ApplicationStatus::kSubmitted)); !s) return s;
    out = *a;
    return record_audit(tx, who, "application.reject", target(*a), "submitted", "rejected", reason);
  });
  if (!st) return st.error();
  tell_applicant(ctx, out, "很抱歉，您的终端申请 " + out.number + " 未通过审核：" + reason,
                 "Sorry, your terminal application " + out.number + " was not approved: " + reason);
  return out;
}

Expected<store::ApplicationRecord> give_application(Context& ctx, const Scope& scope,
                                                    std::int64_t id, std::int64_t org_id,
                                                    const std::string& reason, const Actor& who) {
  if (auto s = check_reason(reason, "say why the application goes to that organisation"); !s)
    return s.error();
  auto to = organisation_in(ctx, scope, org_id);
  if (!to) return to.error();
  store::ApplicationRecord out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto a = application_of(tx, id, who);
    if (!a) return a.error();
    if (auto s = expect_status(*a, ApplicationStatus::kSubmitted, "given to another organisation");
        !s)
      return s;
    if (a->org_id == to->id)
      return make_error(Code::kConflict,
                        "application " + a->number + " is " + describe(*to) + "'s already");
    auto from = tx.organisation(a->org_id);
    if (!from) return from.error();
    const std::string was = a->status;
    a->org_id = to->id;
    a->updated = unix_now();
    if (auto s = save(tx, *a, was); !s) return s;
    out = *a;
    return record_audit_in(tx, shared_by(*from, *to), who, "application.organisation", target(*a),
                           describe(*from), describe(*to), reason);
  });
  if (!st) return st.error();
  return out;
}

Expected<store::ApplicationRecord> record_shipping(Context& ctx, std::int64_t id,
                                                   const std::string& carrier,
                                                   const std::string& tracking, const Actor& who) {
  if (carrier.empty() || carrier.size() > 60 || tracking.empty() || tracking.size() > 60)
    return make_error(Code::kInvalidArgument,
                      "carrier and tracking number are required (at most 60 characters each)");
  store::ApplicationRecord out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto a = application_of(tx, id, who);
    if (!a) return a.error();
    // A terminal handed over and enrolled before the parcel was recorded stays activated.
    if (a->status != to_string(ApplicationStatus::kActivated))
      if (auto s = expect_status(*a, ApplicationStatus::kApproved, "shipped"); !s) return s;
    const std::string was = a->status;
    if (was == to_string(ApplicationStatus::kApproved))
      a->status = to_string(ApplicationStatus::kShipped);
    a->carrier = carrier;
    a->tracking = tracking;
    a->updated = unix_now();
    if (auto s = save(tx, *a, was); !s) return s;
    out = *a;
    return record_audit(tx, who, "application.ship", target(*a), was, carrier + " " + tracking, "");
  });
  if (!st) return st.error();
  tell_applicant(ctx, out,
                 "您申请的终端已由 " + carrier + " 寄出，运单号 " + tracking +
                     "。收到后请按说明书用激活码激活。",
                 "Your terminal was shipped by " + carrier + ", tracking number " + tracking +
                     ". Activate it with the code in the box.");
  return out;
}

Expected<Enrolled> enroll_terminal(Context& ctx, const std::string& code, const std::string& serial,
                                   const std::string& model, const std::string& remote,
                                   const std::string& csr_pem) {
  const Actor terminal{serial, "terminal", "terminal"};
  if (!csr_pem.empty() && !ctx.device_ca)
    return make_error(Code::kUnavailable,
                      "this server issues no device certificates; enrol without a CSR");
  // A refusal is audited (an audit entry that cannot be written fails the
  // request instead) and answered with `e`.
  std::optional<Error> refused;
  const auto refuse = [&](store::Tx& tx, const std::string& why, Error e) -> Status {
    refused = std::move(e);
    return record_audit(tx, terminal, "terminal.enroll.refused", "terminal:" + serial, "", remote,
                        why);
  };
  Enrolled out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto act = tx.activation_by_hash(activation_hash(code));
    if (!act && act.error().code != Code::kNotFound) return act.error();
    if (!act)
      return refuse(
          tx, "unknown code",
          make_error(Code::kNotFound,
                     "this activation code is not valid; check it against the slip in the box"));
    if (act->serial != serial) {
      refused = make_error(Code::kConflict,
                           "this activation code is for another terminal; use the code on the "
                           "slip that came with this terminal (" +
                               serial + ")");
      return ok_status();
    }
    if (act->model != model)
      return refuse(
          tx, "model " + model + " but the code is for a " + act->model,
          make_error(Code::kConflict, "this terminal reports model " + model +
                                          " but was registered as a " + act->model +
                                          "; call support (the wrong unit may have been shipped)"));
    auto t = tx.terminal_by_serial(ctx.tenant, serial);
    if (!t) return t.error();
    if (t->retired)
      return refuse(tx, "terminal retired",
                    make_error(Code::kWrongState,
                               "this terminal was retired; call support to have it registered "
                               "again"));
    const auto now = unix_now();
    auto took = tx.use_activation(act->id, now);
    if (!took) return took.error();
    if (!*took) {
      if (act->used < 0)
        return refuse(tx, "code replaced",
                      make_error(Code::kGone,
                                 "this activation code was replaced by a newer one; use the new "
                                 "code"));
      if (act->used)
        return refuse(
            tx, "code already used",
            make_error(Code::kGone, "this activation code has already been used; call support"));
      return refuse(
          tx, "code expired",
          make_error(Code::kGone, "this activation code has expired; call support for a new one"));
    }
    out.token = new_token();
    if (auto s = tx.set_terminal_token(t->id, hash_token(out.token)); !s) return s;
    out.terminal = *t;
    if (auto s = record_audit(tx, terminal, "terminal.enroll", "terminal:" + serial, "",
                              "merchant " + std::to_string(act->merchant_id), "");
        !s)
      return s;
    if (!csr_pem.empty()) {
      auto cert = issue_device_certificate(ctx, tx, *t, csr_pem, terminal);
      if (!cert) return cert.error();
      out.certificate = std::move(*cert);
    }
    auto a = tx.application(act->application_id);
    if (!a) return a.error();
    if (a->status != to_string(ApplicationStatus::kApproved) &&
        a->status != to_string(ApplicationStatus::kShipped))
      return ok_status();
    const std::string was = a->status;
    a->status = to_string(ApplicationStatus::kActivated);
    a->updated = now;
    return save(tx, *a, was);
  });
  if (!st) return st.error();
  if (refused) return *refused;
  return out;
}

namespace {

// Calls `f` on every application and every merchant (for re-sealing).
Status each_sealed(Context& ctx,
                   const std::function<Status(store::ApplicationRecord&)>& application,
                   const std::function<Status(const store::MerchantRecord&)>& merchant) {
  for (std::int64_t offset = 0;; offset += 200) {
    auto page = ctx.store.list_applications("", offset, 200, "");
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

// Calls `f` on every user's TOTP secrets, every webhook's signing secret, every sensitive
// parameter value and every kept unlock code (sealed values outside onboarding), then saves each
// when `save`.
Status each_other_sealed(Context& ctx, const std::function<Status(std::string&)>& f, bool save) {
  auto visit = [&](std::string& sealed) { return sealed.empty() ? ok_status() : f(sealed); };
  auto users = ctx.store.list_users();
  if (!users) return users.error();
  for (auto& u : *users) {
    if (auto s = visit(u.totp_secret); !s) return s;
    if (auto s = visit(u.totp_pending); !s) return s;
    if (save && (!u.totp_secret.empty() || !u.totp_pending.empty()))
      if (auto s = ctx.store.update_user(u); !s) return s;
  }
  auto hooks = ctx.store.list_webhooks();
  if (!hooks) return hooks.error();
  for (auto& w : *hooks) {
    if (auto s = visit(w.secret_sealed); !s) return s;
    if (save && !w.secret_sealed.empty())
      if (auto s = ctx.store.set_webhook_secret(w.id, w.secret_sealed); !s) return s;
  }
  if (auto s = each_sealed_parameter(ctx, visit, save); !s) return s;
  return each_sealed_lock_code(ctx, visit, save);
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
        return save(ctx.store, a, a.status);
      },
      [&](const store::MerchantRecord& m) -> Status {
        auto id = ctx.secrets->unseal(m.resident_id_enc);
        if (!id) return id.error();
        ++n;
        return ctx.store.set_merchant_resident_id(m.id, ctx.secrets->seal(*id));
      });
  if (!resealed) return resealed.error();
  auto others = each_other_sealed(
      ctx,
      [&](std::string& sealed) -> Status {
        auto plain = ctx.secrets->unseal(sealed);
        if (!plain) return plain.error();
        sealed = ctx.secrets->seal(*plain);
        ++n;
        return ok_status();
      },
      true);
  if (!others) return others.error();
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
  if (auto s = each_other_sealed(ctx, current, false); !s) return s.error();
  return n;
}

}  // namespace posfleet::domain
