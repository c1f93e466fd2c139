// posfleet server: the store's terminal-lock area: a lost or stolen terminal locked remotely
// (domain/terminal_lock.h), with the sealed code that unlocks it and the check the terminal
// verifies it with. One part of store::Store (store.h).
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

struct TerminalLockRecord {
  std::int64_t id = 0, terminal_id = 0;
  std::string reason, locked_by;
  std::int64_t locked_at = 0;
  std::string code_sealed;  // the unlock code, sealed (domain/secrets); "" once unlocked
  std::string check_json;   // core/unlock_code.h UnlockCheck: what the terminal verifies with
  // locked: in force; released: lifted from the back office, the terminal not yet told;
  // unlocked: the terminal unlocked (by code, or told of the release)
  std::string state = "locked";
  std::int64_t ended_at = 0;
  std::string ended_by, ended_how;  // ended_how: code | remote
  std::int64_t code_issued_at = 0;  // when support last read the code out (0: never)
  std::string code_issued_by;
};

class TerminalLockStore {
 public:
  virtual ~TerminalLockStore() = default;
  // Writes a new lock (l.id ignored) and returns its id.
  virtual Expected<std::int64_t> insert_terminal_lock(const TerminalLockRecord& l) = 0;
  // The terminal's newest lock, whatever its state; kNotFound if it was never locked.
  virtual Expected<TerminalLockRecord> terminal_lock(std::int64_t terminal_id) = 0;
  // Writes state, the end, the code (sealed, or "" once unlocked) and its issue of lock l.id
  // (kNotFound).
  virtual Status update_terminal_lock(const TerminalLockRecord& l) = 0;
  // Every lock whose code is still kept (for key rotation), and writing one re-sealed.
  virtual Expected<std::vector<TerminalLockRecord>> sealed_terminal_locks() = 0;
  virtual Status set_terminal_lock_code(std::int64_t id, const std::string& sealed) = 0;
};

}  // namespace posfleet::store
