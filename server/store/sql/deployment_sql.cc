#include "server/store/sql/deployment_sql.h"

#include <array>
#include <vector>

namespace posfleet::store {

namespace {

std::string quoted(const char* word) { return std::string("'") + word + "'"; }

std::string state_case() {
  std::string sql = "CASE";
  for (auto status : kAllDeploymentStatuses)
    for (auto result : kAllDeploymentResults)
      sql += " WHEN d.status = " + quoted(to_string(status)) +
             " AND d.result = " + quoted(to_string(result)) + " THEN " +
             quoted(to_string(update_state_of(status, result)));
  return sql + " END";
}

}  // namespace

Expected<DeploymentRecord> read_deployment(const Stmt& s, int first) {
  DeploymentRecord d;
  d.id = s.i64(first);
  d.terminal_id = s.i64(first + 1);
  d.release_id = s.i64(first + 2);
  auto status = parse_deployment_status(s.str(first + 3));
  auto result = parse_deployment_result(s.str(first + 4));
  if (!status || !result)
    return make_error(Code::kIo, "deployment " + std::to_string(d.id) + " is stored as " +
                                     s.str(first + 3) + "/" + s.str(first + 4) +
                                     ", which is not a status/result this server knows");
  d.status = *status;
  d.result = *result;
  d.message = s.str(first + 5);
  d.created = s.i64(first + 6);
  d.updated = s.i64(first + 7);
  d.rollout_id = s.i64(first + 8);
  auto phase = parse_deployment_phase(s.str(first + 9));
  if (!phase)
    return make_error(Code::kIo, "deployment " + std::to_string(d.id) + " is stored in phase " +
                                     s.str(first + 9) + ", which is not a phase this server knows");
  d.phase = *phase;
  d.phase_since = s.i64(first + 10);
  return d;
}

const std::string& update_state_sql() {
  static const std::string sql = state_case();
  return sql;
}

}  // namespace posfleet::store
