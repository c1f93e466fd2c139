// posfleet server: locking a lost or stolen terminal (docs/terminal_lock.md). The back office
// locks it with a reason; its next poll carries the lock and a check of a one-off unlock code
// (core/unlock_code.h), so the terminal stays locked — its menu says 终端已锁定 with the support
// number, its transaction guard refuses sales — even offline. Support reads the code to the
// merchant only after the identity check (domain/support.h); the terminal verifies it itself.
// The back office may also lift a lock; the terminal unlocks at its next poll. Every step is
// audited.
// Thread-safety: stateless functions over the store.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/organisations.h"
#include "server/store/terminal_locks_store.h"

namespace posfleet::domain {

// Locks terminal `serial` of the scope (kConflict if it is locked already). Audited.
Expected<store::TerminalLockRecord> lock_terminal(Context& ctx, const Scope& scope,
                                                  const std::string& serial,
                                                  const std::string& reason, const Actor& who);
// Lifts the lock from the back office (kWrongState if it is not locked). Audited.
Expected<store::TerminalLockRecord> release_terminal_lock(Context& ctx, const Scope& scope,
                                                          const std::string& serial,
                                                          const std::string& reason,
                                                          const Actor& who);
// The unlock code of terminal `serial`, for the support agent `who` whose verification
// `verification_id` of its merchant holds (domain/support.h), with a reason. Audited.
Expected<std::string> issue_unlock_code(Context& ctx, std::int64_t verification_id,
                                        const std::string& serial, const std::string& reason,
                                        const Actor& who);

// What the poll tells the terminal: its lock in force (locked) or lifted (not locked), until
// it says it unlocked; nothing otherwise.
struct LockNotice {
  std::int64_t id = 0;
  bool locked = true;
  std::string reason, check_json;
  std::int64_t locked_at = 0;
};
Expected<std::optional<LockNotice>> lock_notice(Context& ctx, const store::TerminalRecord& t);
// The terminal unlocked lock `lock_id`: by the code typed on it ("code") or told the lock was
// lifted ("remote"). Audited as the terminal's.
Status terminal_unlocked(Context& ctx, const store::TerminalRecord& t, std::int64_t lock_id,
                         const std::string& how);
// The terminal's newest lock (kNotFound if never locked), for its page.
Expected<store::TerminalLockRecord> terminal_lock_of(Context& ctx, const store::TerminalRecord& t);

// Calls `f` on each kept unlock code (sealed) and saves it after (key rotation).
Status each_sealed_lock_code(Context& ctx, const std::function<Status(std::string&)>& f, bool save);

}  // namespace posfleet::domain
