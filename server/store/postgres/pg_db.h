// posfleet server: the PostgreSQL driver of the SQL store (store/sql/db.h), a thin layer over
// libpq.
//
// PgConnection owns one libpq connection. A statement is prepared on the server the first time
// it runs (its `?` placeholders rewritten to `$n`, parameter types inferred by the server) and
// kept by its SQL text. Parameters travel as text; results are read as text, a boolean reading 1
// or 0. A statement's rows are fetched whole when it first steps (the store's queries are
// bounded by LIMIT).
//
// Transactions. PostgreSQL runs statements outside a transaction in READ COMMITTED. A
// transaction (begin() at depth 0) first takes one advisory lock that every posfleet server
// shares, exclusively, so such transactions run one after another across the whole fleet's
// servers, as SQLite's BEGIN IMMEDIATE makes them within one: a transaction reads what every
// earlier one committed and nothing another one writes meanwhile. A terminal's transaction
// (begin_terminal(id), Store::transact_terminal) takes that lock shared and an advisory lock of
// its terminal exclusively: it waits for no other terminal's, and none runs beside a whole
// transaction. What such transactions share, the tally rows their triggers count in, PostgreSQL's
// row locks order; a deadlock there undoes one, which retryable() then says. Inside a
// terminal's transaction a begin() (a whole-store change: an audit entry, a policy) is refused.
// The locks live only as long as the transaction, which holds no network wait. Nested begin()s
// are savepoints. As PostgreSQL requires, a statement that fails inside a transaction fails the
// rest of it: roll back (or roll back to the savepoint) before going on.
//
// A connection that breaks outside a transaction is re-established on its next statement.
// Thread-safety: a connection is used by one thread at a time (SqlStore gives each thread its
// own).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "server/store/sql/db.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace posfleet::store {

// `sql` with SQLite's `?` and `?N` placeholders written as PostgreSQL's `$N`; quoted text is
// left alone. *count is the number of parameters.
std::string postgres_placeholders(std::string_view sql, int* count);

// What step() returns for a failure (neither kRow nor kDone).
inline constexpr int kPgError = 1;

class PgConnection;

class PgStmt final : public StmtBackend {
 public:
  PgStmt(PgConnection* owner, std::string sql, std::string name, int params);
  ~PgStmt() override;
  void bind_int64(int index, std::int64_t v) override;
  void bind_text(int index, std::string_view v) override;
  int step() override;
  std::int64_t column_int64(int col) const override;
  std::string column_text(int col) const override;
  void reset() override;

 private:
  friend class PgConnection;
  PgConnection* owner_;
  const std::string sql_;          // with $n placeholders
  const std::string name_;         // of the prepared statement on the server
  std::uint64_t prepared_in_ = 0;  // the connection's generation it was prepared in (0: not yet)
  std::vector<std::string> values_;
  bool bad_value_ = false;  // a text parameter held a NUL byte
  PGresult* result_ = nullptr;
  int rows_ = 0;
  int row_ = -1;
};

class PgConnection final : public Connection {
 public:
  // `conninfo`: a postgresql:// URI or key=value string, as libpq reads it.
  static Expected<std::unique_ptr<PgConnection>> open(const std::string& conninfo);
  ~PgConnection() override;
  Stmt prepare(const char* sql) override;
  Status exec(const char* sql) override;
  Status begin() override;
  Status begin_terminal(std::int64_t terminal_id) override;
  bool retryable() const override {
    return last_sqlstate_ == "40P01" || last_sqlstate_ == "40001";  // deadlock, serialization
  }
  Status commit() override;
  void rollback() override;
  bool in_transaction() const override { return depth_ > 0; }
  std::int64_t last_insert_id() const override;
  int changes() const override { return changes_; }
  Error error(std::string_view what) const override;
  std::string in_rows_of(std::string_view subquery) const override {
    return " = ANY(ARRAY(" + std::string(subquery) + "))";
  }
  std::string filter_only(std::string_view column) const override { return std::string(column); }

  // The advisory lock every transaction takes first (see above).
  static constexpr std::int64_t kTransactionLock = 0x706f73666c656574;  // "posfleet"
  // The first key of a terminal's lock, in PostgreSQL's space of two 32-bit keys (the second is
  // the terminal's id), apart from the 64-bit keys above.
  static constexpr std::int32_t kTerminalLocks = 0x706f7366;  // "posf"

 private:
  friend class PgStmt;
  explicit PgConnection(PGconn* pg) : pg_(pg) {}
  // Runs `s` with its bound values; false with last_error_ set on failure.
  bool run(PgStmt& s);
  // Re-establishes a broken connection when no transaction is open; true if usable.
  bool usable();
  void fail(std::string message, std::string sqlstate);
  // BEGIN and `locks` at depth 0 (a terminal's transaction if `terminal`), else a savepoint.
  Status open_transaction(const std::string& locks, bool terminal);

  PGconn* pg_;
  std::uint64_t generation_ = 1;  // grows on every reconnect: the server forgot its statements
  int depth_ = 0;                 // open begin()s
  bool terminal_tx_ = false;      // the open transaction is a terminal's
  int changes_ = 0;
  std::string last_error_;
  std::string last_sqlstate_;
  int next_name_ = 0;
  std::unordered_map<std::string, std::unique_ptr<PgStmt>> cache_;
};

}  // namespace posfleet::store
