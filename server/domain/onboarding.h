// posfleet server: applying for a terminal (seed §6, PRODUCT.md §Onboarding),
// from a validated application to an activated, enrolled terminal.
//
// Applicant (no log-in): asks for a code on their mobile number, types it,
// submits the application (identity, business, settlement card, address,
// model) and gets an application number; with the number and the phone they
// can see its status. Staff: review (the verification provider's answers,
// masked numbers), approve — which creates the merchant, registers the
// terminals with the serials staff assign and issues one activation code per
// terminal — or reject with a reason; then record shipping. The applicant is
// told each decision by SMS. Terminal: `posfleet-agent enroll CODE` exchanges
// the code, once and before it expires, for the terminal's DDI token.
//
// The resident ID and the card number are sealed (secrets.h) as soon as they
// are checked; only masks, keyed indexes and the provider's answers are kept
// beside them. They are unsealed only to approve (the merchant record keeps
// the resident ID) and to re-run the verification provider — both staff steps
// behind the onboarding permission. No function here returns or logs them.
// Thread-safety: stateless functions over the Context; the verification
// provider must be thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/domain/context.h"
#include "server/domain/device_ca.h"
#include "server/domain/organisations.h"

namespace posfleet::domain {

inline constexpr int kPhoneCodeSeconds = 300;  // a code can be typed for 5 minutes
inline constexpr int kPhoneCodeTries = 5;
inline constexpr int kPhoneCodeGapSeconds = 60;  // one new code a minute per phone
inline constexpr int kPhoneCodesPerHour = 5;
inline constexpr int kVerifiedPhoneSeconds =
    1800;  // a typed code carries a submission for 30 minutes
inline constexpr int kActivationDays = 30;
inline constexpr int kMaxTerminalsPerApplication = 10;

// One terminal model applicants can choose (catalogue.cc; the operator may
// replace the list with <data_dir>/catalogue.json).
struct CatalogueModel {
  std::string id, kind;  // kind: mobile | fixed | smart
  std::string name_zh, name_en, text_zh, text_en;
};
std::vector<CatalogueModel> terminal_catalogue(const Context& ctx);

// What an applicant submits. Numbers as typed (spaces and hyphens allowed).
struct ApplicationInput {
  std::string kind;  // individual | business
  std::string legal_name, resident_id, business_name, credit_code;
  std::string phone;
  std::int64_t phone_code_id = 0;
  std::string card, bank, address, model;
};

// Field name → why it is refused (core/identity_numbers.h names, plus
// "required", "too_long", "underage", "unknown_model", "not_verified").
using FieldErrors = std::map<std::string, std::string>;
FieldErrors check_application(const Context& ctx, const ApplicationInput& in);

// Sends a 6-digit code to `phone`. kInvalidArgument for a number that is not
// a mainland mobile, kUnavailable when codes were asked too often.
Expected<store::PhoneCodeRecord> send_phone_code(Context& ctx, const std::string& phone);
// kUnauthorized with the tries left, or when the code expired.
Status confirm_phone_code(Context& ctx, std::int64_t id, const std::string& code);

struct Submitted {
  store::ApplicationRecord record;
  FieldErrors errors;  // non-empty: nothing was stored
};
// kConflict when the resident ID already has an application that is not rejected.
Expected<Submitted> submit_application(Context& ctx, const ApplicationInput& in);
// The application with this number, if `phone` is the one it was made with
// (one answer for a wrong number or phone: kNotFound).
Expected<store::ApplicationRecord> application_status(Context& ctx, const std::string& number,
                                                      const std::string& phone);

// Where an application stands; the store and the API use the names.
// submitted → approved → shipped → activated (activated may come before
// shipped is recorded), or submitted → rejected.
enum class ApplicationStatus { kSubmitted, kApproved, kRejected, kShipped, kActivated };
const char* to_string(ApplicationStatus s);
// The status named `name`; kInvalidArgument listing the statuses.
Expected<ApplicationStatus> application_status_named(const std::string& name);

// Staff side. Every change below is one transaction with its audit entries; a
// change in the wrong status is kWrongState. The applicant's SMS goes after
// the commit: one that cannot be sent is logged, and the applicant sees the
// new status on the status page.
// Newest first, at most 500; all statuses when `status` is not given; with `org_path`, those of
// that organisation's subtree alone.
Expected<std::vector<store::ApplicationRecord>> list_applications(
    Context& ctx, std::optional<ApplicationStatus> status, const std::string& org_path = "");
struct ApplicationDetail {
  store::ApplicationRecord record;
  std::vector<store::ActivationRecord> activations;
};
Expected<ApplicationDetail> application_detail(Context& ctx, std::int64_t id);
Expected<store::ApplicationRecord> reverify_application(Context& ctx, std::int64_t id,
                                                        const Actor& who);
struct Approved {
  store::ApplicationRecord record;
  std::vector<std::pair<std::string, std::string>> codes;  // (serial, activation code): shown once
};
Expected<Approved> approve_application(Context& ctx, std::int64_t id,
                                       const std::vector<std::string>& serials,
                                       const std::string& reason, const Actor& who);
// A new activation code for one of the application's terminals (the old one
// was lost, or the terminal was reset); its unused codes stop working.
Expected<std::string> reissue_activation(Context& ctx, std::int64_t id, const std::string& serial,
                                         const std::string& reason, const Actor& who);
// Gives a submitted application to organisation `org_id` of `scope` (kNotFound for another),
// whose staff then review it; the merchant and terminals of its approval belong to it. Audited
// as application.organisation with both organisations, where a terminal's move would be.
Expected<store::ApplicationRecord> give_application(Context& ctx, const Scope& scope,
                                                    std::int64_t id, std::int64_t org_id,
                                                    const std::string& reason, const Actor& who);
Expected<store::ApplicationRecord> reject_application(Context& ctx, std::int64_t id,
                                                      const std::string& reason, const Actor& who);
Expected<store::ApplicationRecord> record_shipping(Context& ctx, std::int64_t id,
                                                   const std::string& carrier,
                                                   const std::string& tracking, const Actor& who);

// Terminal side: the code's terminal must be `serial` of `model` (the terminal
// says what it is; a mismatch means staff shipped another unit than they
// registered, and enrolling it would let it accept another model's releases).
// Returns the terminal and its new DDI token (shown once). With a CSR (PEM,
// device_ca.h), also its certificate from the device CA, in the same change: a
// CSR that cannot be used refuses the enrolment and leaves the code unused.
struct Enrolled {
  store::TerminalRecord terminal;
  std::string token;
  std::optional<IssuedCertificate> certificate;
};
Expected<Enrolled> enroll_terminal(Context& ctx, const std::string& code, const std::string& serial,
                                   const std::string& model, const std::string& remote,
                                   const std::string& csr_pem = "");

// Re-seals every sealed value with the current key and recomputes indexes
// (the middle of a key rotation, secrets.h), makes that durable, and checks
// that every value is now sealed with the current key — only then may the old
// key go. Returns how many were re-sealed.
Expected<std::int64_t> reseal_all(Context& ctx);

}  // namespace posfleet::domain
