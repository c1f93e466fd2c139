// posfleet server: the support desk's working tools beside the verification
// rules of support.h — the ticket queue's notes and merchant lookup.
//
// A note says who wrote it and when; it is kept with the ticket and audited.
// Merchant lookup finds merchants by legal name, phone or a terminal's serial;
// callers show what it returns masked (never the full phone or resident ID).
// Thread-safety: stateless functions over the Context.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/policy.h"
#include "server/domain/context.h"

namespace posfleet::domain {

// kInvalidArgument for an empty note, or one that is not valid text or longer
// than limits::kNoteChars characters; kNotFound for no ticket.
Expected<store::TicketNoteRecord> add_ticket_note(Context& ctx, std::int64_t ticket_id,
                                                  const std::string& text, const Actor& who);

// kInvalidArgument when `text` is not valid text (a NUL is not a search) or,
// trimmed, has fewer than limits::kSearchMinChars or more than kSearchChars
// characters.
// With `org_path`, the merchants of that organisation's subtree alone.
Expected<std::vector<store::MerchantRecord>> find_merchants(Context& ctx, const std::string& text,
                                                            const std::string& org_path = "");

// What the desk shows of a merchant: the resident ID masked ("?" when it
// cannot be opened), and each terminal with its effective policy (none when
// it cannot be worked out), so the desk sees a lock before the call gets there.
struct MerchantTerminal {
  store::TerminalRecord terminal;
  std::optional<Policy> policy;
};
struct MerchantView {
  store::MerchantRecord merchant;
  std::string resident_id_masked;
  std::vector<MerchantTerminal> terminals;
  std::string time_zone;  // its terminals' default zone ('' = the fleet's; time_zones.h)
};
MerchantView merchant_view(Context& ctx, const store::MerchantRecord& m);
Expected<MerchantView> merchant_view(Context& ctx, std::int64_t merchant_id);

// The ticket queue: one page and the count of all that match.
struct TicketPage {
  std::vector<store::TicketRecord> tickets;
  std::int64_t total = 0;
};
Expected<TicketPage> ticket_queue(Context& ctx, const store::TicketQuery& q);

// One ticket with its terminal (and its effective policy), the terminal's
// merchant, and its notes oldest first.
struct TicketDetail {
  store::TicketRecord ticket;
  std::optional<store::TerminalRecord> terminal;
  std::optional<Policy> policy;
  std::optional<MerchantView> merchant;
  std::vector<store::TicketNoteRecord> notes;
};
Expected<TicketDetail> ticket_detail(Context& ctx, std::int64_t ticket_id);

// A support verification as it stands (to explain a refused step).
Expected<store::VerificationRecord> verification(Context& ctx, std::int64_t id);

// The one check of a note (a ticket note or a closing note): trimmed, required.
Expected<std::string> checked_note(const std::string& text, const char* if_empty);

}  // namespace posfleet::domain
