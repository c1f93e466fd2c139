// posfleet server: when terminals were last seen, written in batches. A poll records the time
// here (one map insert under a mutex) and a background job (background/jobs.cc) writes what
// gathered every second with Store::touch_terminals, a few statements for thousands of polls,
// so a fleet polling thousands of times a second costs the database a few writes a second, not
// one commit (and on PostgreSQL one WAL flush) per poll.
// What is not yet written is lost if the process dies: at most a second of last_seen, which
// the terminal's next poll puts right. Memory: one entry per terminal seen since the last
// write (about 40 bytes); while the database refuses writes, entries wait for the next try,
// bounded by the fleet's size.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "core/result.h"
#include "server/store/store.h"

namespace posfleet::domain {

class LastSeen {
 public:
  // Terminal `terminal_id` polled at `now` (unix seconds).
  void seen(std::int64_t terminal_id, std::int64_t now);
  // Writes what gathered since the last flush; on failure keeps it for the next.
  Status flush(store::Store& store);
  std::size_t pending() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, std::int64_t> pending_;
};

}  // namespace posfleet::domain
