// posfleet server: the records the store keeps, as plain values; the domain
// layer (server/domain) decides what they mean.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/audit_chain.h"
#include "server/store/deployment_status.h"

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
  // IANA time zone its maintenance windows and freeze dates are read in; '' = its merchant's
  // region or the fleet's (domain/time_zones.h).
  std::string time_zone;
  std::int64_t org_id = 1;  // the organisation it belongs to (organisations_store.h)
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
  // The organisation whose subtree sees and receives it (docs/organisations.md); the acquirer's
  // (kRootOrganisation, 1): the whole fleet's.
  std::int64_t org_id = 1;
};

struct DeploymentRecord {
  std::int64_t id = 0;
  std::int64_t terminal_id = 0, release_id = 0;
  DeploymentStatus status = DeploymentStatus::kScheduled;
  DeploymentResult result = DeploymentResult::kNone;
  std::string message;  // last detail line
  std::int64_t created = 0, updated = 0;
  std::int64_t rollout_id = 0;  // the staged rollout that made it; 0 = none (rollouts/)
  // Where the terminal is with it, finer than status/result (deployment_status.h), and since
  // when: what a rollout counts per wave and what a stuck deployment's timeout measures.
  DeploymentPhase phase = DeploymentPhase::kScheduled;
  std::int64_t phase_since = 0;
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
  std::int64_t org_id = 1;     // its maker's organisation, within which it acts
};

// Policy of one scope: "fleet" (key ""), "group" (key: group name) or
// "terminal" (key: serial). `patch` holds only the fields the scope sets.
struct PolicyRecord {
  std::string scope, scope_key;
  std::string patch_json = "{}";
  std::int64_t revision = 0;       // id of the newest change to this scope
  std::int64_t mode_revision = 0;  // id of the newest change to mode or lock
  // The organisation whose user set the scope's lock (docs/organisations.md): a user of an
  // organisation below it neither lifts it nor changes the mode under it.
  std::int64_t lock_org = 1;
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
  std::int64_t org_id = 1;  // the organisation it belongs to (docs/organisations.md)
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
  // Two-factor log-in (domain/totp.h): the TOTP secret, sealed
  // (domain/secrets.h), "" when the user has none; the one generated at
  // enrolment and waiting for its first code; the newest 30-second step a
  // code was accepted for (a code works once).
  std::string totp_secret = {}, totp_pending = {};
  std::int64_t totp_last_step = 0;
  std::int64_t org_id = 1;  // the organisation within whose subtree the user acts
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
  std::int64_t org_id = 1;  // whose staff review it: the acquirer's until it is given to another
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
// terminal policy; `state` is the update state of the terminal (deployment_status.h).
struct TerminalQuery {
  std::string text;  // serial prefix or part of the merchant's name, any case
  std::string model, version, group, mode;
  std::optional<UpdateState> state;
  std::optional<bool> online;  // last seen at or after `online_since`
  std::int64_t online_since = 0;
  std::int64_t merchant_id = 0;
  std::int64_t offset = 0, limit = 50;
  // The page after this serial (a keyset page: an index seek however deep; offset counts on
  // from there); with from_end, the page before it. Empty: from the first (or the last).
  std::string after;
  // Offset counted from the last serial backwards (the page is still returned in list order):
  // a page past the middle walks the index from its far end (the list API's choice), and a page
  // before a serial is the one that ends just before `after`.
  bool from_end = false;
  // Assigned this release version (its newest deployment, not canceled) and not running it yet.
  std::string pending;
  std::optional<bool> retired;  // unset: both; false: in service only
  // Only terminals of this organisation's subtree (its path, organisations_store.h); empty: all.
  std::string org_path;
  // `text` matches the names of this subtree's merchants alone (the list of a caller outside the
  // acquirer, which is not shown another's); empty: every merchant's.
  std::string merchant_path = {};
  // Only terminals whose latest health report (health_store.h) says low_storage, weak_signal
  // or low_battery; empty: all.
  std::string health;
};

struct TerminalRow {
  TerminalRecord terminal;
  std::string merchant_name, mode;
  UpdateState state = UpdateState::kIdle;
  std::int64_t merchant_org = 0;  // its merchant's organisation (0: no merchant)
};

// The support desk's ticket queue: open tickets first, newest first within.
struct TicketQuery {
  std::string status;  // open | closed | "" (all)
  std::string serial;  // exact terminal serial, or "" (all)
  std::int64_t offset = 0, limit = 50;
  // Only the tickets of terminals of this organisation's subtree (its path); "" for all.
  std::string org_path = {};
};

// A terminal as its poll needs it: its row and its open deployment, if any, read at one
// moment (TerminalStore::polling_terminal).
struct PollingTerminal {
  TerminalRecord terminal;
  std::optional<DeploymentRecord> open;
};

// Deployments for the CLI's `deployment list`, newest first; empty or 0
// fields match everything.
struct DeploymentQuery {
  std::int64_t terminal_id = 0, release_id = 0;
  std::optional<DeploymentStatus> status;
  std::optional<DeploymentResult> result;
  std::int64_t offset = 0, limit = 50;
  // Only the deployments of terminals of this organisation's subtree (its path); "" for all.
  std::string org_path = {};
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
  // Only the entries of this organisation's subtree (its path, "/1/7/"); "" for all.
  std::string org_path = {};
};

// What the server checked of a release's signatures when it was published
// (posfleetd --release-key). Terminals check again against their own keys.
// What a release's downloads sent, and what full downloads would have sent in their place.
struct ReleaseBytes {
  std::uint64_t sent = 0, full = 0;
};

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
  std::int64_t pending = 0;  // in service, assigned the release (TerminalQuery::pending), not on it
};
struct FleetOverview {
  std::int64_t online = 0, offline = 0;
  std::vector<VersionCount> versions;  // by model, then version
  std::vector<DayOutcomes> outcomes;   // only days with an ended deployment, oldest first
  std::int64_t mode_auto = 0, mode_manual = 0,
               mode_never = 0;            // effective mode, as TerminalQuery::mode
  std::vector<SecurityPending> security;  // deadline after `now`, soonest first
};

}  // namespace posfleet::store
