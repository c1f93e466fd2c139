#include "server/domain/support_desk.h"

#include "core/clock.h"
#include "core/text.h"
#include "server/domain/audit.h"

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

Expected<std::vector<store::MerchantRecord>> find_merchants(Context& ctx, const std::string& text) {
  const std::string q(text::trim(text));
  if (auto s = text::check_field("q", q, limits::kSearchChars); !s) return s.error();
  // Count characters, not bytes: two Chinese characters are a fair name search.
  if (text::length(q) < limits::kSearchMinChars)
    return make_error(
        Code::kInvalidArgument,
        "search with at least 2 characters of a legal name, a phone number or a serial");
  return ctx.store.search_merchants(q, 20);
}

}  // namespace posfleet::domain
