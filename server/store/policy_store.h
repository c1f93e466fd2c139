// posfleet server: the store's policy area: the update policy of each scope, its history, and the
// notifications terminals receive. One part of store::Store (store.h); records are in records.h.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/store/records.h"

namespace posfleet::store {

class PolicyStore {
 public:
  virtual ~PolicyStore() = default;

  // Policy: one row per scope; every change (also refused ones) in history.
  virtual Expected<std::optional<PolicyRecord>> policy(const std::string& scope,
                                                       const std::string& key) = 0;

  // Writes the change to history and, if its outcome is "applied", the new
  // patch; returns the change's id (the new revision). One transaction.
  // `lock_org` (a change that sets a lock): the organisation of who set it; 0 keeps the scope's.
  virtual Expected<std::int64_t> change_policy(const PolicyChangeRecord& change,
                                               const std::string& new_patch_json, bool touches_mode,
                                               std::int64_t lock_org = 0) = 0;
  virtual Expected<std::vector<PolicyChangeRecord>> policy_history(const std::string& scope,
                                                                   const std::string& key,
                                                                   std::int64_t limit) = 0;

  // Notifications; adding one with the same (terminal, kind, ref) is a no-op.
  virtual Status add_notification(const NotificationRecord& n) = 0;
  virtual Expected<std::vector<NotificationRecord>> notifications(std::int64_t terminal_id,
                                                                  std::int64_t after_id,
                                                                  std::int64_t limit) = 0;
  virtual Expected<std::vector<PolicyRecord>> policies_of_scope(const std::string& scope) = 0;
};

}  // namespace posfleet::store
