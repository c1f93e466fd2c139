// posfleet server: store::Store written once in SQL, over the driver of store/sql/db.h —
// every area's queries (sql_store*.cc), the connection each thread uses and the transactions.
// A backend (store/sqlite) supplies the connections, the schema and what only it can do
// (flush). The SQL is the common dialect of SQLite and PostgreSQL: `?` placeholders,
// INSERT … ON CONFLICT, no engine-specific functions.
// Thread-safety: all methods may be called from any thread; each thread gets its own
// connection.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "server/store/sql/db.h"
#include "server/store/sql/policy_mode_sql.h"
#include "server/store/store.h"

namespace posfleet::store {

class SqlStore : public Store {
 public:
  Expected<bool> take_lease(const std::string& name, const std::string& owner, std::int64_t now,
                            std::int64_t until) override;
  Status release_lease(const std::string& name, const std::string& owner) override;
  // sql_store_limits.cc
  Expected<std::int64_t> count_limit_events(const std::string& key, std::int64_t since) override;
  Status add_limit_event(const std::string& key, std::int64_t now) override;
  Expected<bool> take_limit_event(const std::string& key, std::int64_t since, std::int64_t now,
                                  std::int64_t max) override;
  Status clear_limit_events(const std::string& key) override;
  Expected<std::int64_t> prune_limit_events(std::int64_t before, std::int64_t limit) override;

  Expected<DeploymentTimeouts> deployment_timeouts() override;
  Status set_deployment_timeouts(const DeploymentTimeouts& t) override;
  Expected<std::vector<DeploymentRecord>> deployments_in_phase_before(DeploymentPhase phase,
                                                                      std::int64_t before,
                                                                      std::int64_t limit) override;
  // sql_store_webhooks.cc
  Expected<std::int64_t> insert_webhook(const WebhookRecord& w) override;
  Expected<std::vector<WebhookRecord>> list_webhooks() override;
  Expected<WebhookRecord> webhook(std::int64_t id) override;
  Expected<bool> delete_webhook(std::int64_t id) override;
  Status set_webhook_secret(std::int64_t id, const std::string& secret_sealed) override;
  Expected<std::int64_t> enqueue_webhook_row(const WebhookOutboxRecord& row,
                                             std::int64_t max_pending) override;
  Expected<std::vector<WebhookOutboxRecord>> due_webhook_rows(std::int64_t now,
                                                              std::int64_t limit) override;
  Expected<bool> claim_webhook_row(std::int64_t id, std::int64_t attempts,
                                   std::int64_t until) override;
  Status finish_webhook_attempt(std::int64_t id, OutboxState state, std::int64_t next_try,
                                std::int64_t status, const std::string& error,
                                std::int64_t now) override;
  Expected<std::vector<WebhookOutboxRecord>> webhook_rows(std::int64_t webhook_id,
                                                          std::int64_t limit) override;
  Expected<std::int64_t> prune_webhook_rows(std::int64_t before) override;
  Expected<std::int64_t> insert_freeze(const FreezeRecord& f) override;
  Expected<std::vector<FreezeRecord>> list_freezes(const std::string& last_day_from,
                                                   std::int64_t limit) override;
  Expected<FreezeRecord> freeze(std::int64_t id) override;
  Status delete_freeze(std::int64_t id) override;
  Status set_terminal_time_zone(std::int64_t terminal_id, const std::string& tz) override;
  Status set_merchant_time_zone(std::int64_t merchant_id, const std::string& tz) override;
  Status set_merchant_organisation(std::int64_t id, std::int64_t org_id) override;
  Expected<std::string> merchant_time_zone(std::int64_t merchant_id) override;
  // sql_store_organisations.cc
  Expected<OrganisationRecord> insert_organisation(const OrganisationRecord& o) override;
  Expected<OrganisationRecord> organisation(std::int64_t id) override;
  Expected<std::vector<OrganisationRecord>> organisations_under(const std::string& path,
                                                                std::int64_t limit) override;
  Expected<std::vector<std::int64_t>> organisation_terminal_counts(
      const std::vector<std::int64_t>& ids) override;
  Status set_terminal_organisation(std::int64_t terminal_id, std::int64_t org_id) override;
  Status set_user_organisation(std::int64_t user_id, std::int64_t org_id) override;
  Expected<std::int64_t> user_organisation(std::int64_t user_id) override;
  // sql_store_health.cc
  Status record_health(const HealthRecord& r, std::int64_t history_seconds) override;
  Expected<std::optional<HealthRecord>> latest_health(std::int64_t terminal_id) override;
  Expected<std::vector<HealthRecord>> health_history(std::int64_t terminal_id, std::int64_t since,
                                                     std::int64_t limit) override;
  Expected<std::int64_t> prune_health_history(std::int64_t before, std::int64_t limit) override;
  // sql_store_actions.cc
  Expected<std::int64_t> insert_terminal_action(const TerminalActionRecord& a) override;
  Expected<TerminalActionRecord> terminal_action(std::int64_t id) override;
  Expected<std::vector<TerminalActionRecord>> terminal_actions(std::int64_t terminal_id,
                                                               bool pending_only,
                                                               std::int64_t limit) override;
  Status update_terminal_action(const TerminalActionRecord& a) override;
  Status put_action_bundle(std::int64_t id, const std::string& bundle) override;
  Expected<std::string> action_bundle(std::int64_t id) override;
  // sql_store_locks.cc
  Expected<std::int64_t> insert_terminal_lock(const TerminalLockRecord& l) override;
  Expected<TerminalLockRecord> terminal_lock(std::int64_t terminal_id) override;
  Status update_terminal_lock(const TerminalLockRecord& l) override;
  Expected<std::vector<TerminalLockRecord>> sealed_terminal_locks() override;
  Status set_terminal_lock_code(std::int64_t id, const std::string& sealed) override;
  // sql_store_parameters.cc
  Expected<ParameterTemplateRecord> insert_parameter_template(
      const ParameterTemplateRecord& t) override;
  Status update_parameter_template(const ParameterTemplateRecord& t) override;
  Expected<ParameterTemplateRecord> parameter_template(const std::string& app) override;
  Expected<std::vector<ParameterTemplateRecord>> parameter_templates() override;
  Expected<std::vector<ParameterValueRecord>> parameter_values_at(
      std::int64_t template_id, const std::string& level, std::int64_t org_id,
      const std::string& target) override;
  Expected<std::vector<ParameterValueRecord>> parameter_values_for(
      std::int64_t template_id, const std::vector<std::int64_t>& orgs, const std::string& group,
      const std::string& serial) override;
  Status put_parameter_value(const ParameterValueRecord& v) override;
  Expected<bool> delete_parameter_value(const ParameterValueRecord& v) override;
  Expected<std::vector<ParameterValueRecord>> sealed_parameter_values() override;
  Status put_parameter_ack(const ParameterAckRecord& a) override;
  Expected<std::vector<ParameterAckRecord>> parameter_acks(std::int64_t terminal_id) override;

  Expected<std::int64_t> insert_terminal(const TerminalRecord& t) override;
  Expected<TerminalRecord> terminal_by_serial(const std::string& tenant,
                                              const std::string& serial) override;
  Expected<PollingTerminal> polling_terminal(const std::string& tenant,
                                             const std::string& serial) override;
  Expected<TerminalRecord> terminal_by_id(std::int64_t id) override;
  Expected<std::vector<TerminalRecord>> list_terminals(std::int64_t offset,
                                                       std::int64_t limit) override;
  Expected<std::vector<TerminalRow>> query_terminals(const TerminalQuery& q) override;
  Expected<std::int64_t> count_terminals(const TerminalQuery& q) override;
  Status touch_terminal(std::int64_t id, std::int64_t now) override;
  Status touch_terminals(const std::vector<std::pair<std::int64_t, std::int64_t>>& seen) override;
  Status set_terminal_attributes(std::int64_t id, const std::string& json) override;
  Status set_installed_version(std::int64_t id, const std::string& version) override;

  Status put_artifact(const ArtifactRecord& a) override;
  Expected<ArtifactRecord> artifact(const std::string& sha256) override;
  Expected<std::int64_t> insert_release(ReleaseRecord& r) override;
  Expected<ReleaseRecord> release_by_version(const std::string& version) override;
  Expected<ReleaseRecord> release_by_id(std::int64_t id) override;
  Expected<std::vector<ReleaseRecord>> list_releases() override;
  Expected<ComponentRecord> component(std::int64_t id) override;

  Expected<std::int64_t> insert_deployment(const DeploymentRecord& d) override;
  Expected<DeploymentRecord> deployment(std::int64_t id) override;
  Expected<std::optional<DeploymentRecord>> open_deployment(std::int64_t terminal_id) override;
  Expected<std::vector<DeploymentRecord>> list_deployments(std::optional<std::int64_t> terminal_id,
                                                           std::int64_t limit) override;
  Expected<std::vector<DeploymentRecord>> query_deployments(const DeploymentQuery& q) override;
  Expected<std::int64_t> count_deployments(const DeploymentQuery& q) override;
  Status update_deployment(const DeploymentRecord& d) override;
  Expected<bool> update_deployment_if(const DeploymentRecord& d,
                                      DeploymentStatus expected_status) override;
  Status append_action_status(const ActionStatusRecord& s) override;
  Expected<std::vector<ActionStatusRecord>> action_history(std::int64_t deployment_id) override;
  Expected<bool> release_assigned(std::int64_t terminal_id, std::int64_t release_id) override;

  Expected<std::int64_t> insert_application(const ApplicationRecord& a) override;
  Expected<ApplicationRecord> application(std::int64_t id) override;
  Expected<ApplicationRecord> application_by_number(const std::string& number) override;
  Expected<std::vector<ApplicationRecord>> list_applications(const std::string& status,
                                                             std::int64_t offset,
                                                             std::int64_t limit,
                                                             const std::string& org_path) override;
  Expected<bool> update_application(const ApplicationRecord& a,
                                    const std::string& expected_status) override;
  Expected<std::int64_t> insert_phone_code(const PhoneCodeRecord& c) override;
  Expected<PhoneCodeRecord> phone_code(std::int64_t id) override;
  Expected<std::int64_t> count_phone_codes_since(const std::string& phone,
                                                 std::int64_t since) override;
  Expected<bool> take_phone_code_try(std::int64_t id, int max_tries, std::int64_t now) override;
  Status mark_phone_code_verified(std::int64_t id) override;
  Expected<bool> use_phone_code(std::int64_t id, const std::string& phone) override;
  Expected<std::int64_t> insert_activation(const ActivationRecord& a) override;
  Expected<std::vector<ActivationRecord>> activations_of(std::int64_t application_id) override;
  Expected<ActivationRecord> activation_by_hash(const std::string& code_hash) override;
  Expected<bool> use_activation(std::int64_t id, std::int64_t now) override;
  Status replace_activations(std::int64_t application_id, const std::string& serial) override;
  Status set_terminal_token(std::int64_t id, const std::string& token_hash) override;
  // One transaction on this thread's connection (a savepoint when nested).
  Status transact(const std::function<Status(Tx& tx)>& work) override;
  // The same on a terminal's transaction (Connection::begin_terminal); run again, up to three
  // times, when the database undid it for another's sake and it is not nested.
  Status transact_terminal(std::int64_t terminal_id,
                           const std::function<Status(Tx& tx)>& work) override;
  Expected<std::vector<MerchantRecord>> merchants_after(std::int64_t after_id,
                                                        std::int64_t limit) override;
  Status set_merchant_resident_id(std::int64_t id, const std::string& resident_id_enc) override;
  // sql_store_overview.cc: the console's overview and a terminal's tickets.
  Expected<FleetOverview> overview(std::int64_t online_since, std::int64_t outcomes_since,
                                   std::int64_t now) override;
  Expected<FleetOverview> subtree_overview(const std::string& org_path, std::int64_t online_since,
                                           std::int64_t outcomes_since, std::int64_t now) override;
  Expected<std::vector<TicketRecord>> tickets_of_terminal(std::int64_t terminal_id,
                                                          std::int64_t limit) override;

  // sql_store_credentials.cc: API tokens and retirement.
  Expected<std::int64_t> insert_api_token(const ApiTokenRecord& t) override;
  Expected<ApiTokenRecord> api_token(const std::string& token_hash) override;
  Expected<std::int64_t> count_api_tokens() override;
  Expected<std::vector<ApiTokenRecord>> list_api_tokens() override;
  Status touch_api_token(std::int64_t id, std::int64_t now) override;
  Expected<bool> revoke_api_token(std::int64_t id, std::int64_t now) override;
  Expected<std::optional<DeploymentRecord>> retire_terminal(std::int64_t id, std::int64_t now,
                                                            const std::string& reason,
                                                            const std::string& token_hash) override;
  Expected<bool> reregister_terminal(std::int64_t id, const std::string& model,
                                     const std::string& token_hash, std::int64_t now) override;

  // sql_store_fleet.cc: groups, merchants, policy, notifications, support, audit.
  Status set_terminal_group(std::int64_t id, const std::string& group) override;
  Status set_terminal_merchant(std::int64_t id, std::int64_t merchant_id) override;
  Expected<std::vector<TerminalRecord>> terminals_of_merchant(std::int64_t merchant_id) override;
  Status set_release_deadline(std::int64_t release_id, std::int64_t deadline) override;
  Status set_release_organisation(std::int64_t release_id, std::int64_t org_id) override;
  Expected<std::optional<PolicyRecord>> policy(const std::string& scope,
                                               const std::string& key) override;
  Expected<std::int64_t> change_policy(const PolicyChangeRecord& change,
                                       const std::string& new_patch_json, bool touches_mode,
                                       std::int64_t lock_org = 0) override;
  Expected<std::vector<PolicyChangeRecord>> policy_history(const std::string& scope,
                                                           const std::string& key,
                                                           std::int64_t limit) override;
  Status add_notification(const NotificationRecord& n) override;
  Expected<std::vector<NotificationRecord>> notifications(std::int64_t terminal_id,
                                                          std::int64_t after_id,
                                                          std::int64_t limit) override;
  Expected<std::int64_t> insert_merchant(const MerchantRecord& m) override;
  Expected<MerchantRecord> merchant(std::int64_t id) override;
  Expected<std::int64_t> insert_ticket(const TicketRecord& t) override;
  Expected<TicketRecord> ticket(std::int64_t id) override;
  Expected<std::vector<TicketRecord>> list_tickets(const std::string& status,
                                                   std::int64_t limit) override;
  Status update_ticket(const TicketRecord& t) override;
  Expected<std::int64_t> insert_verification(const VerificationRecord& v) override;
  Expected<VerificationRecord> verification(std::int64_t id) override;
  Status update_verification(const VerificationRecord& v) override;
  Expected<bool> take_code_try(std::int64_t id, int max_tries, std::int64_t now) override;
  Expected<bool> mark_verified(std::int64_t id, std::int64_t until) override;
  Expected<std::int64_t> count_verifications_since(std::int64_t merchant_id,
                                                   std::int64_t since) override;
  Expected<AuditEntry> append_audit(AuditEntry e) override;

  // sql_store_desk.cc
  Expected<std::vector<TicketRecord>> query_tickets(const TicketQuery& q) override;
  Expected<std::int64_t> count_tickets(const TicketQuery& q) override;
  Expected<std::int64_t> insert_ticket_note(const TicketNoteRecord& n) override;
  Expected<std::vector<TicketNoteRecord>> ticket_notes(std::int64_t ticket_id) override;
  Expected<std::vector<MerchantRecord>> search_merchants(const std::string& text,
                                                         std::int64_t limit,
                                                         const std::string& org_path) override;
  Expected<std::vector<AuditEntry>> query_audit(const AuditQuery& q) override;
  Expected<std::int64_t> count_audit(const AuditQuery& q) override;
  // sql_store_rollout.cc
  Status put_release_check(const ReleaseCheckRecord& r) override;
  Expected<std::optional<ReleaseCheckRecord>> release_check(std::int64_t release_id) override;
  Status add_release_bytes(std::int64_t release_id, const ReleaseBytes& b) override;
  Expected<ReleaseBytes> release_bytes(std::int64_t release_id) override;
  Status add_zchunk_file(std::int64_t release_id, const std::string& sha256) override;
  Expected<bool> zchunk_file_listed(const std::string& sha256) override;
  Expected<std::map<UpdateState, std::int64_t>> release_state_counts(
      std::int64_t release_id, const std::string& org_path = "") override;
  Expected<std::vector<DeploymentRow>> release_deployments(
      std::int64_t release_id, std::int64_t limit, const std::string& org_path = "") override;
  Expected<std::vector<PolicyRecord>> policies_of_scope(const std::string& scope) override;
  Expected<std::map<std::string, std::int64_t>> terminals_per_group() override;
  Expected<std::map<PolicyPlace, std::int64_t>> terminals_per_place() override;
  Expected<std::map<std::string, PolicyPlace>> places_of_terminal_policies() override;

  // sql_store_users.cc
  Expected<std::int64_t> insert_user(const UserRecord& u) override;
  Expected<UserRecord> user_by_name(const std::string& name) override;
  Expected<UserRecord> user_by_id(std::int64_t id) override;
  Expected<std::vector<UserRecord>> list_users() override;
  Status update_user(const UserRecord& u) override;
  Status insert_session(const SessionRecord& s) override;
  Expected<SessionRecord> session(const std::string& token_hash) override;
  Status touch_session(const std::string& token_hash, std::int64_t now) override;
  Status delete_session(const std::string& token_hash) override;
  Status delete_sessions_of(std::int64_t user_id) override;
  Expected<std::string> account_setting(const std::string& key) override;
  Status set_account_setting(const std::string& key, const std::string& value) override;
  Expected<std::vector<AuditEntry>> audit_entries(std::int64_t after_id,
                                                  std::int64_t limit) override;
  Status insert_root(const RootRecord& r) override;
  Expected<std::optional<RootRecord>> latest_root() override;
  Expected<RootRecord> root_by_version(std::int64_t version) override;

  // sql_store_devices.cc
  Expected<std::int64_t> insert_device_cert(const DeviceCertRecord& c) override;
  Expected<DeviceCertRecord> device_cert_by_fingerprint(const std::string& fingerprint) override;
  Expected<std::vector<DeviceCertRecord>> device_certs_of(std::int64_t terminal_id) override;
  Expected<std::int64_t> revoke_device_certs(std::int64_t terminal_id, std::int64_t now,
                                             const std::string& reason) override;
  Expected<bool> device_token_required() override;
  Status set_device_token_required(bool required) override;

  // sql_store_rollouts.cc: staged rollouts and the kill switch.
  Expected<std::int64_t> insert_rollout(const RolloutRecord& r) override;
  Expected<RolloutRecord> rollout(std::int64_t id) override;
  Status update_rollout(const RolloutRecord& r) override;
  Expected<std::vector<RolloutRecord>> query_rollouts(const std::string& state,
                                                      std::int64_t release_id, std::int64_t offset,
                                                      std::int64_t limit,
                                                      const std::string& org_path) override;
  Expected<std::int64_t> count_rollouts(const std::string& state, std::int64_t release_id,
                                        const std::string& org_path) override;
  Expected<std::vector<std::int64_t>> rollouts_in_states(
      const std::vector<std::string>& states) override;
  Status insert_rollout_waves(const std::vector<RolloutWaveRecord>& waves) override;
  Expected<std::vector<RolloutWaveRecord>> rollout_waves(std::int64_t rollout_id) override;
  Status update_rollout_wave(const RolloutWaveRecord& w) override;
  Status insert_rollout_members(std::int64_t rollout_id,
                                const std::vector<RolloutMemberRecord>& members) override;
  Expected<std::vector<RolloutMemberRecord>> unassigned_members(std::int64_t rollout_id,
                                                                std::int64_t wave,
                                                                std::int64_t limit) override;
  Expected<std::vector<RolloutMemberRecord>> members_in_phases(
      std::int64_t rollout_id, std::int64_t last_wave,
      const std::vector<std::string>& phases) override;
  Status set_member_deployment(std::int64_t rollout_id, std::int64_t terminal_id,
                               std::int64_t deployment_id, const std::string& skipped) override;
  Expected<std::map<std::int64_t, PhaseCounts>> rollout_wave_counts(
      std::int64_t rollout_id, std::int64_t seen_after) override;
  Expected<PhaseCounts> rollout_wave_count(std::int64_t rollout_id, std::int64_t wave,
                                           std::int64_t seen_after) override;
  Expected<std::vector<RolloutMemberRow>> rollout_members(const RolloutMemberQuery& q) override;
  Expected<std::int64_t> count_rollout_members(const RolloutMemberQuery& q) override;
  Status insert_rollout_sample(std::int64_t rollout_id, const RolloutSampleRecord& s,
                               std::int64_t cap) override;
  Expected<std::vector<RolloutSampleRecord>> rollout_samples(std::int64_t rollout_id) override;
  Status put_release_stop(const ReleaseStopRecord& s) override;
  Expected<bool> delete_release_stop(std::int64_t release_id) override;
  Expected<std::optional<ReleaseStopRecord>> release_stop(std::int64_t release_id) override;
  Expected<std::vector<ReleaseStopRecord>> release_stops() override;
  Expected<std::vector<DeploymentRecord>> open_deployments_of_release(
      std::int64_t release_id) override;
  Expected<std::vector<std::int64_t>> unfetched_deployments_of_rollout(
      std::int64_t rollout_id) override;

 protected:
  SqlStore() : id_(++next_id_) {}
  // This thread's connection, opened with open_connection() the first time.
  Expected<Connection*> conn();
  // A new connection to the database (once per thread that uses the store).
  virtual Expected<std::unique_ptr<Connection>> open_connection() = 0;
  // Whether the database keeps terminals_seen, the terminals in service per second of their
  // last_seen (PostgreSQL: pg_schema.cc), so that counting those online reads the seconds of
  // the online window, not half the fleet's index entries; SQLite counts its index.
  virtual bool keeps_seen_seconds() const { return false; }
  // Whether writers lock rows (PostgreSQL: several writers at once, each row locked as it is
  // written, so a statement over many rows must lock them in one order) or the whole database
  // (SQLite: one writer at a time, none of that needed).
  virtual bool locks_rows() const { return false; }

 private:
  Expected<std::vector<ComponentRecord>> components_of(Connection& c, std::int64_t release_id);
  Expected<ReleaseRecord> release_where(const char* sql, const std::string& key);

  const std::uint64_t id_;
  static inline std::atomic<std::uint64_t> next_id_{0};
  std::mutex mu_;
  std::unordered_map<std::thread::id, std::unique_ptr<Connection>> conns_;
};

// Shared by the store's source files.
TerminalRecord read_terminal(Stmt& s);
// An audit entry from its columns id, time, actor, actor_kind, path, action, target, before,
// after, reason, prev_hash, hash, address, org_id.
AuditEntry read_audit_entry(Stmt& s);
const char* terminal_columns();
Status done(Connection& c, Stmt& s, const char* what);
// terminal_tally counted again from the terminals in one pass (migration 22).
Status recount_terminal_tally(Connection& c);
// Writes the effective mode (policy_mode_sql.h) of the terminals `where` picks ("id = ?",
// "group_name = ?", "1 = 1", ...), `bind` binding its parameters; part of the caller's
// transaction, which a change to `many` terminals needs (it pauses the tally's triggers and
// counts the tally again after).
template <typename... Args>
Status refresh_effective_modes(Connection& c, bool many, const std::string& where,
                               const Args&... bind) {
  if (many) {
    auto pause = c.prepare("INSERT INTO tally_paused (id) VALUES (1)");
    if (auto st = done(c, pause, "pausing the tally"); !st) return st;
  }
  auto s = c.prepare((std::string(sql::kRefreshEffectiveModes) + where).c_str());
  s.bind_all(bind...);
  if (auto st = done(c, s, "effective modes"); !st || !many) return st;
  if (auto st = recount_terminal_tally(c); !st) return st;
  auto resume = c.prepare("DELETE FROM tally_paused");
  return done(c, resume, "resuming the tally");
}
// organisation_modes (policy_mode_sql.h) folded again for the organisations under `path`, and
// the effective modes of their terminals written again; part of the caller's transaction.
Status refresh_subtree_modes(Connection& c, const std::string& path);
// Every row of `s` (selecting kDeploymentColumnsSql), or why not, named `what`.
Expected<std::vector<DeploymentRecord>> read_deployments(Connection& c, Stmt& s,
                                                         const char* what = "deployments");

}  // namespace posfleet::store
