// posfleet server: reading the audit log for people (the console's list and
// the export); audit.h writes it. kAudit is checked by the caller.
// Thread-safety: stateless functions over the Context.
#pragma once

#include <string>
#include <vector>

#include "server/domain/audit.h"

namespace posfleet::domain {

// One page of entries matching `q`, the count of all that match, and the anchor.
struct AuditPage {
  std::vector<AuditEntry> entries;
  std::int64_t total = 0;
  AuditHead head;
};
Expected<AuditPage> audit_page(Context& ctx, const store::AuditQuery& q);

// Every entry matching `q` (its offset and limit are ignored) oldest first,
// at most `max` (kInvalidArgument naming the count beyond). The export is
// itself audited (audit.export, saying `format`); an export that cannot be
// audited is refused.
Expected<std::vector<AuditEntry>> audit_export(Context& ctx, store::AuditQuery q, std::int64_t max,
                                               const std::string& format, const Actor& who);

}  // namespace posfleet::domain
