// posfleet server: the store's terminals area: registration, what they report, group and
// merchant, retirement, the fleet list and overview. One part of store::Store (store.h); records
// are in records.h. Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/store/records.h"

namespace posfleet::store {

class TerminalStore {
 public:
  virtual ~TerminalStore() = default;

  // Terminals.
  virtual Expected<std::int64_t> insert_terminal(
      const TerminalRecord& t) = 0;  // kConflict if serial exists
  virtual Expected<TerminalRecord> terminal_by_serial(const std::string& tenant,
                                                      const std::string& serial) = 0;
  // The terminal and its open deployment in one statement (a poll's one read); kNotFound as
  // terminal_by_serial.
  virtual Expected<PollingTerminal> polling_terminal(const std::string& tenant,
                                                     const std::string& serial) = 0;
  virtual Expected<TerminalRecord> terminal_by_id(std::int64_t id) = 0;
  virtual Expected<std::vector<TerminalRecord>> list_terminals(std::int64_t offset,
                                                               std::int64_t limit) = 0;
  virtual Expected<std::vector<TerminalRow>> query_terminals(
      const TerminalQuery& q) = 0;  // ordered by serial
  virtual Expected<std::int64_t> count_terminals(
      const TerminalQuery& q) = 0;  // ignores offset and limit
  virtual Status touch_terminal(std::int64_t id, std::int64_t now) = 0;
  // Many polls' last_seen at once (domain/last_seen.h): each terminal's becomes the time given
  // unless it is later already. Each chunk of terminals is one statement.
  virtual Status touch_terminals(
      const std::vector<std::pair<std::int64_t, std::int64_t>>& seen) = 0;
  virtual Status set_terminal_attributes(std::int64_t id, const std::string& json) = 0;
  virtual Status set_installed_version(std::int64_t id, const std::string& version) = 0;

  // Online means last seen at or after `online_since`; outcomes count
  // deployments that ended at or after `outcomes_since` by the UTC day they
  // ended: success, rolled back (a status with code kHealthCheck or
  // kBootFailed) or otherwise failed.
  virtual Expected<FleetOverview> overview(std::int64_t online_since, std::int64_t outcomes_since,
                                           std::int64_t now) = 0;
  // The same figures for the terminals of one organisation's subtree (its path,
  // organisations_store.h), counted from their rows: a reseller's overview.
  virtual Expected<FleetOverview> subtree_overview(const std::string& org_path,
                                                   std::int64_t online_since,
                                                   std::int64_t outcomes_since,
                                                   std::int64_t now) = 0;

  // Terminals' group and merchant.
  virtual Status set_terminal_group(std::int64_t id, const std::string& group) = 0;
  virtual Status set_terminal_merchant(std::int64_t id, std::int64_t merchant_id) = 0;
  virtual Expected<std::vector<TerminalRecord>> terminals_of_merchant(std::int64_t merchant_id) = 0;
  virtual Status set_terminal_token(std::int64_t id, const std::string& token_hash) = 0;
  virtual Expected<std::map<std::string, std::int64_t>> terminals_per_group() = 0;  // "" = no group
  // Where a terminal's policy comes from besides its own: its group ("" none) and organisation.
  using PolicyPlace = std::pair<std::string, std::int64_t>;
  // Terminals in service per place.
  virtual Expected<std::map<PolicyPlace, std::int64_t>> terminals_per_place() = 0;
  // serial → place of every terminal that has a policy of its own.
  virtual Expected<std::map<std::string, PolicyPlace>> places_of_terminal_policies() = 0;

  // Retirement (sql/sql_store_credentials.cc), one transaction: the terminal
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
