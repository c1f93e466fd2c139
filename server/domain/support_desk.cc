#include "server/domain/support_desk.h"

#include "core/clock.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/policy.h"
#include "server/domain/secrets.h"

namespace posfleet::domain {

Expected<std::string> checked_note(const std::string& text, const char* if_empty) {
  const std::string note(text::trim(text));
  if (note.empty()) return make_error(Code::kInvalidArgument, if_empty);
  if (auto s = text::check_field("note", note, limits::kNoteChars, text::Lines::kMany); !s)
    return s.error();
  return note;
}

Expected<store::TicketNoteRecord> add_ticket_note(Context& ctx, std::int64_t ticket_id,
                                                  const std::string& text, const Actor& who) {
  auto checked = checked_note(text, "write the note: text is required");
  if (!checked) return checked.error();
  const std::string& note = *checked;
  store::TicketNoteRecord n{0, ticket_id, who.name, note, unix_now()};
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto t = tx.ticket(ticket_id);
    if (!t) return t.error();
    auto id = tx.insert_ticket_note(n);
    if (!id) return id.error();
    n.id = *id;
    return record_audit(tx, who, "ticket.note", "ticket:" + std::to_string(ticket_id), "",
                        "terminal:" + t->serial, note);
  });
  if (!st) return st.error();
  return n;
}

Expected<std::vector<store::MerchantRecord>> find_merchants(Context& ctx, const std::string& text,
                                                            const std::string& org_path) {
  const std::string q(text::trim(text));
  if (auto s = text::check_field("q", q, limits::kSearchChars); !s) return s.error();
  // Count characters, not bytes: two Chinese characters are a fair name search.
  if (text::length(q) < limits::kSearchMinChars)
    return make_error(
        Code::kInvalidArgument,
        "search with at least 2 characters of a legal name, a phone number or a serial");
  return ctx.store.search_merchants(q, 20, org_path);
}

MerchantView merchant_view(Context& ctx, const store::MerchantRecord& m) {
  MerchantView v{m, "?", {}, ""};
  if (auto id = ctx.secrets->unseal(m.resident_id_enc); id)
    v.resident_id_masked = mask_resident_id(*id);
  if (auto tz = ctx.store.merchant_time_zone(m.id); tz) v.time_zone = *tz;
  // A view: what cannot be read is shown as unknown rather than refusing the page.
  if (auto ts = ctx.store.terminals_of_merchant(m.id); ts)
    for (auto& t : *ts) {
      auto eff = effective_policy(ctx, t);
      v.terminals.push_back({std::move(t), eff ? std::optional<Policy>(*eff) : std::nullopt});
    }
  return v;
}

Expected<MerchantView> merchant_view(Context& ctx, std::int64_t merchant_id) {
  auto m = ctx.store.merchant(merchant_id);
  if (!m) return m.error();
  return merchant_view(ctx, *m);
}

Expected<TicketPage> ticket_queue(Context& ctx, const store::TicketQuery& q) {
  auto ts = ctx.store.query_tickets(q);
  if (!ts) return ts.error();
  auto total = ctx.store.count_tickets(q);
  if (!total) return total.error();
  return TicketPage{std::move(*ts), *total};
}

Expected<TicketDetail> ticket_detail(Context& ctx, std::int64_t ticket_id) {
  auto t = ctx.store.ticket(ticket_id);
  if (!t) return t.error();
  TicketDetail d;
  d.ticket = std::move(*t);
  if (auto term = ctx.store.terminal_by_id(d.ticket.terminal_id); term) {
    if (auto eff = effective_policy(ctx, *term); eff) d.policy = *eff;
    if (term->merchant_id)
      if (auto m = ctx.store.merchant(term->merchant_id); m) d.merchant = merchant_view(ctx, *m);
    d.terminal = std::move(*term);
  }
  auto notes = ctx.store.ticket_notes(ticket_id);
  if (!notes) return notes.error();
  d.notes = std::move(*notes);
  return d;
}

Expected<store::VerificationRecord> verification(Context& ctx, std::int64_t id) {
  return ctx.store.verification(id);
}

}  // namespace posfleet::domain
