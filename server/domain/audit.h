// posfleet server: the append-only audit log (core/audit_chain.h).
//
// A change to the fleet runs through commit_change: its rows, its audit
// entries and its notifications are written in one store transaction, so a
// change never lands without its audit entry; afterwards the newest (id, hash)
// is written to <data_dir>/audit-head.json, the anchor that shows entries cut
// off the end.
// Thread-safety: appends serialize in the store; the anchor write is guarded.
#pragma once

#include <functional>
#include <string>

#include "core/audit_chain.h"
#include "server/domain/context.h"

namespace posfleet::domain {

// Runs `work` as one transaction (store::Store::transact), then moves the
// audit anchor. A commit_change inside `work` joins the transaction, and the
// anchor moves only once the outermost change has committed. Whatever `work` returns is returned;
// an error undoes every write it made, audit entries included.
Status commit_change(Context& ctx, const std::function<Status(store::Tx& tx)>& work);

// The address of the client whose request this thread is serving, for the
// audit entries written while it lives (an Actor's own address comes first):
// request handlers open one, so that every entry a request causes says where
// it came from. Nested scopes restore the outer address when they end.
class AuditAddress {
 public:
  explicit AuditAddress(std::string address);
  ~AuditAddress();
  AuditAddress(const AuditAddress&) = delete;
  AuditAddress& operator=(const AuditAddress&) = delete;
  static const std::string& current();  // "" outside any request

 private:
  std::string previous_;
};

// Appends an audit entry inside a change; if it fails, so does the change.
Status record_audit(store::Tx& tx, const Actor& who, const std::string& action,
                    const std::string& target, const std::string& before, const std::string& after,
                    const std::string& reason);

// As record_audit, the entry filed under organisation `org_id`, whatever it is about: a change
// two organisations share that only one of them may read (a terminal moved between siblings).
Status record_audit_in(store::Tx& tx, std::int64_t org_id, const Actor& who,
                       const std::string& action, const std::string& target,
                       const std::string& before, const std::string& after,
                       const std::string& reason);

// An audited action that writes nothing else: a change of its own.
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
