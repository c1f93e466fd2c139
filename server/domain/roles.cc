#include "server/domain/roles.h"

namespace posfleet::domain {

const char* to_string(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kReleaseManager:
      return "release_manager";
    case Role::kSupport:
      return "support";
    case Role::kAuditor:
      return "auditor";
  }
  return "?";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : {Role::kAdmin, Role::kReleaseManager, Role::kSupport, Role::kAuditor})
    if (name == to_string(r)) return r;
  return std::nullopt;
}

Expected<Role> role_named(std::string_view name) {
  if (auto r = parse_role(name)) return *r;
  return make_error(Code::kInvalidArgument,
                    "role must be admin, release_manager, support or auditor");
}

}  // namespace posfleet::domain
