// posfleet server: copies the embedded SQLite database (store/sqlite) into a PostgreSQL database
// (store/postgres), for `posfleetd migrate` (server/ops/migrate.h, docs/operations.md "Moving
// from SQLite").
//
// The caller first brings both to this posfleetd's schema (SqliteStore::open, PgStore::open).
// Every table of the SQLite schema is then copied — its columns read from PRAGMA table_info, so
// a table added later is copied without a change here; schema versions are PRAGMA user_version
// on SQLite and posfleet_schema on PostgreSQL, neither of them copied — in one PostgreSQL
// transaction that holds the migration and transaction advisory locks and an EXCLUSIVE lock on
// every table, so no server writes meanwhile. Tables go in foreign-key order, rows in rowid
// order, streamed through COPY (memory stays bounded); identity sequences then move past the
// highest id, and every table's row count is compared with the source's before COMMIT. A
// failure rolls the whole copy back.
//
// The target must be new — empty but for the rows its migrations seed (settings rows, which the
// copy replaces) — or already hold this very data (every row count equal and the same newest
// audit entry), in which case nothing is written. Anything else is refused unchanged.
// The append-only triggers on audit_log refuse UPDATE and DELETE only; the copy only inserts,
// so they stay on.
// Thread-safety: a free function; it opens its own connections.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

struct TableCount {
  std::string table;
  std::int64_t source = 0;  // rows in SQLite
  std::int64_t target = 0;  // rows in PostgreSQL afterwards
};

struct MigrationReport {
  bool already_migrated = false;  // the target held this data already; nothing was written
  std::vector<TableCount> tables;
  std::vector<std::string> skipped;  // SQLite tables the PostgreSQL schema lacks (not posfleet's)
  std::int64_t audit_head_id = 0;    // the newest audit entry of both
  std::string audit_head_hash;
};

// Called while a table is copied (every 10,000 rows) and once when it is done.
using MigrationProgress =
    std::function<void(const std::string& table, std::int64_t copied, std::int64_t total)>;

// Copies the SQLite database at `sqlite_path` into the PostgreSQL database `conninfo`, both
// already at this posfleetd's schema. kConflict when the target holds other data; kIo or
// kInvalidArgument naming the table when a copy fails (the target is then unchanged).
Expected<MigrationReport> migrate_sqlite_to_postgres(const std::string& sqlite_path,
                                                     const std::string& conninfo,
                                                     const MigrationProgress& progress = {});

}  // namespace posfleet::store
