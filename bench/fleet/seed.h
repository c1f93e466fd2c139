// posfleet fleet simulator: registers the simulated fleet straight into a
// posfleetd SQLite database (created and migrated by one start of posfleetd,
// and stopped again), in one transaction: N terminals as FleetModel says, each
// with its token's hash, model, group, time zone and a first version already
// reported (so no terminal is asked for configData on its first poll).
// Registration is not what the simulation measures, and 100,000 API calls
// would take minutes. Thread-safety: a plain function.
#pragma once

#include <string>

#include "bench/fleet/fleet_model.h"
#include "core/result.h"

namespace posfleet::fleet {

Status seed_database(const FleetModel& fleet, const std::string& db_path,
                     const std::string& version);

}  // namespace posfleet::fleet
