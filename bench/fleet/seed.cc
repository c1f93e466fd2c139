#include "bench/fleet/seed.h"

#include <sqlite3.h>

#include <ctime>
#include <memory>

#include "core/hashing.h"

namespace posfleet::fleet {

namespace {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

Error db_error(sqlite3* db, const std::string& what) {
  return make_error(Code::kIo, what + ": " + sqlite3_errmsg(db));
}

}  // namespace

Status seed_database(const FleetModel& fleet, const std::string& db_path,
                     const std::string& version) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::unique_ptr<sqlite3, DbClose> closing(raw);
    return make_error(Code::kIo, "cannot open " + db_path +
                                     " (start posfleetd once with this --data-dir to create it)");
  }
  std::unique_ptr<sqlite3, DbClose> db(raw);
  sqlite3_busy_timeout(db.get(), 5000);
  if (sqlite3_exec(db.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return db_error(db.get(), "begin");
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.get(),
                         "INSERT INTO terminals (tenant, serial, model, token_hash, "
                         "installed_version, attributes, created, last_seen, group_name, "
                         "time_zone) VALUES ('DEFAULT', ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                         -1, &st, nullptr) != SQLITE_OK)
    return db_error(db.get(), "prepare the terminal insert (is the schema posfleetd's?)");
  std::unique_ptr<sqlite3_stmt, StmtFinalize> insert(st);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  for (int i = 0; i < fleet.size(); ++i) {
    const std::string serial = fleet.serial(i), hash = sha256_hex(fleet.token(i));
    const char* model = models()[static_cast<std::size_t>(fleet.model(i))].name;
    const std::string attributes = std::string("{\"model\":\"") + model + "\",\"version\":\"" +
                                   version + "\",\"agent\":\"posfleet-fleet-sim\"}";
    const std::string group = fleet.group(fleet.group_index(i));
    const char* zone = zones()[static_cast<std::size_t>(fleet.zone(i))].name;
    sqlite3_bind_text(st, 1, serial.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hash.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, version.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, attributes.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, now);
    sqlite3_bind_text(st, 7, group.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, zone, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) return db_error(db.get(), "insert " + serial);
    sqlite3_reset(st);
  }
  insert.reset();
  if (sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return db_error(db.get(), "commit");
  return ok_status();
}

}  // namespace posfleet::fleet
