// posfleet server: the support desk (seed §1.3). A merchant calls or opens a
// ticket from the terminal (联系客服); a support agent verifies who they are —
// legal name, last 4 characters of the resident ID, and a one-time code sent
// to the registered phone — and only then, for a limited time and with a
// reason, changes that merchant's terminals' update policy.
//
// Limits: a code is valid 5 minutes and allows 5 tries; a merchant can be
// asked for at most 5 verifications an hour; a verification lets its agent act
// for 15 minutes. Every attempt, right or wrong, is audited.
// Thread-safety: stateless functions over the Context.
#pragma once

#include <string>
#include <vector>

#include "core/policy.h"
#include "server/domain/context.h"
#include "server/domain/organisations.h"

namespace posfleet::domain {

inline constexpr int kCodeSeconds = 300;
inline constexpr int kCodeTries = 5;
inline constexpr int kVerificationsPerHour = 5;
inline constexpr int kVerifiedSeconds = 900;

// A merchant of organisation `org_id` and its audit entry; the Tx forms join a larger change
// (an approval). The caller has checked that the organisation is in its scope.
Expected<store::MerchantRecord> create_merchant(Context& ctx, const std::string& legal_name,
                                                const std::string& phone,
                                                const std::string& resident_id, const Actor& who,
                                                std::int64_t org_id = store::kRootOrganisation);
Expected<store::MerchantRecord> create_merchant(store::Tx& tx, SecretBox& secrets,
                                                const std::string& legal_name,
                                                const std::string& phone,
                                                const std::string& resident_id, const Actor& who,
                                                std::int64_t org_id = store::kRootOrganisation);
// Gives a merchant of `scope` to another organisation of it (kNotFound for either outside it,
// kConflict where it is already), with a reason; audited as merchant.organisation with both
// organisations, where a terminal's move between them would be. Its terminals stay where they are.
Expected<store::MerchantRecord> give_merchant(Context& ctx, const Scope& scope,
                                              std::int64_t merchant_id, std::int64_t org_id,
                                              const std::string& reason, const Actor& who);
Status link_terminal(Context& ctx, std::int64_t merchant_id, const std::string& serial,
                     const Actor& who);
Status link_terminal(store::Tx& tx, const std::string& tenant, std::int64_t merchant_id,
                     const std::string& serial, const Actor& who);

// `version`: what the terminal says it runs (it may not have been updated by posfleet yet).
// The message is at most limits::kTicketChars characters (kInvalidArgument
// beyond, never cut); a terminal opens at most limits::kTicketsPerDay tickets
// per UTC day (kTooManyRequests beyond: each ticket stays in the audit log for
// good). The count, the ticket, its audit entry and the terminal's
// notification are one transaction, so tickets at the same moment cannot pass
// the cap together.
Expected<store::TicketRecord> open_ticket(Context& ctx, const store::TerminalRecord& t,
                                          const std::string& message, const std::string& version);
std::int64_t seconds_to_next_ticket_day();  // when a terminal's ticket count starts again
Expected<store::TicketRecord> close_ticket(Context& ctx, std::int64_t id, const std::string& note,
                                           const Actor& who);

// Checks name and ID digits for the merchant of `serial`; sends the code. A terminal outside
// `scope` is not found, and one whose merchant is outside it has none on record.
Expected<store::VerificationRecord> start_verification(Context& ctx, const std::string& serial,
                                                       const std::string& legal_name,
                                                       const std::string& id_last4,
                                                       const Actor& who, const Scope& scope = {});
Expected<store::VerificationRecord> confirm_code(Context& ctx, std::int64_t verification_id,
                                                 const std::string& code, const Actor& who);
// The verification `verification_id` if it is `who`'s, verified and not expired (kUnauthorized
// saying what to do otherwise): what support needs before acting for a merchant.
Expected<store::VerificationRecord> verified_for(Context& ctx, std::int64_t verification_id,
                                                 const Actor& who);

// Applies `patch` (the mode only) to every terminal of the verified merchant
// that lies in `scope` (a reseller's support changes its own terminals alone);
// kLocked when one of them is locked — only an administrator changes a
// lock, so support then asks one (support_ask_admin).
Expected<std::vector<std::string>> support_change_policy(Context& ctx, std::int64_t verification_id,
                                                         const PolicyPatch& patch,
                                                         const std::string& reason,
                                                         const Actor& who, const Scope& scope = {});
// For a verified merchant whose terminals are locked: records the wanted mode
// as a request to an administrator — audited (support.ask_admin), noted on the
// terminal's open ticket, and the terminal is told. Returns the serials asked
// for; kWrongState when none is locked away from that mode. The audit entries,
// ticket notes and notifications of all the terminals are one change.
Expected<std::vector<std::string>> support_ask_admin(Context& ctx, std::int64_t verification_id,
                                                     const PolicyPatch& patch,
                                                     const std::string& reason, const Actor& who,
                                                     const Scope& scope = {});

}  // namespace posfleet::domain
