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

#include "core/limits.h"
#include "server/domain/context.h"

namespace posfleet::domain {

// kInvalidArgument for an empty note, or one that is not valid text or longer
// than limits::kNoteChars characters; kNotFound for no ticket.
Expected<store::TicketNoteRecord> add_ticket_note(Context& ctx, std::int64_t ticket_id,
                                                  const std::string& text, const Actor& who);

// kInvalidArgument when `text` is not valid text (a NUL is not a search) or,
// trimmed, has fewer than limits::kSearchMinChars or more than kSearchChars
// characters.
Expected<std::vector<store::MerchantRecord>> find_merchants(Context& ctx, const std::string& text);

// The one check of a note (a ticket note or a closing note): trimmed, required.
Expected<std::string> checked_note(const std::string& text, const char* if_empty);

}  // namespace posfleet::domain
