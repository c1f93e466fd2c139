// posfleet server: the store's leases area: which server runs a piece of background work
// (advancing rollouts, timing out stuck deployments, delivering webhooks) for the next few
// seconds, so that on several posfleetd servers sharing one database exactly one does it at a
// time. One part of store::Store (store.h).
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace posfleet::store {

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;
  // Takes or renews the lease `name` for `owner` until `until` (unix milliseconds): true when
  // `owner` now holds it (no one held it, `owner` held it, or the holder's lease ran out before
  // `now`), false when another owner holds it. Atomic across servers.
  virtual Expected<bool> take_lease(const std::string& name, const std::string& owner,
                                    std::int64_t now, std::int64_t until) = 0;
  // Gives the lease up if `owner` holds it (a server stopping), so another takes it at once.
  virtual Status release_lease(const std::string& name, const std::string& owner) = 0;
};

}  // namespace posfleet::store
