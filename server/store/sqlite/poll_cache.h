// posfleet server: the embedded backend's cache of terminals with nothing to do, so that the
// poll fleets send most — a terminal with no open deployment asking whether there is work —
// reads no database at all.
//
// An entry is a terminal's row as its poll reads it (store::PollingTerminal) with no open
// deployment. It stays exactly as long as the database says the same: every connection of the
// store reports what each of its transactions changed once the commit is done (sqlite_db.h:
// SqliteConnection::watch), and a committed change to a terminal's row drops that terminal's
// entry while any committed change to deployments drops them all (a deployment row does not
// say cheaply whose poll it changes, and they change rarely next to polls). Writes of
// `last_seen` alone (the batches of domain/last_seen.h) are not changes for the cache: it raises
// the entries' own last_seen instead (touched()).
//
// An entry read from the database is kept only if no commit came between the moment before
// that read and the moment it is put (generation()): a read that raced a commit may hold the
// old row. At most `capacity` entries (0: no cache); past that an arbitrary one makes room.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/store/records.h"

namespace posfleet::store {

class PollCache {
 public:
  explicit PollCache(std::size_t capacity) : capacity_(capacity) {}

  std::optional<PollingTerminal> find(const std::string& tenant, const std::string& serial) const;
  // Read before the database is; give it to put().
  std::uint64_t generation() const;
  // Keeps `p` (it must have no open deployment) unless a commit came after `read_at`.
  void put(std::uint64_t read_at, const PollingTerminal& p);
  // After a commit: the terminals whose rows changed, and whether any deployment did.
  void committed(const std::vector<std::int64_t>& terminals, bool deployments);
  // After a batch of last_seen writes: (terminal id, time) as written.
  void touched(const std::vector<std::pair<std::int64_t, std::int64_t>>& seen);
  std::size_t size() const;

 private:
  static constexpr std::size_t kMaxAttributes = 2048;
  static std::string key(const std::string& tenant, const std::string& serial);

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, TerminalRecord> by_serial_;
  std::unordered_map<std::int64_t, std::string> key_of_id_;
};

}  // namespace posfleet::store
