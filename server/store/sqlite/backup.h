// posfleet server: copying and checking a posfleet SQLite database file, for
// `posfleetd backup` and `posfleetd restore` (server/ops/backup_restore.h).
//
// backup_database() copies with SQLite's online backup API inside one read
// transaction: the copy is the database as one committed moment, however much
// the running server writes meanwhile (WAL lets both go on), and the server's
// writers are never blocked. The copy is a single file (rollback-journal mode,
// no -wal beside it), mode 0600, fsynced, and appears under its name only
// when complete.
//
// check_database() says whether a file is a posfleet database this posfleetd
// can take: SQLite, a known schema version whose tables are all there, and
// PRAGMA integrity_check "ok".
// Thread-safety: free functions; each opens its own connections.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

// Called after each step of a copy with the pages copied so far and the total.
using BackupProgress = std::function<void(std::int64_t copied, std::int64_t total)>;

// Copies the database at `from` to `to` through `to`.partial, renamed over
// `to` once synced (callers decide whether `to` may be replaced). kNotFound
// when `from` is no file; kIo on a failed read or write.
Status backup_database(const std::string& from, const std::string& to,
                       const BackupProgress& progress = {});

// Folds a -wal beside `path` into it and leaves it in rollback-journal mode:
// one self-contained file that may be moved (posfleetd turns WAL on again).
Status make_standalone(const std::string& path);

struct DatabaseCheck {
  std::int64_t schema_version = 0;        // PRAGMA user_version
  std::int64_t known_version = 0;         // the newest this posfleetd knows
  std::vector<std::string> extra_tables;  // tables the schema does not have (kept, named)
  std::vector<std::pair<std::string, std::int64_t>> rows;  // every table's row count, by name
};
// kInvalidArgument naming what is wrong: not SQLite, not posfleet's, a newer
// schema, missing tables, or integrity_check's first problems. Writes nothing
// (query_only), though SQLite may turn a -wal beside `path` into it. Messages
// name the file `shown_as` (default: `path`).
Expected<DatabaseCheck> check_database(const std::string& path, const std::string& shown_as = "");

}  // namespace posfleet::store
