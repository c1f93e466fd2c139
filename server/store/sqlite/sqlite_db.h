// posfleet server: a thin, safe layer over the SQLite C API.
//
// Connection owns one sqlite3 handle in WAL mode and caches prepared
// statements by their SQL text. Stmt binds parameters in order and steps.
// Thread-safety: a Connection is used by one thread at a time (SqliteStore
// gives each thread its own).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

namespace posfleet::store {

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() {
    if (s_) {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(std::int64_t v) {
    sqlite3_bind_int64(s_, ++n_, v);
    return *this;
  }
  Stmt& bind(int v) { return bind(static_cast<std::int64_t>(v)); }
  Stmt& bind(bool v) { return bind(static_cast<std::int64_t>(v)); }
  Stmt& bind(std::uint64_t v) { return bind(static_cast<std::int64_t>(v)); }
  Stmt& bind(std::string_view v) {
    sqlite3_bind_text(s_, ++n_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(const std::string& v) { return bind(std::string_view(v)); }
  Stmt& bind(const char* v) { return bind(std::string_view(v)); }
  template <typename... Ts>
  Stmt& bind_all(const Ts&... vs) {
    (bind(vs), ...);
    return *this;
  }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(s_); }
  std::int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  std::string str(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }

 private:
  sqlite3_stmt* s_;
  int n_ = 0;
};

class Connection {
 public:
  static Expected<std::unique_ptr<Connection>> open(const std::string& path);
  ~Connection();
  Stmt prepare(const char* sql);  // throws std::logic_error on a bad statement (a programmer error)
  Status exec(const char* sql);
  // A transaction that nests: begin() starts one (BEGIN IMMEDIATE, so the
  // write lock is taken at once and a writer never fails half-way with
  // SQLITE_BUSY) or, inside one, a savepoint. commit() and rollback() end the
  // innermost; a failed commit rolls back. Only the outermost commit is durable.
  Status begin();
  Status commit();
  void rollback();
  bool in_transaction() const { return depth_ > 0; }
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  Error error(std::string_view what) const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  int depth_ = 0;  // open begin()s
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// How often, in this process, a statement found the database locked by
// another connection and waited (busy_waits), and how often it gave up after
// waiting kBusyTimeoutMs (busy_timeouts: the caller got SQLITE_BUSY). Read by
// GET /metrics. Thread-safety: atomics, any thread.
inline constexpr int kBusyTimeoutMs = 5000;
std::uint64_t busy_waits();
std::uint64_t busy_timeouts();

// Binds `c` to this thread's connection of the enclosing SqliteStore, or
// returns its error from the enclosing function.
#define POSFLEET_CONN(c)          \
  auto c##_ = conn();             \
  if (!c##_) return c##_.error(); \
  Connection& c = **c##_

}  // namespace posfleet::store
