// posfleet server: the store's audit area: the append-only, hash-chained audit log.
// One part of store::Store (store.h); records are in records.h.
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

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual Expected<std::vector<AuditEntry>> query_audit(const AuditQuery& q) = 0;
  virtual Expected<std::int64_t> count_audit(const AuditQuery& q) = 0;  // ignores offset and limit

  // The audit log: append computes the chain inside one transaction.
  virtual Expected<AuditEntry> append_audit(AuditEntry e) = 0;
  virtual Expected<std::vector<AuditEntry>> audit_entries(std::int64_t after_id,
                                                          std::int64_t limit) = 0;
};

}  // namespace posfleet::store
