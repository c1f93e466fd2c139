// posfleet server: the store's organisations area: the tree of the acquirer, its resellers
// (代理商, any depth) and their merchants, to which terminals and users belong. One part of
// store::Store (store.h); the rules are in domain/organisations.h.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

// The acquirer's organisation: the root, made by the migration; everything belongs to it
// until it is given to another.
inline constexpr std::int64_t kRootOrganisation = 1;

struct OrganisationRecord {
  std::int64_t id = 0;
  std::int64_t parent_id = 0;  // 0 for the root
  std::string kind;            // acquirer | reseller | merchant
  std::string name;
  // The ids from the root down to this one, each followed by '/': "/1/7/12/". An
  // organisation's subtree is every path that starts with its own.
  std::string path;
  std::string created_by;
  std::int64_t created = 0;
};

// The first path after every path of `path`'s subtree ("/1/7/" gives "/1/70"): a subtree is the
// range [path, subtree_end(path)).
std::string subtree_end(const std::string& path);

class OrganisationStore {
 public:
  virtual ~OrganisationStore() = default;

  // Writes `o` below o.parent_id (which must exist: kNotFound) and fills in its id and path;
  // kConflict when the parent has a child of that name.
  virtual Expected<OrganisationRecord> insert_organisation(const OrganisationRecord& o) = 0;
  virtual Expected<OrganisationRecord> organisation(std::int64_t id) = 0;  // kNotFound
  // The subtree of the organisation whose path is `path`, itself first, then by path; at
  // most `limit`.
  virtual Expected<std::vector<OrganisationRecord>> organisations_under(const std::string& path,
                                                                        std::int64_t limit) = 0;
  // How many terminals (in service or retired) belong to each organisation of `ids`, in order.
  virtual Expected<std::vector<std::int64_t>> organisation_terminal_counts(
      const std::vector<std::int64_t>& ids) = 0;
  virtual Status set_terminal_organisation(std::int64_t terminal_id, std::int64_t org_id) = 0;
  virtual Status set_user_organisation(std::int64_t user_id, std::int64_t org_id) = 0;
  // The organisation a user belongs to (the root for one made before organisations).
  virtual Expected<std::int64_t> user_organisation(std::int64_t user_id) = 0;
};

}  // namespace posfleet::store
