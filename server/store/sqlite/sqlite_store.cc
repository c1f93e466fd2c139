#include "server/store/sqlite/sqlite_store.h"

#include <string>

#include "server/store/sqlite/migrations.h"

namespace posfleet::store {

Expected<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                         std::size_t poll_cache_terminals) {
  // SQLite's memory statistics take a process-wide mutex on every allocation,
  // which serializes the network threads; posfleetd does not read them.
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, poll_cache_terminals));
  auto c = store->conn();
  if (!c) return c.error();
  Connection& db = **c;
  size_t applied = 0;
  {  // the statement must be reset before migrations may change the schema
    auto s = db.prepare("PRAGMA user_version");
    if (s.step() != SQLITE_ROW) return db.error("schema version of " + path);
    applied = static_cast<size_t>(s.i64(0));
  }
  auto migrations = sqlite_migrations();
  if (applied > migrations.size())
    return make_error(Code::kInvalidArgument,
                      "database " + path + " has schema " + std::to_string(applied) +
                          ", newer than this posfleetd knows; run a newer posfleetd");
  for (size_t v = applied; v < migrations.size(); ++v) {
    std::string sql = std::string("BEGIN IMMEDIATE;") + migrations[v] +
                      "PRAGMA user_version=" + std::to_string(v + 1) + ";COMMIT;";
    if (auto st = db.exec(sql.c_str()); !st) {
      Error e = st.error().with_context("migration " + std::to_string(v + 1));
      // Undo what the migration did before it failed. If SQLite ended the
      // transaction itself there is nothing to undo ("no transaction is active").
      if (auto undo = db.exec("ROLLBACK");
          !undo && undo.error().message.find("no transaction") == std::string::npos)
        e.message += "; undoing it failed too: " + undo.error().message;
      return e;
    }
  }
  return store;
}

Expected<std::unique_ptr<Connection>> SqliteStore::open_connection() {
  auto c = SqliteConnection::open(path_);
  if (!c) return c.error();
  (*c)->watch([this](const std::vector<std::int64_t>& terminals, bool deployments) {
    poll_cache_.committed(terminals, deployments);
  });
  return std::unique_ptr<Connection>(std::move(*c));
}

Expected<PollingTerminal> SqliteStore::polling_terminal(const std::string& tenant,
                                                        const std::string& serial) {
  POSFLEET_CONN(c);
  // Inside a transaction the read must see the transaction's own writes, which the cache
  // learns of only at its commit.
  if (c.in_transaction()) return SqlStore::polling_terminal(tenant, serial);
  if (auto hit = poll_cache_.find(tenant, serial)) return std::move(*hit);
  const auto read_at = poll_cache_.generation();
  auto p = SqlStore::polling_terminal(tenant, serial);
  if (p) poll_cache_.put(read_at, *p);
  return p;
}

Status SqliteStore::touch_terminals(
    const std::vector<std::pair<std::int64_t, std::int64_t>>& seen) {
  {
    SqliteConnection::QuietTerminalWrites quiet;
    if (auto s = SqlStore::touch_terminals(seen); !s) return s;
  }
  poll_cache_.touched(seen);
  return ok_status();
}

Status SqliteStore::flush() {
  POSFLEET_CONN(c);
  auto s = c.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  if (s.step() != kRow) return c.error("checkpoint");
  if (s.i64(0) != 0)
    return make_error(Code::kUnavailable, "the database is busy; stop posfleetd and try again");
  return ok_status();
}

}  // namespace posfleet::store
