// posfleet server: the SQLite driver of the SQL store (store/sql/db.h), a thin, safe layer over
// the SQLite C API.
//
// SqliteConnection owns one sqlite3 handle in WAL mode and caches prepared statements by their
// SQL text. Transactions start with BEGIN IMMEDIATE, so the write lock is taken at once and a
// writer never fails half-way with SQLITE_BUSY; nested ones are savepoints.
// Thread-safety: a connection is used by one thread at a time (SqlStore gives each thread its
// own).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "server/store/sql/db.h"

namespace posfleet::store {

class SqliteStmt final : public StmtBackend {
 public:
  explicit SqliteStmt(sqlite3_stmt* s) : s_(s) {}
  ~SqliteStmt() override { sqlite3_finalize(s_); }
  void bind_int64(int index, std::int64_t v) override { sqlite3_bind_int64(s_, index, v); }
  void bind_text(int index, std::string_view v) override {
    sqlite3_bind_text(s_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  int step() override { return sqlite3_step(s_); }
  std::int64_t column_int64(int col) const override { return sqlite3_column_int64(s_, col); }
  std::string column_text(int col) const override {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }
  void reset() override {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

 private:
  sqlite3_stmt* s_;
};

static_assert(kRow == SQLITE_ROW && kDone == SQLITE_DONE);

class SqliteConnection final : public Connection {
 public:
  static Expected<std::unique_ptr<SqliteConnection>> open(const std::string& path);
  ~SqliteConnection() override;
  Stmt prepare(const char* sql) override;
  Status exec(const char* sql) override;
  Status begin() override;
  Status commit() override;
  void rollback() override;
  bool in_transaction() const override { return depth_ > 0; }
  std::int64_t last_insert_id() const override { return sqlite3_last_insert_rowid(db_); }
  int changes() const override { return sqlite3_changes(db_); }
  Error error(std::string_view what) const override;

  // Called after each commit of this connection that changed rows of `terminals` (their ids)
  // or of `deployments` (whether any), once the change is visible to every connection; not
  // for transactions rolled back. Set it before the connection is used. The connection keeps
  // SQLite's automatic checkpoint (every 1,000 pages of WAL), which shares the hook.
  using OnCommit =
      std::function<void(const std::vector<std::int64_t>& terminals, bool deployments)>;
  void watch(OnCommit on_commit);
  // While one lives on a thread, that thread's changes to terminals rows are not reported:
  // for writes of last_seen alone, which change nothing a poll cache keeps.
  struct QuietTerminalWrites {
    QuietTerminalWrites();
    ~QuietTerminalWrites();
    QuietTerminalWrites(const QuietTerminalWrites&) = delete;
    QuietTerminalWrites& operator=(const QuietTerminalWrites&) = delete;
  };

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  static void on_update(void* self, int op, const char* db, const char* table, sqlite3_int64 row);
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
  static void on_rollback(void* self);
  sqlite3* db_;
  int depth_ = 0;  // open begin()s
  OnCommit on_commit_;
  std::vector<std::int64_t> changed_terminals_;  // by the transaction in progress
  bool changed_deployments_ = false;
  // Finalized in the destructor, before the handle closes.
  std::unordered_map<std::string, std::unique_ptr<SqliteStmt>> cache_;
};

// How often, in this process, a statement found the database locked by
// another connection and waited (busy_waits), and how often it gave up after
// waiting kBusyTimeoutMs (busy_timeouts: the caller got SQLITE_BUSY). Read by
// GET /metrics. Thread-safety: atomics, any thread.
inline constexpr int kBusyTimeoutMs = 5000;
std::uint64_t busy_waits();
std::uint64_t busy_timeouts();

}  // namespace posfleet::store
