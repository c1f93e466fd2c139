#include "server/store/sqlite/sqlite_db.h"

#include <cstring>

#include <atomic>
#include <memory>
#include <stdexcept>

namespace posfleet::store {
namespace {

std::atomic<std::uint64_t> g_busy_waits{0}, g_busy_timeouts{0};

// sqlite3_busy_timeout(kBusyTimeoutMs)'s own schedule (short sleeps first,
// then 100 ms), counted: `count` is how often this statement has waited.
int on_busy(void*, int count) {
  static constexpr int kDelays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
  static constexpr int kSteps = sizeof kDelays / sizeof kDelays[0];
  if (count == 0) g_busy_waits.fetch_add(1, std::memory_order_relaxed);
  int prior = 0;
  for (int i = 0; i < count && i < kSteps; ++i) prior += kDelays[i];
  if (count > kSteps) prior += (count - kSteps) * kDelays[kSteps - 1];
  int delay = count < kSteps ? kDelays[count] : kDelays[kSteps - 1];
  if (prior + delay > kBusyTimeoutMs) delay = kBusyTimeoutMs - prior;
  if (delay <= 0) {
    g_busy_timeouts.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  sqlite3_sleep(delay);
  return 1;
}

}  // namespace

std::uint64_t busy_waits() { return g_busy_waits.load(std::memory_order_relaxed); }
std::uint64_t busy_timeouts() { return g_busy_timeouts.load(std::memory_order_relaxed); }

Expected<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(Code::kIo, "cannot open database " + path + ": " + msg);
  }
  std::unique_ptr<SqliteConnection> c(new SqliteConnection(db));
  sqlite3_busy_handler(db, on_busy, nullptr);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
    if (auto s = c->exec(pragma); !s) return s.error();
  }
  return c;
}

namespace {
thread_local int quiet_terminal_writes = 0;
constexpr int kAutoCheckpointPages = 1000;  // SQLite's default, kept when the hook is taken
}  // namespace

SqliteConnection::QuietTerminalWrites::QuietTerminalWrites() { ++quiet_terminal_writes; }
SqliteConnection::QuietTerminalWrites::~QuietTerminalWrites() { --quiet_terminal_writes; }

void SqliteConnection::watch(OnCommit on_commit) {
  on_commit_ = std::move(on_commit);
  sqlite3_update_hook(db_, &SqliteConnection::on_update, this);
  sqlite3_wal_hook(db_, &SqliteConnection::on_wal_commit, this);
  sqlite3_rollback_hook(db_, &SqliteConnection::on_rollback, this);
}

void SqliteConnection::on_update(void* self, int, const char*, const char* table,
                                 sqlite3_int64 row) {
  auto* c = static_cast<SqliteConnection*>(self);
  if (std::strcmp(table, "deployments") == 0)
    c->changed_deployments_ = true;
  else if (std::strcmp(table, "terminals") == 0 && quiet_terminal_writes == 0)
    c->changed_terminals_.push_back(row);
}

int SqliteConnection::on_wal_commit(void* self, sqlite3* db, const char* name, int pages) {
  auto* c = static_cast<SqliteConnection*>(self);
  if (!c->changed_terminals_.empty() || c->changed_deployments_) {
    c->on_commit_(c->changed_terminals_, c->changed_deployments_);
    c->changed_terminals_.clear();
    c->changed_deployments_ = false;
  }
  // What sqlite3_wal_autocheckpoint's own hook does; a busy database just waits for the next.
  if (pages >= kAutoCheckpointPages)
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return SQLITE_OK;
}

void SqliteConnection::on_rollback(void* self) {
  auto* c = static_cast<SqliteConnection*>(self);
  c->changed_terminals_.clear();
  c->changed_deployments_ = false;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // every statement finalized before the handle closes
  sqlite3_close(db_);
}

Stmt SqliteConnection::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second.get());
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
    throw std::logic_error(std::string("bad SQL: ") + sqlite3_errmsg(db_) + " in: " + sql);
  auto& slot = cache_[sql];
  slot = std::make_unique<SqliteStmt>(s);
  return Stmt(slot.get());
}

Status SqliteConnection::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return make_error(Code::kIo, "database: " + msg);
  }
  return ok_status();
}

Status SqliteConnection::begin() {
  if (auto st = exec(depth_ == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT posfleet_tx"); !st) return st;
  ++depth_;
  return ok_status();
}

Status SqliteConnection::commit() {
  if (depth_ > 1) {
    if (auto st = exec("RELEASE posfleet_tx"); !st) {
      rollback();
      return st;
    }
    --depth_;
    return ok_status();
  }
  if (auto st = exec("COMMIT"); !st) {
    rollback();
    return st;
  }
  depth_ = 0;
  return ok_status();
}

void SqliteConnection::rollback() {
  if (depth_ == 0) return;
  // A failed ROLLBACK leaves nothing to undo: SQLite has ended the transaction itself.
  if (--depth_ > 0) {
    (void)exec("ROLLBACK TO posfleet_tx");
    (void)exec("RELEASE posfleet_tx");
  } else {
    (void)exec("ROLLBACK");
  }
}

Error SqliteConnection::error(std::string_view what) const {
  int ext = sqlite3_extended_errcode(db_);
  Code code = (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
                  ? Code::kConflict
                  : Code::kIo;
  return make_error(code, std::string(what) + ": " + sqlite3_errmsg(db_));
}

}  // namespace posfleet::store
