// posfleet server: the roles of back-office users and API tokens, and the one
// place their names are converted (the JSON, SQL and CLI edges use the names).
//   admin            everything, including tokens, locks, merchants, the SMS
//                    outbox, reviewing applications
//   release_manager  read; releases, deployments, terminals, policy (no locks)
//   support          read; tickets, identity verification, policy on a
//                    verified merchant's behalf
//   auditor          read; the audit log
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "core/result.h"

namespace posfleet::domain {

enum class Role { kAdmin, kReleaseManager, kSupport, kAuditor };

const char* to_string(Role role);
// nullopt for a name that is no role.
std::optional<Role> parse_role(std::string_view name);
// The role named `name`, or kInvalidArgument listing the roles.
Expected<Role> role_named(std::string_view name);

}  // namespace posfleet::domain
