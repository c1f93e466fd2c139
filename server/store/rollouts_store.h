// posfleet server: the store's staged-rollouts area: rollouts, their waves, the members each wave
// was given when the rollout started (fixed then, so a restart never reshuffles), the history the
// chart draws, and the kill switch's stopped releases. One part of store::Store (store.h); the
// rules are in server/domain/rollouts/. Counting a rollout's members by phase is one GROUP BY
// over an index, cheap at 100,000 members.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "server/store/records.h"

namespace posfleet::store {

// A rollout. `state`, `target_json` and `waves_json` are the domain's words and documents
// (domain/rollouts/plan.h); the store keeps them as given.
struct RolloutRecord {
  std::int64_t id = 0;
  std::string name;
  std::int64_t release_id = 0;
  std::string target_json = "{}";  // what the operator named: serials, group or filter
  std::string waves_json = "[]";   // the wave specs, in order
  std::string state = "draft", state_reason;
  std::int64_t current_wave = 0;
  std::string created_by;
  std::int64_t created = 0, start_at = 0, started = 0, ended = 0;
  std::int64_t offline_days = 7;
  std::int64_t last_sample = 0;  // when the newest history sample was taken
  std::string last_counts;       // ... and what it held (a new one only when this changes)
  // The organisation that made it: its members are that organisation's subtree's terminals, and
  // its users (and those above) see and steer it (docs/organisations.md).
  std::int64_t org_id = 1;
};

struct RolloutWaveRecord {
  std::int64_t rollout_id = 0, index = 0;
  std::string spec_json = "{}";
  std::string state = "pending";
  std::int64_t terminals = 0;  // members, fixed at the rollout's start
  std::int64_t started = 0, soak_until = 0;
  std::string approved_by;
  std::int64_t approved_at = 0, finished = 0;
  std::int64_t failed_base = 0;  // failures an operator accepted by resuming (not counted again)
};

// A member's terminal, wave and the deployment the rollout gave it (0: none yet; `skipped` says
// why none will be: already_installed, retired, busy …).
struct RolloutMemberRecord {
  std::int64_t terminal_id = 0, wave = 0, deployment_id = 0;
  std::string skipped;
};

// One member as the rollout's terminal list shows it.
struct RolloutMemberRow {
  std::string serial;
  std::int64_t wave = 0, deployment_id = 0;
  std::string phase;  // the deployment's phase (ended deployments by their outcome), skipped_*
                      // or "pending" when it has none yet
  std::int64_t phase_since = 0;
  std::string message;
};

struct RolloutMemberQuery {
  std::int64_t rollout_id = 0;
  std::optional<std::int64_t> wave;
  std::string phase;            // "" = any
  std::int64_t seen_after = 0;  // as rollout_wave_counts
  std::int64_t offset = 0, limit = 50;
};

// Counts of one wave: phase word → members (unreachable and pending included, see below).
using PhaseCounts = std::map<std::string, std::int64_t>;

struct RolloutSampleRecord {
  std::int64_t time = 0, wave = 0;
  std::string counts_json = "{}";
};

struct ReleaseStopRecord {
  std::int64_t release_id = 0;
  std::string version, reason, by;
  std::int64_t at = 0;
};

class RolloutStore {
 public:
  virtual ~RolloutStore() = default;

  virtual Expected<std::int64_t> insert_rollout(const RolloutRecord& r) = 0;
  virtual Expected<RolloutRecord> rollout(std::int64_t id) = 0;  // kNotFound
  virtual Status update_rollout(const RolloutRecord& r) = 0;
  // Newest first; empty state / release_id 0 match all; a non-empty `org_path` keeps the rollouts
  // of the organisations in that subtree.
  virtual Expected<std::vector<RolloutRecord>> query_rollouts(const std::string& state,
                                                              std::int64_t release_id,
                                                              std::int64_t offset,
                                                              std::int64_t limit,
                                                              const std::string& org_path) = 0;
  virtual Expected<std::int64_t> count_rollouts(const std::string& state, std::int64_t release_id,
                                                const std::string& org_path) = 0;
  // Ids of the rollouts in any of `states`, oldest first (what the engine visits).
  virtual Expected<std::vector<std::int64_t>> rollouts_in_states(
      const std::vector<std::string>& states) = 0;

  virtual Status insert_rollout_waves(const std::vector<RolloutWaveRecord>& waves) = 0;
  virtual Expected<std::vector<RolloutWaveRecord>> rollout_waves(std::int64_t rollout_id) = 0;
  virtual Status update_rollout_wave(const RolloutWaveRecord& w) = 0;

  // All members at once (one prepared statement; call inside a transaction for speed).
  virtual Status insert_rollout_members(std::int64_t rollout_id,
                                        const std::vector<RolloutMemberRecord>& members) = 0;
  // Up to `limit` members of the wave that have no deployment and no skip yet, by terminal id.
  virtual Expected<std::vector<RolloutMemberRecord>> unassigned_members(std::int64_t rollout_id,
                                                                        std::int64_t wave,
                                                                        std::int64_t limit) = 0;
  // Members of waves up to `last_wave` whose deployment is in one of `phases` (retry).
  virtual Expected<std::vector<RolloutMemberRecord>> members_in_phases(
      std::int64_t rollout_id, std::int64_t last_wave, const std::vector<std::string>& phases) = 0;
  virtual Status set_member_deployment(std::int64_t rollout_id, std::int64_t terminal_id,
                                       std::int64_t deployment_id, const std::string& skipped) = 0;
  // Per wave, members by phase: the deployment's phase ("success" … as DeploymentPhase, an ended
  // deployment whose phase was never set by its outcome), "pending" (no deployment yet),
  // "skipped" (none will be made) and "unreachable": a scheduled deployment whose terminal was
  // not seen since the wave started nor since `seen_after`.
  virtual Expected<std::map<std::int64_t, PhaseCounts>> rollout_wave_counts(
      std::int64_t rollout_id, std::int64_t seen_after) = 0;
  // The same for one wave alone, from its members only (the engine's tick: the running wave).
  virtual Expected<PhaseCounts> rollout_wave_count(std::int64_t rollout_id, std::int64_t wave,
                                                   std::int64_t seen_after) = 0;
  virtual Expected<std::vector<RolloutMemberRow>> rollout_members(const RolloutMemberQuery& q) = 0;
  virtual Expected<std::int64_t> count_rollout_members(const RolloutMemberQuery& q) = 0;

  // Appends a sample and keeps only the newest `cap` of the rollout.
  virtual Status insert_rollout_sample(std::int64_t rollout_id, const RolloutSampleRecord& s,
                                       std::int64_t cap) = 0;
  virtual Expected<std::vector<RolloutSampleRecord>> rollout_samples(std::int64_t rollout_id) = 0;

  // Kill switch.
  virtual Status put_release_stop(const ReleaseStopRecord& s) = 0;  // replaces
  virtual Expected<bool> delete_release_stop(std::int64_t release_id) = 0;
  virtual Expected<std::optional<ReleaseStopRecord>> release_stop(std::int64_t release_id) = 0;
  virtual Expected<std::vector<ReleaseStopRecord>> release_stops() = 0;
  // Open deployments (scheduled, running, canceling) of a release.
  virtual Expected<std::vector<DeploymentRecord>> open_deployments_of_release(
      std::int64_t release_id) = 0;
  // The open deployments a rollout made that no terminal fetched yet (status scheduled).
  virtual Expected<std::vector<std::int64_t>> unfetched_deployments_of_rollout(
      std::int64_t rollout_id) = 0;
};

}  // namespace posfleet::store
