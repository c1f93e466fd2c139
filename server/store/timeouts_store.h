// posfleet server: the store's timeouts area: how long a deployment may stay in each open phase
// (the fleet's setting, one row) and the open deployments that have stayed longer
// (domain/timeouts.h). One part of store::Store (store.h).
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "server/store/deployment_status.h"
#include "server/store/records.h"

namespace posfleet::store {

// Seconds a deployment may stay in a phase before it is timed out; 0 = never.
struct DeploymentTimeouts {
  std::int64_t waiting_seconds = 7 * 86400;  // scheduled (not fetched yet) and waiting_window
  std::int64_t downloading_seconds = 86400;
  std::int64_t installing_seconds = 2 * 3600;
};

class TimeoutStore {
 public:
  virtual ~TimeoutStore() = default;
  virtual Expected<DeploymentTimeouts> deployment_timeouts() = 0;
  virtual Status set_deployment_timeouts(const DeploymentTimeouts& t) = 0;
  // Open deployments (scheduled, running, canceling) in `phase` since before `before` (unix
  // seconds), oldest in the phase first, at most `limit`: one range of the
  // deployments_open_phase index per open status.
  virtual Expected<std::vector<DeploymentRecord>> deployments_in_phase_before(
      DeploymentPhase phase, std::int64_t before, std::int64_t limit) = 0;
};

}  // namespace posfleet::store
