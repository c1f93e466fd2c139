// posfleet agent: the terminal's lock (docs/terminal_lock.md). A lock the poll brings is kept in
// <device_dir>/state/lock.json (atomic writes) and holds until the merchant types the unlock
// code support reads to them, checked here against the lock's Argon2id check — offline too — or
// until the server says the lock was lifted. While locked, the menu says 终端已锁定 with the
// support number and the transaction guard refuses sales (`posfleet-agent pay`). Five wrong
// codes make the terminal wait 15 minutes before the next try. How it was unlocked is told to
// the server after the next poll, until it has heard.
// Thread-safety: a plain file; the daemon's loop and its local socket use it under the
// service's mutex (AgentService).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/unlock_code.h"

namespace posfleet::agent {

class DdiClient;

struct TerminalLock {
  std::int64_t id = 0;
  bool locked = true;
  std::string reason, support_phone, locked_at;
  UnlockCheck check;
  int wrong_tries = 0;
  std::int64_t wait_until = 0;  // unix seconds: no code is tried before
  std::string report;           // "" or how it was unlocked (code | remote), not yet told
};

inline constexpr int kFreeTries = 5;
inline constexpr int kWaitAfterWrongSeconds = 15 * 60;

class LockFile {
 public:
  explicit LockFile(std::string path) : path_(std::move(path)) {}
  // nullopt when there is no lock.
  Expected<std::optional<TerminalLock>> load() const;
  Status save(const TerminalLock& l) const;
  Status remove() const;

 private:
  std::string path_;
};

// The poll's "lock" (its extension): a new lock is kept; a lifted one unlocks; how the terminal
// unlocked is told. Trouble is logged and left for the next poll.
void sync_lock(DdiClient& ddi, const LockFile& file, const boost::json::object& extension);

enum class UnlockOutcome { kUnlocked, kWrong, kWait, kNotLocked };
struct UnlockResult {
  UnlockOutcome outcome = UnlockOutcome::kNotLocked;
  int tries_left = 0;    // kWrong: before the terminal waits
  int wait_seconds = 0;  // kWait (and kWrong when that try used the last free one)
};
// Checks a code typed on the terminal; a right one unlocks it (told to the server later).
Expected<UnlockResult> try_unlock(const LockFile& file, const std::string& code, std::int64_t now);

// Whether the terminal at `device_dir` is locked (a sale asks this); a lock file that cannot be
// read counts as locked.
bool terminal_locked(const std::string& device_dir);
std::string lock_file_path(const std::string& device_dir);

}  // namespace posfleet::agent
