#include "server/store/postgres/pg_store.h"

#include <string>

#include "server/store/postgres/pg_db.h"
#include "server/store/postgres/pg_schema.h"
#include "server/store/sqlite/migrations.h"

namespace posfleet::store {

bool is_postgres_url(const std::string& database) {
  return database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0;
}

Expected<std::unique_ptr<PgStore>> PgStore::open(const std::string& conninfo) {
  std::unique_ptr<PgStore> store(new PgStore(conninfo));
  auto c = store->conn();
  if (!c) return c.error();
  Connection& db = **c;
  // One transaction under the migration lock: a second server opening the database meanwhile
  // waits, then finds the schema current. PostgreSQL's DDL is transactional, so a migration
  // that fails leaves nothing half-done.
  if (auto st = db.exec("BEGIN"); !st) return st.error();
  auto fail = [&](Error e) -> Expected<std::unique_ptr<PgStore>> {
    (void)db.exec("ROLLBACK");
    return e;
  };
  const std::string lock = "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")";
  if (auto st = db.exec(lock.c_str()); !st) return fail(st.error());
  if (auto st = db.exec("CREATE TABLE IF NOT EXISTS posfleet_schema (version BIGINT NOT NULL);"
                        "INSERT INTO posfleet_schema (version) SELECT 0 WHERE NOT EXISTS "
                        "(SELECT 1 FROM posfleet_schema)");
      !st)
    return fail(st.error().with_context("schema version"));
  size_t applied = 0;
  {
    auto s = db.prepare("SELECT version FROM posfleet_schema");
    if (s.step() != kRow) return fail(db.error("schema version"));
    applied = static_cast<size_t>(s.i64(0));
  }
  auto migrations = sqlite_migrations();
  if (applied > migrations.size())
    return fail(make_error(Code::kInvalidArgument,
                           "the database has schema " + std::to_string(applied) +
                               ", newer than this posfleetd knows; run a newer posfleetd"));
  if (auto st = db.exec(kPostgresFunctions); !st) return fail(st.error().with_context("functions"));
  for (size_t v = applied; v < migrations.size(); ++v) {
    const std::string sql = postgres_migration(migrations[v]) + ";" +
                            postgres_migration_after(v + 1) +
                            ";UPDATE posfleet_schema SET version = " + std::to_string(v + 1);
    if (auto st = db.exec(sql.c_str()); !st)
      return fail(st.error().with_context("migration " + std::to_string(v + 1)));
  }
  if (auto st = db.exec("COMMIT"); !st) return fail(st.error().with_context("migrations"));
  return store;
}

Expected<std::int64_t> PgStore::database_server_bytes() {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT pg_database_size(current_database())");
  if (s.step() != kRow) return c.error("database size");
  return s.i64(0);
}

Expected<std::unique_ptr<Connection>> PgStore::open_connection() {
  auto c = PgConnection::open(conninfo_);
  if (!c) return c.error();
  return std::unique_ptr<Connection>(std::move(*c));
}

}  // namespace posfleet::store
