// posfleet server: the `posfleetd migrate` command (docs/operations.md, "Moving from SQLite"):
// an installation on embedded SQLite moved to PostgreSQL.
//
// The SQLite database of --from-data-dir is checked (a posfleet database, integrity_check, its
// audit chain against the data directory's anchor) and brought to this posfleetd's schema; the
// PostgreSQL database gets the schema (PgStore::open) and the copy (store/postgres/
// pg_migrate.h: one transaction, refused when the target holds other data, nothing written
// when it holds this data already). Afterwards every table's row counts are shown side by side
// and the audit chain is verified on PostgreSQL with the server's own check. What the database
// does not hold — secret.key, the device CA, the artifacts — stays in the data directory, and
// the command names the flags that hand them to the PostgreSQL servers.
// Thread-safety: run from main(), one at a time.
#pragma once

#include <ostream>
#include <string>

namespace posfleet::ops {

struct MigrateOptions {
  std::string from_data_dir;  // the caller holds its lock (no posfleetd runs on it)
  std::string to;             // postgresql://USER@HOST:PORT/DB
};
// 0 when the target holds the source's data, checked; else says why on `err` and returns 1.
int run_migrate(const MigrateOptions& options, std::ostream& out, std::ostream& err);

// `url` with a password in it replaced by ***, for messages.
std::string redacted_url(const std::string& url);

}  // namespace posfleet::ops
