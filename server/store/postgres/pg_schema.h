// posfleet server: the PostgreSQL schema — the SQLite backend's migrations (store/sqlite/
// migrations.cc), the one list of versions, each translated to PostgreSQL's dialect, and the
// functions PostgreSQL lacks that the store's SQL uses.
//
// The translation covers what the migrations use and no more: INTEGER is BIGINT, an INTEGER
// PRIMARY KEY an identity column, WITHOUT ROWID is dropped, and a trigger that refuses a change
// with RAISE(ABORT, …) becomes a PL/pgSQL trigger that raises the same message.
// pg_schema_test.cc checks that no SQLite-only word survives in any migration.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace posfleet::store {

// One SQLite migration in PostgreSQL's dialect.
std::string postgres_migration(std::string_view sqlite_sql);

// What PostgreSQL runs after migration `version` (counted from 1), in the same transaction,
// where it keeps something differently from SQLite (empty: nothing). Migration 22: the
// terminals' tally is kept once per inserting or deleting statement, not once per row, and an
// update locks the two rows it moves a terminal between in key order. Migration 23: the
// terminals last seen in each second (terminals_seen), for the online count. Migration 27: the
// serial index carries the id (a page by offset is an index-only scan).
std::string postgres_migration_after(std::size_t version);

// terminals_seen counted again from the terminals: after a copy that ran with the triggers off
// (pg_migrate.cc).
extern const char* const kRecountSeenSeconds;

// Functions the store's SQL calls that SQLite has built in; created (or replaced) every time a
// server opens the database.
extern const char* const kPostgresFunctions;

}  // namespace posfleet::store
