// posfleet server tests: make the real SQLite store refuse writes to one
// table, to prove a change fails whole (and says so) when one of its writes
// fails — e.g. fail_writes_to(path, "audit_log"): every later audit append
// fails, as a full disk or a broken database would make it.
// Thread-safety: call while no transaction is open.
#pragma once

#include <sqlite3.h>

#include <string>

#include "core/result.h"

namespace posfleet::store::testing {

// Adds triggers to the database file at `db_path` that abort every INSERT,
// UPDATE and DELETE on `table` with the message "injected failure".
// allow_writes_to removes them. fail_commits_writing_to makes the commit fail instead.
inline Status run_on(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return make_error(Code::kIo, "cannot open " + db_path);
  }
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  if (rc != SQLITE_OK) return make_error(Code::kIo, "database: " + message);
  return ok_status();
}

inline Status fail_writes_to(const std::string& db_path, const std::string& table) {
  std::string sql;
  for (const char* op : {"INSERT", "UPDATE", "DELETE"})
    sql += std::string("CREATE TRIGGER IF NOT EXISTS fail_") + op + "_" + table + " BEFORE " + op +
           " ON " + table + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END;";
  return run_on(db_path, sql);
}

inline Status allow_writes_to(const std::string& db_path, const std::string& table) {
  std::string sql;
  for (const char* op : {"INSERT", "UPDATE", "DELETE"})
    sql += std::string("DROP TRIGGER IF EXISTS fail_") + op + "_" + table + ";";
  return run_on(db_path, sql);
}

// Makes every later COMMIT of a transaction that wrote to `table` fail while
// the write itself succeeds: each write adds a row that breaks a deferred
// foreign key, which SQLite checks only at COMMIT (the store's connections
// turn foreign keys on). A write outside a transaction fails at once, its
// statement being its own commit.
inline Status fail_commits_writing_to(const std::string& db_path, const std::string& table) {
  std::string sql =
      "CREATE TABLE IF NOT EXISTS posfleet_commit_guard_parent (id INTEGER PRIMARY KEY);"
      "CREATE TABLE IF NOT EXISTS posfleet_commit_guard (parent INTEGER REFERENCES "
      "posfleet_commit_guard_parent(id) DEFERRABLE INITIALLY DEFERRED);";
  for (const char* op : {"INSERT", "UPDATE", "DELETE"})
    sql += std::string("CREATE TRIGGER IF NOT EXISTS fail_commit_") + op + "_" + table + " AFTER " +
           op + " ON " + table +
           " BEGIN INSERT INTO posfleet_commit_guard (parent) VALUES (-1); END;";
  return run_on(db_path, sql);
}

}  // namespace posfleet::store::testing
