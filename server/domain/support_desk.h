// posfleet server: the support desk's working tools beside the verification
// rules of support.h — the ticket queue's notes and merchant lookup.
//
// A note says who wrote it and when; it is kept with the ticket and audited.
// Merchant lookup finds merchants by legal name, phone or a terminal's serial;
// callers show what it returns masked (never the full phone or resident ID).
// Thread-safety: stateless functions over the Context.
#pragma once

#include <string>
#include <vector>

#include "server/domain/context.h"

namespace posfleet::domain {

inline constexpr std::size_t kNoteMax = 1000;  // characters
inline constexpr std::size_t kLookupMin = 2;

// kInvalidArgument for an empty or too long note; kNotFound for no ticket.
Expected<store::TicketNoteRecord> add_ticket_note(Context& ctx, std::int64_t ticket_id, const std::string& text,
                                                  const Actor& who);

// kInvalidArgument when `text` has fewer than kLookupMin characters.
Expected<std::vector<store::MerchantRecord>> find_merchants(Context& ctx, const std::string& text);

// Leading and trailing white space removed.
std::string trimmed(const std::string& text);
// Characters (code points) of UTF-8 text, as people count them.
std::size_t utf8_length(const std::string& text);

}  // namespace posfleet::domain
