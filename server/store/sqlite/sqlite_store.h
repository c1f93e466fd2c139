// posfleet server: the embedded SQLite backend of store::Store — the SQL store (store/sql) on
// one database file in WAL mode, migrated to this posfleetd's schema when opened.
//
// Each thread gets its own connection, so reads run in parallel and writes serialize inside
// SQLite (busy timeout 5 s). A poll of a terminal with nothing to do is answered from the
// PollCache (poll_cache.h), which every connection keeps coherent with what it commits; so
// this process must be the database's only writer while it runs (posfleetd's data dir is its
// own; the offline tools run with posfleetd stopped).
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "server/store/sql/sql_store.h"
#include "server/store/sqlite/poll_cache.h"
#include "server/store/sqlite/sqlite_db.h"

namespace posfleet::store {

class SqliteStore final : public SqlStore {
 public:
  // At most this many terminals in the poll cache unless told otherwise (about 1 KiB each).
  static constexpr std::size_t kPollCacheTerminals = 200'000;

  // Opens (creating if needed) and migrates the database at `path`; `poll_cache_terminals`
  // bounds the poll cache (0: none).
  static Expected<std::unique_ptr<SqliteStore>> open(
      const std::string& path, std::size_t poll_cache_terminals = kPollCacheTerminals);

  // From the cache when it holds the terminal (outside a transaction), else read and kept.
  Expected<PollingTerminal> polling_terminal(const std::string& tenant,
                                             const std::string& serial) override;
  // last_seen alone: not a change for the cache, which raises its own copies.
  Status touch_terminals(const std::vector<std::pair<std::int64_t, std::int64_t>>& seen) override;

  // A full WAL checkpoint: every committed write is in the database file itself.
  Status flush() override;

 private:
  SqliteStore(std::string path, std::size_t poll_cache_terminals)
      : path_(std::move(path)), poll_cache_(poll_cache_terminals) {}
  Expected<std::unique_ptr<Connection>> open_connection() override;

  std::string path_;
  PollCache poll_cache_;
};

}  // namespace posfleet::store
