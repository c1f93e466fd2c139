// posfleet server: the PostgreSQL backend of store::Store — the SQL store (store/sql) on a
// PostgreSQL database that any number of posfleetd servers share, migrated to this posfleetd's
// schema when opened (store/postgres/pg_schema.h).
//
// Each thread gets its own connection (pg_db.h), so a request waits on the database only for
// its own queries; the number of connections is the number of threads that use the store.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "server/store/sql/sql_store.h"

namespace posfleet::store {

class PgStore final : public SqlStore {
 public:
  // Connects to `conninfo` (postgresql://user@host:port/db, or libpq's key=value form) and
  // migrates the schema; servers opening the same database at once migrate it once.
  static Expected<std::unique_ptr<PgStore>> open(const std::string& conninfo);

  // Nothing to do: PostgreSQL has every committed write on disk.
  Status flush() override { return ok_status(); }
  // pg_database_size of the database.
  Expected<std::int64_t> database_server_bytes() override;

  // The advisory lock held while the schema is migrated.
  static constexpr std::int64_t kMigrationLock = 0x706f73666c656574 + 1;

 private:
  explicit PgStore(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  Expected<std::unique_ptr<Connection>> open_connection() override;
  bool keeps_seen_seconds() const override { return true; }
  bool locks_rows() const override { return true; }

  std::string conninfo_;
};

// True if `database` names a PostgreSQL database (postgresql:// or postgres://).
bool is_postgres_url(const std::string& database);

}  // namespace posfleet::store
