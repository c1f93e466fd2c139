// posfleet server: the SQLite backend's one edge for the deployment words
// (store/deployment_status.h): reading a deployment row into its enums, and the
// SQL form of a terminal's update state, built from update_state_of so that
// the C++ rule and the SQL cannot drift apart (deployment_sql_test.cc checks
// them against each other on random fleets).
// Thread-safety: pure functions; the SQL strings are built once.
#pragma once

#include <string>

#include "server/store/records.h"
#include "server/store/sql/db.h"

namespace posfleet::store {

// The columns read_deployment reads, in order, from a deployments table
// aliased `d`.
inline constexpr const char* kDeploymentColumnsSql =
    "d.id, d.terminal_id, d.release_id, d.status, d.result, d.message, d.created, d.updated, "
    "d.rollout_id, d.phase, d.phase_since";
// How many columns that is: a query's own columns after it start here.
inline constexpr int kDeploymentColumnCount = 11;

// A row whose columns `first`.. are kDeploymentColumnsSql; kIo if the stored
// status, result or phase is not one of the words.
Expected<DeploymentRecord> read_deployment(const Stmt& s, int first = 0);

// CASE expression: the update state (its word) that a deployment aliased `d`
// gives its terminal.
const std::string& update_state_sql();

}  // namespace posfleet::store
