// posfleet server: the embedded SQLite backend of store::Store — the SQL store (store/sql) on
// one database file in WAL mode, migrated to this posfleetd's schema when opened.
//
// Each thread gets its own connection, so reads run in parallel and writes serialize inside
// SQLite (busy timeout 5 s).
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "server/store/sql/sql_store.h"
#include "server/store/sqlite/sqlite_db.h"

namespace posfleet::store {

class SqliteStore final : public SqlStore {
 public:
  // Opens (creating if needed) and migrates the database at `path`.
  static Expected<std::unique_ptr<SqliteStore>> open(const std::string& path);

  // A full WAL checkpoint: every committed write is in the database file itself.
  Status flush() override;

 private:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {}
  Expected<std::unique_ptr<Connection>> open_connection() override;

  std::string path_;
};

}  // namespace posfleet::store
