// posfleet server: the store's support area: merchants, support tickets and their notes, identity
// verifications by phone. One part of store::Store (store.h); records are in records.h.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/store/records.h"

namespace posfleet::store {

class SupportStore {
 public:
  virtual ~SupportStore() = default;

  // Merchants, tickets, identity verifications.
  virtual Expected<std::int64_t> insert_merchant(const MerchantRecord& m) = 0;
  virtual Expected<MerchantRecord> merchant(std::int64_t id) = 0;
  virtual Status set_merchant_organisation(std::int64_t id, std::int64_t org_id) = 0;
  virtual Expected<std::int64_t> insert_ticket(const TicketRecord& t) = 0;
  virtual Expected<TicketRecord> ticket(std::int64_t id) = 0;
  virtual Expected<std::vector<TicketRecord>> list_tickets(const std::string& status,
                                                           std::int64_t limit) = 0;
  virtual Expected<std::vector<TicketRecord>> tickets_of_terminal(
      std::int64_t terminal_id, std::int64_t limit) = 0;  // newest first
  virtual Status update_ticket(const TicketRecord& t) = 0;
  virtual Expected<std::int64_t> insert_verification(const VerificationRecord& v) = 0;
  virtual Expected<VerificationRecord> verification(std::int64_t id) = 0;
  virtual Status update_verification(const VerificationRecord& v) = 0;

  // Atomically counts one try of a code that is still open (status code_sent,
  // fewer than max_tries, not expired); false if no try is left.
  virtual Expected<bool> take_code_try(std::int64_t id, int max_tries, std::int64_t now) = 0;

  // Atomically moves an open verification to verified; false if it was not open.
  virtual Expected<bool> mark_verified(std::int64_t id, std::int64_t until) = 0;
  virtual Expected<std::int64_t> count_verifications_since(std::int64_t merchant_id,
                                                           std::int64_t since) = 0;

  // The support desk (sql/sql_store_desk.cc): the ticket queue, ticket
  // notes, merchant lookup and the filtered audit log.
  virtual Expected<std::vector<TicketRecord>> query_tickets(const TicketQuery& q) = 0;
  virtual Expected<std::int64_t> count_tickets(
      const TicketQuery& q) = 0;  // ignores offset and limit
  virtual Expected<std::int64_t> insert_ticket_note(const TicketNoteRecord& n) = 0;
  virtual Expected<std::vector<TicketNoteRecord>> ticket_notes(
      std::int64_t ticket_id) = 0;  // oldest first
  // Merchants whose legal name contains `text`, whose phone is `text`, or who
  // have a terminal whose serial starts with `text` (any case); with `org_path`,
  // only those of that organisation's subtree, and by the serials of its terminals.
  virtual Expected<std::vector<MerchantRecord>> search_merchants(const std::string& text,
                                                                 std::int64_t limit,
                                                                 const std::string& org_path) = 0;

  // For re-sealing under a new key: merchants in id order, and their sealed resident ID.
  virtual Expected<std::vector<MerchantRecord>> merchants_after(std::int64_t after_id,
                                                                std::int64_t limit) = 0;
  virtual Status set_merchant_resident_id(std::int64_t id, const std::string& resident_id_enc) = 0;
};

}  // namespace posfleet::store
