#include "server/domain/support_desk.h"

#include "core/clock.h"
#include "server/domain/audit.h"

namespace posfleet::domain {

std::string trimmed(const std::string& text) {
  const char* space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

std::size_t utf8_length(const std::string& text) {
  std::size_t chars = 0;
  for (unsigned char ch : text)
    if ((ch & 0xC0) != 0x80) ++chars;
  return chars;
}

Expected<store::TicketNoteRecord> add_ticket_note(Context& ctx, std::int64_t ticket_id, const std::string& text,
                                                  const Actor& who) {
  const std::string note = trimmed(text);
  if (note.empty()) return make_error(Code::kInvalidArgument, "write the note: text is required");
  if (utf8_length(note) > kNoteMax)
    return make_error(Code::kInvalidArgument, "a note has at most " + std::to_string(kNoteMax) + " characters; shorten it");
  auto t = ctx.store.ticket(ticket_id);
  if (!t) return t.error();
  store::TicketNoteRecord n{0, ticket_id, who.name, note, unix_now()};
  auto id = ctx.store.insert_ticket_note(n);
  if (!id) return id.error();
  n.id = *id;
  record_audit(ctx, who, "ticket.note", "ticket:" + std::to_string(ticket_id), "", "terminal:" + t->serial, note);
  return n;
}

Expected<std::vector<store::MerchantRecord>> find_merchants(Context& ctx, const std::string& text) {
  const std::string q = trimmed(text);
  // Count characters, not bytes: two Chinese characters are a fair name search.
  if (utf8_length(q) < kLookupMin)
    return make_error(Code::kInvalidArgument, "search with at least 2 characters of a legal name, a phone number or a serial");
  return ctx.store.search_merchants(q.substr(0, 100), 20);
}

}  // namespace posfleet::domain
