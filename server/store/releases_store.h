// posfleet server: the store's releases area: artifacts, releases and their deployments (DDI
// actions), with their status history. One part of store::Store (store.h); records are in
// records.h. Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/store/records.h"

namespace posfleet::store {

class ReleaseStore {
 public:
  virtual ~ReleaseStore() = default;

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
                                              DeploymentStatus expected_status) = 0;
  virtual Status append_action_status(const ActionStatusRecord& s) = 0;
  virtual Expected<std::vector<ActionStatusRecord>> action_history(std::int64_t deployment_id) = 0;

  // True if any deployment gave the terminal this release.
  virtual Expected<bool> release_assigned(std::int64_t terminal_id, std::int64_t release_id) = 0;
  virtual Status set_release_deadline(std::int64_t release_id, std::int64_t deadline) = 0;
  // The organisation whose subtree sees and receives the release.
  virtual Status set_release_organisation(std::int64_t release_id, std::int64_t org_id) = 0;

  // Roll-outs (sql/sql_store_rollout.cc): signature checks of releases,
  // deployments per release, policies by scope and terminals per group.
  virtual Status put_release_check(const ReleaseCheckRecord& r) = 0;
  virtual Expected<std::optional<ReleaseCheckRecord>> release_check(std::int64_t release_id) = 0;
  // Adds a download's bytes to the release's tally (migration 26); zeros when none yet.
  virtual Status add_release_bytes(std::int64_t release_id, const ReleaseBytes& b) = 0;
  virtual Expected<ReleaseBytes> release_bytes(std::int64_t release_id) = 0;
  // The zchunk files releases list (migration 27): recorded at publish, in its transaction;
  // a file is served to anyone once a release lists it.
  virtual Status add_zchunk_file(std::int64_t release_id, const std::string& sha256) = 0;
  virtual Expected<bool> zchunk_file_listed(const std::string& sha256) = 0;

  // How many of the release's deployments give their terminal each update
  // state (update_state_of); every state but idle is present, 0 when none. A
  // non-empty `org_path` counts (and lists) the deployments of its subtree's
  // terminals alone, read from those terminals.
  virtual Expected<std::map<UpdateState, std::int64_t>> release_state_counts(
      std::int64_t release_id, const std::string& org_path = "") = 0;
  virtual Expected<std::vector<DeploymentRow>> release_deployments(
      std::int64_t release_id, std::int64_t limit, const std::string& org_path = "") = 0;
};

}  // namespace posfleet::store
