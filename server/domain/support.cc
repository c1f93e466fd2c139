#include "server/domain/support.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <optional>

#include "core/clock.h"
#include "core/identity_numbers.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/notifications.h"
#include "server/domain/one_time_code.h"
#include "server/domain/policy.h"
#include "server/domain/secrets.h"
#include "server/domain/sms.h"
#include "server/domain/support_desk.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

namespace {

bool mainland_mobile(const std::string& p) {
  return p.size() == 11 && identity::check_mobile(p) == identity::Flaw::kNone;
}

Error not_verified() {
  return make_error(Code::kUnauthorized,
                    "identity not verified: the name or ID digits do not match our records");
}

}  // namespace

Expected<store::MerchantRecord> create_merchant(store::Tx& tx, SecretBox& secrets,
                                                const std::string& legal_name,
                                                const std::string& phone,
                                                const std::string& resident_id, const Actor& who,
                                                std::int64_t org_id) {
  if (legal_name.empty()) return make_error(Code::kInvalidArgument, "legal_name is required");
  if (auto s = text::check_field("legal_name", legal_name, limits::kPersonNameChars); !s)
    return s.error();
  if (!mainland_mobile(phone))
    return make_error(Code::kInvalidArgument,
                      "phone must be an 11-digit mainland mobile number starting with 1");
  if (resident_id.size() != 18)
    return make_error(Code::kInvalidArgument,
                      "resident_id must be the 18-character resident ID number");
  store::MerchantRecord m{0, legal_name, phone, secrets.seal(resident_id), unix_now(), org_id};
  auto id = tx.insert_merchant(m);
  if (!id) return id.error();
  m.id = *id;
  if (auto s = record_audit(
          tx, who, "merchant.create", "merchant:" + std::to_string(m.id), "",
          legal_name + " " + mask(phone, 3, 4) + " " + mask_resident_id(resident_id), "");
      !s)
    return s.error();
  return m;
}

Expected<store::MerchantRecord> create_merchant(Context& ctx, const std::string& legal_name,
                                                const std::string& phone,
                                                const std::string& resident_id, const Actor& who,
                                                std::int64_t org_id) {
  store::MerchantRecord out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto m = create_merchant(tx, *ctx.secrets, legal_name, phone, resident_id, who, org_id);
    if (!m) return m.error();
    out = std::move(*m);
    return ok_status();
  });
  if (!st) return st.error();
  return out;
}

Expected<store::MerchantRecord> give_merchant(Context& ctx, const Scope& scope,
                                              std::int64_t merchant_id, std::int64_t org_id,
                                              const std::string& reason, const Actor& who) {
  if (auto s = check_reason(reason, "say why the merchant goes to that organisation"); !s)
    return s.error();
  if (auto m = merchant_in(ctx, scope, merchant_id); !m) return m.error();
  auto to = organisation_in(ctx, scope, org_id);
  if (!to) return to.error();
  store::MerchantRecord out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto m = tx.merchant(merchant_id);
    if (!m) return m.error();
    // Given elsewhere since it was checked: as missing as one outside the scope.
    auto was = organisation_path(tx, m->org_id);
    if (!was) return was.error();
    if (!scope.holds(*was))
      return make_error(Code::kNotFound, "no merchant " + std::to_string(merchant_id));
    if (m->org_id == to->id)
      return make_error(Code::kConflict, "merchant " + std::to_string(m->id) + " is " +
                                             describe(*to) + "'s already");
    auto from = tx.organisation(m->org_id);
    if (!from) return from.error();
    if (auto s = tx.set_merchant_organisation(m->id, to->id); !s) return s;
    m->org_id = to->id;
    out = *m;
    return record_audit_in(tx, shared_by(*from, *to), who, "merchant.organisation",
                           "merchant:" + std::to_string(m->id), describe(*from), describe(*to),
                           reason);
  });
  if (!st) return st.error();
  return out;
}

Status link_terminal(store::Tx& tx, const std::string& tenant, std::int64_t merchant_id,
                     const std::string& serial, const Actor& who) {
  auto m = tx.merchant(merchant_id);
  if (!m) return m.error();
  auto t = tx.terminal_by_serial(tenant, serial);
  if (!t) return t.error();
  if (auto s = tx.set_terminal_merchant(t->id, merchant_id); !s) return s;
  return record_audit(tx, who, "merchant.link", "terminal:" + serial,
                      std::to_string(t->merchant_id), std::to_string(merchant_id), "");
}

Status link_terminal(Context& ctx, std::int64_t merchant_id, const std::string& serial,
                     const Actor& who) {
  return commit_change(
      ctx, [&](store::Tx& tx) { return link_terminal(tx, ctx.tenant, merchant_id, serial, who); });
}

std::int64_t seconds_to_next_ticket_day() { return 86400 - unix_now() % 86400; }

Expected<store::TicketRecord> open_ticket(Context& ctx, const store::TerminalRecord& t,
                                          const std::string& message, const std::string& version) {
  if (auto s = text::check_field("message", message, limits::kTicketChars, text::Lines::kMany); !s)
    return s.error();
  if (auto s = text::check_field("version", version, limits::kVersionChars); !s) return s.error();
  auto policy = effective_policy(ctx, t);
  if (!policy) return policy.error();
  const auto now = unix_now();
  const std::string& reported = version.empty() ? t.installed_version : version;
  store::TicketRecord ticket{
      0,       t.id,   t.serial, reported, json::serialize(policy->to_json()),
      message, "open", "",       now,      now};
  // The count and the insert are one transaction, so tickets opened at the
  // same moment cannot pass the daily cap together.
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto recent = tx.tickets_of_terminal(t.id, limits::kTicketsPerDay);
    if (!recent) return recent.error();
    const auto today = now - now % 86400;
    if (std::count_if(recent->begin(), recent->end(), [&](const auto& r) {
          return r.created >= today;
        }) >= static_cast<std::ptrdiff_t>(limits::kTicketsPerDay))
      return make_error(Code::kTooManyRequests,
                        "this terminal has opened " + std::to_string(limits::kTicketsPerDay) +
                            " support tickets today, the most a day allows; call support, "
                            "or try again tomorrow (UTC)");
    auto id = tx.insert_ticket(ticket);
    if (!id) return id.error();
    ticket.id = *id;
    const std::string number = std::to_string(ticket.id);
    if (auto s = record_audit(tx, {t.serial, "terminal", "terminal"}, "ticket.open",
                              "ticket:" + number, "", ticket.message, "");
        !s)
      return s;
    auto told = tx.add_notification(
        {0, t.id, "ticket", number, "已提交客服工单 #" + number + "，客服将与您联系。",
         "Support ticket #" + number + " was opened; support will contact you.", now});
    if (!told) return told.error();
    return ok_status();
  });
  if (!st) return st.error();
  return ticket;
}

Expected<store::TicketRecord> close_ticket(Context& ctx, std::int64_t id, const std::string& note,
                                           const Actor& who) {
  auto checked = checked_note(note, "say what was done: closing a ticket needs a note");
  if (!checked) return checked.error();
  const std::string& text = *checked;
  store::TicketRecord out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto t = tx.ticket(id);
    if (!t) return t.error();
    if (t->status == "closed")
      return make_error(Code::kWrongState, "ticket " + std::to_string(id) + " is already closed");
    t->status = "closed";
    t->note = text;
    t->updated = unix_now();
    if (auto s = tx.update_ticket(*t); !s) return s;
    // The closing note joins the ticket's notes, so the desk reads one history.
    if (auto n = tx.insert_ticket_note({0, id, who.name, text, t->updated}); !n) return n.error();
    if (auto s = record_audit(tx, who, "ticket.close", "ticket:" + std::to_string(id), "open",
                              "closed", text);
        !s)
      return s;
    out = std::move(*t);
    return ok_status();
  });
  if (!st) return st.error();
  return out;
}

Expected<store::VerificationRecord> start_verification(Context& ctx, const std::string& serial,
                                                       const std::string& legal_name,
                                                       const std::string& id_last4,
                                                       const Actor& who, const Scope& scope) {
  if (legal_name.empty())
    return make_error(Code::kInvalidArgument, "enter the merchant's legal name as registered");
  if (auto s = text::check_field("legal_name", legal_name, limits::kPersonNameChars); !s)
    return s.error();
  if (id_last4.size() != 4 || !std::all_of(id_last4.begin(), id_last4.end(), [](char ch) {
        return (ch >= '0' && ch <= '9') || ch == 'X' || ch == 'x';
      }))
    return make_error(Code::kInvalidArgument,
                      "id_last4 must be the last 4 characters of the resident ID: digits or X");
  auto t = terminal_in(ctx, scope, serial);
  if (!t) return t.error();
  auto seen = sees_merchant(ctx, scope, t->merchant_id);
  if (!seen) return seen.error();
  if (!t->merchant_id || !*seen)
    return make_error(Code::kNotFound, "terminal " + serial + " has no merchant on record");
  auto m = ctx.store.merchant(t->merchant_id);
  if (!m) return m.error();
  const auto now = unix_now();
  const std::string target = "merchant:" + std::to_string(m->id);
  auto id = ctx.secrets->unseal(m->resident_id_enc);
  if (!id) return id.error();
  std::string last4 = id_last4;
  for (auto& ch : last4) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const bool match =
      legal_name == m->legal_name && last4.size() == 4 && id->substr(id->size() - 4) == last4;
  const std::string code = new_code();
  store::VerificationRecord v{0,
                              m->id,
                              who.name,
                              hash_code(code),
                              match ? "code_sent" : "failed",
                              0,
                              now,
                              now + kCodeSeconds,
                              0};
  // The hourly count, the verification and its audit entry are one change, so
  // attempts at the same moment cannot pass the limit together.
  bool too_many = false;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto recent = tx.count_verifications_since(m->id, now - 3600);
    if (!recent) return recent.error();
    if (*recent >= kVerificationsPerHour) {
      too_many = true;
      return record_audit(tx, who, "support.verify.refused", target, "", "",
                          "too many verifications this hour");
    }
    auto vid = tx.insert_verification(v);  // failed ones count towards the hourly limit too
    if (!vid) return vid.error();
    v.id = *vid;
    if (!match)
      return record_audit(tx, who, "support.verify.identity_mismatch", target, "", "",
                          "name or ID digits do not match");
    return record_audit(tx, who, "support.verify.code_sent", target, "", mask(m->phone, 3, 4), "");
  });
  if (!st) return st.error();
  if (too_many)
    return make_error(Code::kTooManyRequests,
                      "too many verification attempts for this merchant; try again in an hour");
  if (!match) return not_verified();
  // Sent after the commit: a transaction never waits on the gateway.
  if (auto s = ctx.sms->send(
          m->phone, std::string("【posfleet】验证码 ") + code +
                        "，5 分钟内有效。客服正在核实您的身份。 Your posfleet code is " + code +
                        " (valid 5 minutes).");
      !s) {
    // The agent is told the code did not go out and starts again; the
    // verification is closed so that no code nobody received stays open.
    spdlog::error("support verification {}: SMS to {} not sent: {}", v.id, mask(m->phone, 3, 4),
                  s.error().message);
    auto closed = commit_change(ctx, [&](store::Tx& tx) -> Status {
      v.status = "failed";
      if (auto u = tx.update_verification(v); !u) return u;
      return record_audit(tx, who, "support.verify.refused", target, "", "",
                          "the SMS could not be sent");
    });
    if (!closed) return closed.error();
    return make_error(Code::kUnavailable,
                      "the code could not be sent to the merchant's phone; try again in a minute");
  }
  return v;
}

}  // namespace posfleet::domain

namespace posfleet::domain {

Expected<store::VerificationRecord> confirm_code(Context& ctx, std::int64_t verification_id,
                                                 const std::string& code, const Actor& who) {
  if (code.size() != 6 ||
      !std::all_of(code.begin(), code.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return make_error(Code::kInvalidArgument, "the code is the 6 digits of the SMS");
  auto v = ctx.store.verification(verification_id);
  if (!v) return v.error();
  const std::string target = "merchant:" + std::to_string(v->merchant_id);
  if (v->agent != who.name)
    return make_error(Code::kUnauthorized, "this verification belongs to another support agent");
  if (v->status != "code_sent")
    return make_error(Code::kWrongState, "verification " + std::to_string(v->id) + " is " +
                                             v->status + "; start a new one");
  const auto now = unix_now();
  if (now >= v->expires) {
    auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
      v->status = "failed";
      if (auto s = tx.update_verification(*v); !s) return s;
      return record_audit(tx, who, "support.verify.code_expired", target, "", "", "");
    });
    if (!st) return st.error();
    return make_error(Code::kUnauthorized, "the code has expired; start the verification again");
  }
  // Count the try before comparing, in one statement, so that parallel guesses
  // cannot share a try; the try, its outcome and its audit entry are one change.
  const auto used_up = [] {
    return make_error(Code::kUnauthorized, "too many wrong codes; start the verification again");
  };
  std::optional<Error> refused;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto took = tx.take_code_try(v->id, kCodeTries, now);
    if (!took) return took.error();
    if (!*took) {
      v->status = "failed";
      if (auto s = tx.update_verification(*v); !s) return s;
      refused = used_up();
      return ok_status();
    }
    const int tries = v->attempts + 1;
    if (!code_matches(v->code_hash, code)) {
      const int left = kCodeTries - tries;
      if (auto s = record_audit(tx, who, "support.verify.code_wrong", target, "",
                                "attempt " + std::to_string(tries), "");
          !s)
        return s;
      if (left > 0) {
        refused =
            make_error(Code::kUnauthorized, "wrong code; " + std::to_string(left) + " tries left");
        return ok_status();
      }
      auto fresh = tx.verification(v->id);
      if (!fresh) return fresh.error();
      fresh->status = "failed";
      if (auto s = tx.update_verification(*fresh); !s) return s;
      refused = used_up();
      return ok_status();
    }
    auto verified = tx.mark_verified(v->id, now + kVerifiedSeconds);
    if (!verified) return verified.error();
    if (!*verified)
      return make_error(Code::kConflict, "this verification is no longer open; start a new one");
    v->status = "verified";
    v->verified_until = now + kVerifiedSeconds;
    return record_audit(tx, who, "support.verify.ok", target, "",
                        "verified until " + format_utc(v->verified_until), "");
  });
  if (!st) return st.error();
  if (refused) return *refused;
  return v;
}

namespace {

// The verification `verification_id`, if it is `who`'s, verified and not expired.
Expected<store::VerificationRecord> verified(Context& ctx, std::int64_t verification_id,
                                             const Actor& who) {
  auto v = ctx.store.verification(verification_id);
  if (!v) return v.error();
  if (v->agent != who.name || v->status != "verified")
    return make_error(Code::kUnauthorized,
                      "verify the merchant's identity first (name, ID digits and the SMS code)");
  if (unix_now() >= v->verified_until)
    return make_error(Code::kUnauthorized,
                      "the verification has expired (15 minutes); verify the merchant again");
  return v;
}

}  // namespace

Expected<store::VerificationRecord> verified_for(Context& ctx, std::int64_t verification_id,
                                                 const Actor& who) {
  return verified(ctx, verification_id, who);
}

namespace {

// The terminals of the merchant `who` verified that lie in its scope, for a change of the mode
// only (support changes nothing else), with a reason.
Expected<std::vector<store::TerminalRecord>> verified_terminals(
    Context& ctx, std::int64_t verification_id, const PolicyPatch& patch, const std::string& reason,
    const Actor& who, const Scope& scope) {
  auto v = verified(ctx, verification_id, who);
  if (!v) return v.error();
  if (reason.empty()) return make_error(Code::kInvalidArgument, "say why: a reason is required");
  if (!patch.mode || patch.window || patch.cellular || patch.cellular_limit_mb ||
      patch.never_defers_security || patch.security_deadline_days || patch.locked ||
      patch.lock_reason)
    return make_error(
        Code::kUnauthorized,
        "support changes the update mode only; ask an administrator for anything else");
  auto all = ctx.store.terminals_of_merchant(v->merchant_id);
  if (!all || scope.whole_tree()) return all;
  std::vector<store::TerminalRecord> held;
  for (auto& t : *all) {
    auto in = holds_terminal(ctx, scope, t);
    if (!in) return in.error();
    if (*in) held.push_back(std::move(t));
  }
  return held;
}

}  // namespace

Expected<std::vector<std::string>> support_change_policy(Context& ctx, std::int64_t verification_id,
                                                         const PolicyPatch& patch,
                                                         const std::string& reason,
                                                         const Actor& who, const Scope& scope) {
  auto terminals = verified_terminals(ctx, verification_id, patch, reason, who, scope);
  if (!terminals) return terminals.error();
  std::vector<std::string> changed;
  for (const auto& t : *terminals) {
    auto eff = effective_policy(ctx, t);
    if (!eff) return eff.error();
    if (eff->locked)
      return make_error(Code::kLocked, "terminal " + t.serial +
                                           "'s update mode is locked by an administrator (" +
                                           eff->lock_reason +
                                           "); support cannot change a locked setting: ask an "
                                           "administrator for the merchant (ask-admin)");
  }
  // Every terminal of the merchant changes, or none: each change_policy joins
  // this one transaction.
  auto st = commit_change(ctx, [&](store::Tx&) -> Status {
    for (const auto& t : *terminals) {
      auto p = change_policy(ctx, "terminal", t.serial, patch, who, reason);
      if (!p) return p.error().with_context("terminal " + t.serial);
      changed.push_back(t.serial);
    }
    return ok_status();
  });
  if (!st) return st.error();
  return changed;
}

Expected<std::vector<std::string>> support_ask_admin(Context& ctx, std::int64_t verification_id,
                                                     const PolicyPatch& patch,
                                                     const std::string& reason, const Actor& who,
                                                     const Scope& scope) {
  auto terminals = verified_terminals(ctx, verification_id, patch, reason, who, scope);
  if (!terminals) return terminals.error();
  std::vector<std::string> asked;
  const std::string wanted = to_string(*patch.mode);
  const std::string wanted_zh = wanted == "auto" ? "开启" : wanted == "manual" ? "手动" : "永不";
  std::vector<std::pair<store::TerminalRecord, Policy>> locked;
  for (const auto& t : *terminals) {
    auto eff = effective_policy(ctx, t);
    if (!eff) return eff.error();
    if (eff->locked && eff->mode != *patch.mode) locked.emplace_back(t, *eff);
  }
  // Every terminal's audit entry, ticket note and notification commit together.
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    for (const auto& [t, eff] : locked) {
      if (auto s = record_audit(tx, who, "support.ask_admin", "terminal:" + t.serial,
                                "locked: " + eff.lock_reason, "mode " + wanted, reason);
          !s)
        return s;
      // On the terminal's newest open ticket too, where the back office reads it.
      auto ts = tx.tickets_of_terminal(t.id, 1);
      if (!ts) return ts.error();
      if (!ts->empty() && ts->front().status == "open")
        if (auto n =
                tx.insert_ticket_note({0, ts->front().id, who.name,
                                       "asks an administrator to set the update mode to " + wanted +
                                           " (locked: " + eff.lock_reason + "): " + reason,
                                       unix_now()});
            !n)
          return n.error();
      if (auto n = tx.add_notification(
              {0, t.id, "support_ask_admin", std::to_string(verification_id),
               "客服已把您的请求（自动更新改为" + wanted_zh + "）转交管理员；该设置已被锁定（" +
                   eff.lock_reason + "）。管理员处理后，本机会收到通知。",
               "Support passed your request (automatic update: " + wanted +
                   ") to an administrator; the setting is locked (" + eff.lock_reason +
                   "). This terminal is notified once an administrator has dealt with it.",
               unix_now()});
          !n)
        return n;
    }
    return ok_status();
  });
  if (!st) return st.error();
  for (const auto& entry : locked) asked.push_back(entry.first.serial);
  if (asked.empty())
    return make_error(Code::kWrongState,
                      "none of this merchant's terminals is locked away from that mode; change it "
                      "directly instead");
  return asked;
}

}  // namespace posfleet::domain
