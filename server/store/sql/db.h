// posfleet server: the database driver the SQL store (sql_store.h) is written against — a
// connection that prepares statements and runs transactions, and a statement that binds
// parameters in order, steps through rows and reads columns. One implementation per database
// (store/sqlite/sqlite_db.h), so the store's SQL is written once for every backend.
//
// SQL uses `?` placeholders, integers are 64-bit and text is UTF-8; a column read as i64 or str
// that is NULL reads 0 or "".
// Thread-safety: a Connection (and its statements) is used by one thread at a time; SqlStore
// gives each thread its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet::store {

// What Stmt::step returns besides an error (the same values as SQLite's SQLITE_ROW and
// SQLITE_DONE).
inline constexpr int kRow = 100;
inline constexpr int kDone = 101;

// A driver's prepared statement. The connection owns it (a statement cache); Stmt uses it for
// one execution.
class StmtBackend {
 public:
  virtual ~StmtBackend() = default;
  virtual void bind_int64(int index, std::int64_t v) = 0;  // index from 1
  virtual void bind_text(int index, std::string_view v) = 0;
  // kRow (a row is ready), kDone, or another value: an error, described by Connection::error.
  virtual int step() = 0;
  virtual std::int64_t column_int64(int col) const = 0;  // col from 0
  virtual std::string column_text(int col) const = 0;
  // Ready for the next execution: bindings cleared, rows dropped.
  virtual void reset() = 0;
};

// One execution of a prepared statement: bind in order, then step.
class Stmt {
 public:
  explicit Stmt(StmtBackend* s) : s_(s) {}
  ~Stmt() {
    if (s_) s_->reset();
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(std::int64_t v) {
    s_->bind_int64(++n_, v);
    return *this;
  }
  Stmt& bind(int v) { return bind(static_cast<std::int64_t>(v)); }
  Stmt& bind(bool v) { return bind(static_cast<std::int64_t>(v)); }
  Stmt& bind(std::uint64_t v) { return bind(static_cast<std::int64_t>(v)); }
  Stmt& bind(std::string_view v) {
    s_->bind_text(++n_, v);
    return *this;
  }
  Stmt& bind(const std::string& v) { return bind(std::string_view(v)); }
  Stmt& bind(const char* v) { return bind(std::string_view(v)); }
  template <typename... Ts>
  Stmt& bind_all(const Ts&... vs) {
    (bind(vs), ...);
    return *this;
  }

  // kRow, kDone or an error code (Connection::error says what).
  int step() { return s_->step(); }
  std::int64_t i64(int col) const { return s_->column_int64(col); }
  std::string str(int col) const { return s_->column_text(col); }

 private:
  StmtBackend* s_;
  int n_ = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // Prepared once per connection and SQL text, then reused. A statement the database refuses
  // is a programmer error: throws std::logic_error with the database's message.
  virtual Stmt prepare(const char* sql) = 0;
  virtual Status exec(const char* sql) = 0;
  // A transaction that nests: begin() starts one or, inside one, a savepoint; commit() and
  // rollback() end the innermost; a failed commit rolls back. Only the outermost commit is
  // durable.
  virtual Status begin() = 0;
  // A transaction that writes one terminal's own rows (Store::transact_terminal): the same as
  // begin() here; PostgreSQL runs it beside other terminals' such transactions where begin()'s
  // run one at a time. Inside a transaction, a savepoint.
  virtual Status begin_terminal(std::int64_t terminal_id) {
    (void)terminal_id;
    return begin();
  }
  // Whether the last failure was the database undoing the transaction for another's sake
  // (PostgreSQL: a deadlock or a serialization failure): the same work may run again.
  virtual bool retryable() const { return false; }
  virtual Status commit() = 0;
  virtual void rollback() = 0;
  virtual bool in_transaction() const = 0;
  // The id the last INSERT on this connection gave its row.
  virtual std::int64_t last_insert_id() const = 0;
  // How many rows the last INSERT, UPDATE or DELETE changed.
  virtual int changes() const = 0;
  // The last failure as an Error: kConflict for a unique or primary-key violation, else kIo;
  // the message starts with `what`.
  virtual Error error(std::string_view what) const = 0;
  // "Is in the rows of `subquery`" (one column), written so that the planner can take it from an
  // index even beside an OR: SQLite's `IN (subquery)`; PostgreSQL turns a sublink under OR into
  // a filter over every row, so there it is `= ANY(ARRAY(subquery))`, computed once.
  virtual std::string in_rows_of(std::string_view subquery) const {
    return " IN (" + std::string(subquery) + ")";
  }
  // `column` as a condition rows are checked against, not an index to search: beside an
  // organisation's subtree, whose few terminals one index reads. SQLite keeps no statistics
  // (posfleetd never runs ANALYZE) and would search a model's or a release's index over the
  // whole fleet (200 ms to 2 s at a million terminals, bench/console); its unary `+` rules that
  // index out. PostgreSQL weighs both indexes with its statistics: the column as it is.
  virtual std::string filter_only(std::string_view column) const {
    return "+" + std::string(column);
  }
};

// Binds `c` to this thread's connection of the enclosing store, or returns its error from the
// enclosing function.
#define POSFLEET_CONN(c)          \
  auto c##_ = conn();             \
  if (!c##_) return c##_.error(); \
  Connection& c = **c##_

}  // namespace posfleet::store
