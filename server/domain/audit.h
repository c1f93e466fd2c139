// posfleet server: the append-only audit log (core/audit_chain.h).
//
// record() appends an entry and then writes the newest (id, hash) to
// <data_dir>/audit-head.json, the anchor that shows entries cut off the end.
// Thread-safety: appends serialize in the store; the anchor write is guarded.
#pragma once

#include <string>

#include "core/audit_chain.h"
#include "server/domain/context.h"

namespace posfleet::domain {

Status record_audit(Context& ctx, const Actor& who, const std::string& action,
                    const std::string& target, const std::string& before, const std::string& after,
                    const std::string& reason);

// The reason a person gives for an audited change: valid text of at most
// limits::kReasonChars characters (lines allowed); required unless `if_missing`
// is null, then it may be empty. kInvalidArgument says which.
Status check_reason(const std::string& reason, const char* if_missing);

struct AuditHead {
  std::int64_t id = 0;
  std::string hash;
};
AuditHead audit_head(Context& ctx);

// Re-checks the whole chain from the store against the anchor, with the same
// rule as `posfleet audit verify` (core verify_log).
struct AuditVerification {
  ChainCheck check;
  AuditHead head;
};
Expected<AuditVerification> verify_audit(Context& ctx);

}  // namespace posfleet::domain
