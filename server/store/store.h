// posfleet server: the storage interface every backend implements.
//
// Records are plain values; the domain layer (server/domain) decides what they
// mean. SQLite (store/sqlite) is the embedded default; other backends implement
// the same interface. Every method is one short transaction.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/audit_chain.h"
#include "core/result.h"

namespace posfleet::store {

struct TerminalRecord {
  std::int64_t id = 0;
  std::string tenant, serial, model;
  std::string token_hash;              // SHA-256 hex of the terminal's DDI token
  std::string installed_version;       // as last reported by a successful deployment
  std::string attributes_json = "{}";  // DDI configData
  std::int64_t created = 0, last_seen = 0;
  std::string group;
  std::int64_t merchant_id = 0;
  std::int64_t retired = 0;  // when it was retired (unix seconds); 0 = in service
  std::string retired_reason;
};

struct ArtifactRecord {
  std::string sha256, sha1, md5;
  std::uint64_t size = 0;
};

struct ComponentRecord {
  std::int64_t id = 0;  // the DDI software module id
  std::int64_t release_id = 0;
  std::string name, version, filename, sha256;
  std::uint64_t length = 0;
};

struct ReleaseRecord {
  std::int64_t id = 0;
  std::string version;
  std::string manifest_json;  // the signed envelope, byte for byte as published
  std::string models_csv, key_ids_csv;
  std::int64_t expires = 0, created = 0;
  bool security = false;
  std::vector<ComponentRecord> components;
  std::int64_t security_deadline = 0;  // unix seconds; 0 = none
};

struct DeploymentRecord {
  std::int64_t id = 0;
  std::int64_t terminal_id = 0, release_id = 0;
  std::string status = "scheduled";  // scheduled | running | canceling | canceled | finished
  std::string result = "none";       // none | success | failure
  std::string message;               // last detail line
  std::int64_t created = 0, updated = 0;
};

struct ActionStatusRecord {
  std::int64_t id = 0, deployment_id = 0, time = 0;
  std::string execution, result;
  std::string details_json = "[]";
  int code = 0;
  // DDI status.result.progress as the terminal reports it (the agent: bytes
  // downloaded of the update's total); of = 0 when the status has none.
  std::int64_t progress_cnt = 0, progress_of = 0;
};

struct ApiTokenRecord {
  std::int64_t id = 0;
  std::string token_hash, name, role;
  std::int64_t created = 0;
  std::int64_t last_used = 0;  // unix seconds, coarse (domain/api_tokens.h); 0 = never
  std::int64_t revoked = 0;    // when it was revoked; 0 = valid
};

// Policy of one scope: "fleet" (key ""), "group" (key: group name) or
// "terminal" (key: serial). `patch` holds only the fields the scope sets.
struct PolicyRecord {
  std::string scope, scope_key;
  std::string patch_json = "{}";
  std::int64_t revision = 0;       // id of the newest change to this scope
  std::int64_t mode_revision = 0;  // id of the newest change to mode or lock
};

struct PolicyChangeRecord {
  std::int64_t id = 0;  // the global policy revision
  std::string scope, scope_key, before_json, after_json, actor, path, reason;
  std::string outcome = "applied";  // applied | superseded | refused
  std::int64_t time = 0;
};

struct NotificationRecord {
  std::int64_t id = 0, terminal_id = 0;
  std::string kind, ref, text_zh, text_en;
  std::int64_t time = 0;
};

struct MerchantRecord {
  std::int64_t id = 0;
  std::string legal_name, phone, resident_id_enc;
  std::int64_t created = 0;
};

struct TicketRecord {
  std::int64_t id = 0, terminal_id = 0;
  std::string serial, version, policy_json, message, status = "open", note;
  std::int64_t created = 0, updated = 0;
};

struct VerificationRecord {
  std::int64_t id = 0, merchant_id = 0;
  std::string agent, code_hash, status = "code_sent";  // code_sent | verified | failed
  int attempts = 0;
  std::int64_t created = 0, expires = 0, verified_until = 0;
};

struct UserRecord {
  std::int64_t id = 0;
  std::string name, password_hash, role;
  bool disabled = false;
  std::int64_t created = 0;
};

struct SessionRecord {
  std::string token_hash;
  std::int64_t user_id = 0;
  std::string csrf;
  std::int64_t created = 0, last_seen = 0;
};

// An application for a terminal (seed §6). The resident ID and the bank card
// are sealed (domain/secrets.h); `*_index` are keyed hashes of them, so that
// duplicates can be found without the numbers. Status: submitted → approved
// → shipped → activated, or submitted → rejected.
struct ApplicationRecord {
  std::int64_t id = 0;
  std::string number;  // what the applicant quotes, e.g. "PA7K3Q9M2X"
  std::string kind;    // individual | business
  std::string legal_name, resident_id_enc, resident_id_index, resident_id_masked;
  std::string business_name, credit_code;
  std::string phone, card_enc, card_masked, bank, address, model;
  std::string status = "submitted";
  std::string checks_json = "[]";  // the verification provider's answers
  std::string reason, reviewer, carrier, tracking, serials_csv;
  std::int64_t merchant_id = 0, created = 0, updated = 0;
};

// A one-time code sent to an applicant's phone; `verified` once the right
// code was typed, `used` once an application was submitted with it.
struct PhoneCodeRecord {
  std::int64_t id = 0;
  std::string phone, code_hash;
  int attempts = 0;
  bool verified = false, used = false;
  std::int64_t created = 0, expires = 0;
};

// An activation code enrols one terminal: single use, expiring; only its hash
// is kept. `used`: 0 unused, the time it was used, or -1 replaced by a newer code.
struct ActivationRecord {
  std::int64_t id = 0;
  std::string code_hash, serial, model;
  std::int64_t application_id = 0, merchant_id = 0, expires = 0, used = 0, created = 0;
};

// A filtered, paged view of the fleet (the console's terminal list, and the
// target of bulk policy edits and deployments by filter). Empty fields match
// everything. `mode` is the effective update mode after fleet, group and
// terminal policy; `state` is that of the terminal's newest deployment:
// idle (none) | scheduled | running | success | failed | canceled.
struct TerminalQuery {
  std::string text;  // serial prefix or part of the merchant's name, any case
  std::string model, version, group, mode, state;
  std::optional<bool> online;  // last seen at or after `online_since`
  std::int64_t online_since = 0;
  std::int64_t merchant_id = 0;
  std::int64_t offset = 0, limit = 50;
  // Assigned this release version (a deployment not canceled) and not running it yet.
  std::string pending;
  std::optional<bool> retired;  // unset: both; false: in service only
};

struct TerminalRow {
  TerminalRecord terminal;
  std::string merchant_name, mode, state;
};

// The support desk's ticket queue: open tickets first, newest first within.
struct TicketQuery {
  std::string status;  // open | closed | "" (all)
  std::string serial;  // exact terminal serial, or "" (all)
  std::int64_t offset = 0, limit = 50;
};

// Deployments for the CLI's `deployment list`, newest first; empty or 0
// fields match everything.
struct DeploymentQuery {
  std::int64_t terminal_id = 0, release_id = 0;
  std::string status;  // scheduled | running | canceling | canceled | finished
  std::string result;  // none | success | failure
  std::int64_t offset = 0, limit = 50;
};

struct TicketNoteRecord {
  std::int64_t id = 0, ticket_id = 0;
  std::string author, text;
  std::int64_t time = 0;
};

// A filtered view of the audit log. Empty fields match everything; `terminal`
// matches entries about the terminal (target "terminal:<serial>") and entries
// the terminal made itself (actor). `from`/`to` are unix seconds, inclusive.
struct AuditQuery {
  std::string actor, path, terminal;
  std::int64_t from = 0, to = 0;
  std::int64_t after_id = 0;  // only entries with a larger id
  bool newest_first = false;
  std::int64_t offset = 0, limit = 500;
};

// What the server checked of a release's signatures when it was published
// (posfleetd --release-key). Terminals check again against their own keys.
struct ReleaseCheckRecord {
  std::int64_t release_id = 0;
  bool verified = false;            // at least `threshold` trusted keys signed it
  int threshold = 0;                // 0: the server has no release keys, nothing checked
  std::string trusted_key_ids_csv;  // signers the server trusts
};

// One deployment of a release with its terminal's serial (progress views).
struct DeploymentRow {
  DeploymentRecord deployment;
  std::string serial;
};

// The overview page's aggregates, each computed in the store.
struct VersionCount {
  std::string model, version;
  std::int64_t count = 0;
};
struct DayOutcomes {
  std::string day;  // YYYY-MM-DD in UTC
  std::int64_t success = 0, failed = 0, rolled_back = 0;
};
struct SecurityPending {
  std::string version;
  std::int64_t deadline = 0;  // unix seconds
  std::int64_t pending = 0;   // terminals assigned the release that do not run it yet
};
struct FleetOverview {
  std::int64_t online = 0, offline = 0;
  std::vector<VersionCount> versions;  // by model, then version
  std::vector<DayOutcomes> outcomes;   // only days with an ended deployment, oldest first
  std::int64_t mode_auto = 0, mode_manual = 0,
               mode_never = 0;            // effective mode, as TerminalQuery::mode
  std::vector<SecurityPending> security;  // deadline after `now`, soonest first
};

class Store {
 public:
  virtual ~Store() = default;

  // Terminals.
  virtual Expected<std::int64_t> insert_terminal(
      const TerminalRecord& t) = 0;  // kConflict if serial exists
  virtual Expected<TerminalRecord> terminal_by_serial(const std::string& tenant,
                                                      const std::string& serial) = 0;
  virtual Expected<TerminalRecord> terminal_by_id(std::int64_t id) = 0;
  virtual Expected<std::vector<TerminalRecord>> list_terminals(std::int64_t offset,
                                                               std::int64_t limit) = 0;
  virtual Expected<std::vector<TerminalRow>> query_terminals(
      const TerminalQuery& q) = 0;  // ordered by serial
  virtual Expected<std::int64_t> count_terminals(
      const TerminalQuery& q) = 0;  // ignores offset and limit
  virtual Status touch_terminal(std::int64_t id, std::int64_t now) = 0;
  virtual Status set_terminal_attributes(std::int64_t id, const std::string& json) = 0;
  virtual Status set_installed_version(std::int64_t id, const std::string& version) = 0;
  // Online means last seen at or after `online_since`; outcomes count
  // deployments that ended at or after `outcomes_since` by the UTC day they
  // ended: success, rolled back (a status with code kHealthCheck or
  // kBootFailed) or otherwise failed.
  virtual Expected<FleetOverview> overview(std::int64_t online_since, std::int64_t outcomes_since,
                                           std::int64_t now) = 0;

  // Artifacts and releases.
  virtual Status put_artifact(const ArtifactRecord& a) = 0;  // idempotent
  virtual Expected<ArtifactRecord> artifact(const std::string& sha256) = 0;
  virtual Expected<std::int64_t> insert_release(
      ReleaseRecord& r) = 0;  // fills ids; kConflict if version exists
  virtual Expected<ReleaseRecord> release_by_version(const std::string& version) = 0;
  virtual Expected<ReleaseRecord> release_by_id(std::int64_t id) = 0;
  virtual Expected<std::vector<ReleaseRecord>> list_releases() = 0;
  virtual Expected<ComponentRecord> component(std::int64_t id) = 0;

  // Deployments (DDI actions).
  virtual Expected<std::int64_t> insert_deployment(const DeploymentRecord& d) = 0;
  virtual Expected<DeploymentRecord> deployment(std::int64_t id) = 0;
  // The newest deployment of the terminal that is not yet ended, if any.
  virtual Expected<std::optional<DeploymentRecord>> open_deployment(std::int64_t terminal_id) = 0;
  virtual Expected<std::vector<DeploymentRecord>> list_deployments(
      std::optional<std::int64_t> terminal_id, std::int64_t limit) = 0;
  // A page of deployments matching `q`, newest first, and how many match in all.
  virtual Expected<std::vector<DeploymentRecord>> query_deployments(const DeploymentQuery& q) = 0;
  virtual Expected<std::int64_t> count_deployments(const DeploymentQuery& q) = 0;
  virtual Status update_deployment(const DeploymentRecord& d) = 0;
  // Writes `d` only if its stored status is still `expected_status` (a cancel
  // may land between reading and writing); false if it changed.
  virtual Expected<bool> update_deployment_if(const DeploymentRecord& d,
                                              const std::string& expected_status) = 0;
  virtual Status append_action_status(const ActionStatusRecord& s) = 0;
  virtual Expected<std::vector<ActionStatusRecord>> action_history(std::int64_t deployment_id) = 0;
  // True if any deployment gave the terminal this release.
  virtual Expected<bool> release_assigned(std::int64_t terminal_id, std::int64_t release_id) = 0;

  // Terminals' group and merchant.
  virtual Status set_terminal_group(std::int64_t id, const std::string& group) = 0;
  virtual Status set_terminal_merchant(std::int64_t id, std::int64_t merchant_id) = 0;
  virtual Expected<std::vector<TerminalRecord>> terminals_of_merchant(std::int64_t merchant_id) = 0;
  virtual Status set_release_deadline(std::int64_t release_id, std::int64_t deadline) = 0;

  // Policy: one row per scope; every change (also refused ones) in history.
  virtual Expected<std::optional<PolicyRecord>> policy(const std::string& scope,
                                                       const std::string& key) = 0;
  // Writes the change to history and, if its outcome is "applied", the new
  // patch; returns the change's id (the new revision). One transaction.
  virtual Expected<std::int64_t> change_policy(const PolicyChangeRecord& change,
                                               const std::string& new_patch_json,
                                               bool touches_mode) = 0;
  virtual Expected<std::vector<PolicyChangeRecord>> policy_history(const std::string& scope,
                                                                   const std::string& key,
                                                                   std::int64_t limit) = 0;

  // Notifications; adding one with the same (terminal, kind, ref) is a no-op.
  virtual Status add_notification(const NotificationRecord& n) = 0;
  virtual Expected<std::vector<NotificationRecord>> notifications(std::int64_t terminal_id,
                                                                  std::int64_t after_id,
                                                                  std::int64_t limit) = 0;

  // Merchants, tickets, identity verifications.
  virtual Expected<std::int64_t> insert_merchant(const MerchantRecord& m) = 0;
  virtual Expected<MerchantRecord> merchant(std::int64_t id) = 0;
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

  // The support desk (sqlite/sqlite_store_desk.cc): the ticket queue, ticket
  // notes, merchant lookup and the filtered audit log.
  virtual Expected<std::vector<TicketRecord>> query_tickets(const TicketQuery& q) = 0;
  virtual Expected<std::int64_t> count_tickets(
      const TicketQuery& q) = 0;  // ignores offset and limit
  virtual Expected<std::int64_t> insert_ticket_note(const TicketNoteRecord& n) = 0;
  virtual Expected<std::vector<TicketNoteRecord>> ticket_notes(
      std::int64_t ticket_id) = 0;  // oldest first
  // Merchants whose legal name contains `text`, whose phone is `text`, or who
  // have a terminal whose serial starts with `text` (any case).
  virtual Expected<std::vector<MerchantRecord>> search_merchants(const std::string& text,
                                                                 std::int64_t limit) = 0;
  virtual Expected<std::vector<AuditEntry>> query_audit(const AuditQuery& q) = 0;
  virtual Expected<std::int64_t> count_audit(const AuditQuery& q) = 0;  // ignores offset and limit

  // The audit log: append computes the chain inside one transaction.
  virtual Expected<AuditEntry> append_audit(AuditEntry e) = 0;
  virtual Expected<std::vector<AuditEntry>> audit_entries(std::int64_t after_id,
                                                          std::int64_t limit) = 0;

  // Back-office users and their sessions.
  virtual Expected<std::int64_t> insert_user(
      const UserRecord& u) = 0;  // kConflict if the name exists
  virtual Expected<UserRecord> user_by_name(const std::string& name) = 0;
  virtual Expected<UserRecord> user_by_id(std::int64_t id) = 0;
  virtual Expected<std::vector<UserRecord>> list_users() = 0;
  virtual Status update_user(const UserRecord& u) = 0;
  virtual Status insert_session(const SessionRecord& s) = 0;
  virtual Expected<SessionRecord> session(const std::string& token_hash) = 0;
  virtual Status touch_session(const std::string& token_hash, std::int64_t now) = 0;
  virtual Status delete_session(const std::string& token_hash) = 0;
  virtual Status delete_sessions_of(std::int64_t user_id) = 0;

  // Applications for terminals, applicants' phone codes, activation codes.
  // insert_application: kConflict if the same resident ID has an application
  // that is not rejected.
  virtual Expected<std::int64_t> insert_application(const ApplicationRecord& a) = 0;
  virtual Expected<ApplicationRecord> application(std::int64_t id) = 0;
  virtual Expected<ApplicationRecord> application_by_number(const std::string& number) = 0;
  virtual Expected<std::vector<ApplicationRecord>> list_applications(
      const std::string& status, std::int64_t offset,
      std::int64_t limit) = 0;  // newest first
  // Writes `a` if the stored status is still `expected_status`; false if it
  // changed meanwhile (another step got there first).
  virtual Expected<bool> update_application(const ApplicationRecord& a,
                                            const std::string& expected_status) = 0;
  virtual Expected<std::int64_t> insert_phone_code(const PhoneCodeRecord& c) = 0;
  virtual Expected<PhoneCodeRecord> phone_code(std::int64_t id) = 0;
  virtual Expected<std::int64_t> count_phone_codes_since(const std::string& phone,
                                                         std::int64_t since) = 0;
  // Atomically counts one try of an open code (not verified, fewer than
  // max_tries, not expired); false if no try is left.
  virtual Expected<bool> take_phone_code_try(std::int64_t id, int max_tries, std::int64_t now) = 0;
  virtual Status mark_phone_code_verified(std::int64_t id) = 0;
  // Atomically marks a verified, unused code used; false if it was not.
  virtual Expected<bool> use_phone_code(std::int64_t id, const std::string& phone) = 0;
  virtual Expected<std::int64_t> insert_activation(const ActivationRecord& a) = 0;
  virtual Expected<std::vector<ActivationRecord>> activations_of(std::int64_t application_id) = 0;
  virtual Expected<ActivationRecord> activation_by_hash(
      const std::string& code_hash) = 0;  // kNotFound if none
  // Atomically marks an unused, unexpired code used at `now`; false if it was used or expired.
  virtual Expected<bool> use_activation(std::int64_t id, std::int64_t now) = 0;
  // Marks the serial's unused codes of the application replaced (used = -1).
  virtual Status replace_activations(std::int64_t application_id, const std::string& serial) = 0;
  virtual Status set_terminal_token(std::int64_t id, const std::string& token_hash) = 0;
  // Makes every committed write durable in the database file itself (SQLite:
  // a full WAL checkpoint), before a step that cannot be undone.
  virtual Status flush() = 0;
  // For re-sealing under a new key: merchants in id order, and their sealed resident ID.
  virtual Expected<std::vector<MerchantRecord>> merchants_after(std::int64_t after_id,
                                                                std::int64_t limit) = 0;
  virtual Status set_merchant_resident_id(std::int64_t id, const std::string& resident_id_enc) = 0;
  // Roll-outs (sqlite_store_rollout.cc): signature checks of releases,
  // deployments per release, policies by scope and terminals per group.
  virtual Status put_release_check(const ReleaseCheckRecord& r) = 0;
  virtual Expected<std::optional<ReleaseCheckRecord>> release_check(std::int64_t release_id) = 0;
  // How many of the release's deployments are in each state: scheduled,
  // running (also canceling), success, failed, canceled.
  virtual Expected<std::map<std::string, std::int64_t>> release_state_counts(
      std::int64_t release_id) = 0;
  virtual Expected<std::vector<DeploymentRow>> release_deployments(std::int64_t release_id,
                                                                   std::int64_t limit) = 0;
  virtual Expected<std::vector<PolicyRecord>> policies_of_scope(const std::string& scope) = 0;
  virtual Expected<std::map<std::string, std::int64_t>> terminals_per_group() = 0;  // "" = no group
  // serial → group of every terminal that has a policy of its own.
  virtual Expected<std::map<std::string, std::string>> groups_of_terminal_policies() = 0;

  // Management API tokens. api_token finds revoked ones too (the caller
  // refuses them); count_api_tokens counts revoked ones too, so that a
  // revoked bootstrap token is never created again at start-up.
  virtual Expected<std::int64_t> insert_api_token(const ApiTokenRecord& t) = 0;
  virtual Expected<ApiTokenRecord> api_token(const std::string& token_hash) = 0;
  virtual Expected<std::int64_t> count_api_tokens() = 0;
  virtual Expected<std::vector<ApiTokenRecord>> list_api_tokens() = 0;
  virtual Status touch_api_token(std::int64_t id, std::int64_t now) = 0;
  // Marks a valid token revoked at `now`; false if there is no valid token `id`.
  virtual Expected<bool> revoke_api_token(std::int64_t id, std::int64_t now) = 0;

  // Retirement (sqlite_store_credentials.cc), one transaction: the terminal
  // is marked retired, its DDI token replaced by `token_hash` (of a token
  // nobody holds), its open deployment canceled (returned, if any) and its
  // unused activation codes replaced. kConflict if it was retired already.
  virtual Expected<std::optional<DeploymentRecord>> retire_terminal(
      std::int64_t id, std::int64_t now, const std::string& reason,
      const std::string& token_hash) = 0;
  // A retired terminal registered again: in service with this model and
  // token, group, merchant, version, attributes and last poll cleared; false
  // if it is not retired (any more).
  virtual Expected<bool> reregister_terminal(std::int64_t id, const std::string& model,
                                             const std::string& token_hash, std::int64_t now) = 0;
};

}  // namespace posfleet::store
