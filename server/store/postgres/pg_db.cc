#include "server/store/postgres/pg_db.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace posfleet::store {

std::string postgres_placeholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 0, highest = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char ch = sql[i];
    if (ch == '\'' || ch == '"') {  // a literal or quoted name: copied to its closing quote
      size_t end = i + 1;
      while (end < sql.size() && sql[end] != ch) ++end;
      out.append(sql.substr(i, end + 1 - i));
      i = end;
      continue;
    }
    if (ch != '?') {
      out.push_back(ch);
      continue;
    }
    size_t digits = i + 1;
    while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9') ++digits;
    int n = 0;
    if (digits > i + 1) {
      std::from_chars(sql.data() + i + 1, sql.data() + digits, n);
      i = digits - 1;
    } else {
      n = highest + 1;  // SQLite: a bare ? is one more than the largest number so far
    }
    if (n > highest) highest = n;
    next = n;
    out += '$';
    out += std::to_string(next);
  }
  if (count) *count = highest;
  return out;
}

PgStmt::PgStmt(PgConnection* owner, std::string sql, std::string name, int params)
    : owner_(owner), sql_(std::move(sql)), name_(std::move(name)), values_(params) {}

PgStmt::~PgStmt() { PQclear(result_); }

void PgStmt::bind_int64(int index, std::int64_t v) {
  if (index >= 1 && index <= static_cast<int>(values_.size()))
    values_[index - 1] = std::to_string(v);
}

void PgStmt::bind_text(int index, std::string_view v) {
  // libpq sends text parameters as C strings: a NUL would cut the value short without a word.
  if (v.find('\0') != std::string_view::npos) bad_value_ = true;
  if (index >= 1 && index <= static_cast<int>(values_.size())) values_[index - 1].assign(v);
}

int PgStmt::step() {
  if (row_ < 0 && !result_) {
    if (!owner_->run(*this)) return kPgError;
  }
  ++row_;
  return row_ < rows_ ? kRow : kDone;
}

std::int64_t PgStmt::column_int64(int col) const {
  if (!result_ || row_ < 0 || row_ >= rows_ || PQgetisnull(result_, row_, col)) return 0;
  const char* v = PQgetvalue(result_, row_, col);
  if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean
  if (v[0] == 'f' && v[1] == '\0') return 0;
  return std::strtoll(v, nullptr, 10);
}

std::string PgStmt::column_text(int col) const {
  if (!result_ || row_ < 0 || row_ >= rows_ || PQgetisnull(result_, row_, col)) return {};
  return std::string(PQgetvalue(result_, row_, col),
                     static_cast<size_t>(PQgetlength(result_, row_, col)));
}

void PgStmt::reset() {
  PQclear(result_);
  result_ = nullptr;
  rows_ = 0;
  row_ = -1;
  bad_value_ = false;
  for (auto& v : values_) v.clear();
}

Expected<std::unique_ptr<PgConnection>> PgConnection::open(const std::string& conninfo) {
  PGconn* pg = PQconnectdb(conninfo.c_str());
  if (!pg || PQstatus(pg) != CONNECTION_OK) {
    std::string msg = pg ? PQerrorMessage(pg) : "out of memory";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(pg);
    return make_error(Code::kIo, "cannot connect to PostgreSQL: " + msg);
  }
  std::unique_ptr<PgConnection> c(new PgConnection(pg));
  // Notices (e.g. "relation already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(
      pg, [](void*, const char*) {}, nullptr);
  if (auto st = c->exec("SET client_encoding = 'UTF8'"); !st) return st.error();
  return c;
}

PgConnection::~PgConnection() {
  cache_.clear();
  PQfinish(pg_);
}

void PgConnection::fail(std::string message, std::string sqlstate) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  last_error_ = std::move(message);
  last_sqlstate_ = std::move(sqlstate);
}

bool PgConnection::usable() {
  if (PQstatus(pg_) == CONNECTION_OK) return true;
  if (depth_ > 0) return false;  // the transaction is lost with the connection
  PQreset(pg_);
  if (PQstatus(pg_) != CONNECTION_OK) return false;
  ++generation_;
  (void)exec("SET client_encoding = 'UTF8'");
  return true;
}

Stmt PgConnection::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second.get());
  int params = 0;
  std::string text = postgres_placeholders(sql, &params);
  auto& slot = cache_[sql];
  slot =
      std::make_unique<PgStmt>(this, std::move(text), "s" + std::to_string(++next_name_), params);
  return Stmt(slot.get());
}

bool PgConnection::run(PgStmt& s) {
  if (s.bad_value_) {
    fail("a text value holds a NUL byte, which PostgreSQL cannot store", "22021");
    return false;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!usable()) {
      fail(std::string("the connection to PostgreSQL is lost: ") + PQerrorMessage(pg_), "08006");
      return false;
    }
    if (s.prepared_in_ != generation_) {
      PGresult* r = PQprepare(pg_, s.name_.c_str(), s.sql_.c_str(),
                              static_cast<int>(s.values_.size()), nullptr);
      const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      std::string err = ok ? "" : PQresultErrorMessage(r);
      const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
      std::string sqlstate = state ? state : "";
      PQclear(r);
      if (!ok) {
        if (PQstatus(pg_) != CONNECTION_OK && depth_ == 0) continue;  // reconnect and retry
        // A statement the database refuses is a programmer error (db.h).
        if (sqlstate.rfind("42", 0) == 0 && sqlstate != "42501")
          throw std::logic_error("bad SQL: " + err + " in: " + s.sql_);
        fail(err, sqlstate);
        return false;
      }
      s.prepared_in_ = generation_;
    }
    std::vector<const char*> values(s.values_.size());
    for (size_t i = 0; i < values.size(); ++i) values[i] = s.values_[i].c_str();
    PGresult* r = PQexecPrepared(pg_, s.name_.c_str(), static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0);
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
      s.result_ = r;
      s.rows_ = st == PGRES_TUPLES_OK ? PQntuples(r) : 0;
      s.row_ = -1;
      const char* n = PQcmdTuples(r);
      changes_ = (n && *n) ? std::atoi(n) : 0;
      return true;
    }
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    fail(r ? PQresultErrorMessage(r) : PQerrorMessage(pg_), state ? state : "");
    PQclear(r);
    if (PQstatus(pg_) != CONNECTION_OK && depth_ == 0) continue;
    return false;
  }
  return false;
}

Status PgConnection::exec(const char* sql) {
  if (!usable())
    return make_error(Code::kIo,
                      std::string("the connection to PostgreSQL is lost: ") + PQerrorMessage(pg_));
  PGresult* r = PQexec(pg_, sql);
  const ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    PQclear(r);
    return ok_status();
  }
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  fail(r ? PQresultErrorMessage(r) : PQerrorMessage(pg_), state ? state : "");
  PQclear(r);
  return error("database");
}

Status PgConnection::begin() {
  if (depth_ > 0 && terminal_tx_)
    return make_error(Code::kIo,
                      "a change of the whole store was started inside one terminal's change");
  static const std::string lock =
      "SELECT pg_advisory_xact_lock(" + std::to_string(kTransactionLock) + ")";
  return open_transaction(lock, false);
}

Status PgConnection::begin_terminal(std::int64_t terminal_id) {
  const std::string locks = "SELECT pg_advisory_xact_lock_shared(" +
                            std::to_string(kTransactionLock) + "), pg_advisory_xact_lock(" +
                            std::to_string(kTerminalLocks) + ", " +
                            std::to_string(terminal_id % 0x7fffffff) + ")";
  return open_transaction(locks, true);
}

Status PgConnection::open_transaction(const std::string& locks, bool terminal) {
  if (depth_ == 0) {
    last_sqlstate_.clear();
    if (auto st = exec("BEGIN"); !st) return st;
    if (auto st = exec(locks.c_str()); !st) {
      (void)exec("ROLLBACK");
      return st;
    }
    terminal_tx_ = terminal;
  } else if (auto st = exec("SAVEPOINT posfleet_tx"); !st) {
    return st;
  }
  ++depth_;
  return ok_status();
}

Status PgConnection::commit() {
  if (depth_ > 1) {
    if (auto st = exec("RELEASE posfleet_tx"); !st) {
      rollback();
      return st;
    }
    --depth_;
    return ok_status();
  }
  // COMMIT of a failed transaction "succeeds" as a ROLLBACK: check what the server did.
  PGresult* r = PQexec(pg_, "COMMIT");
  const bool ok =
      PQresultStatus(r) == PGRES_COMMAND_OK && std::string_view(PQcmdStatus(r)) == "COMMIT";
  if (!ok) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char* msg = PQresultErrorMessage(r);
    fail(msg && *msg ? msg : "the transaction failed and was rolled back", state ? state : "");
  }
  PQclear(r);
  depth_ = 0;
  if (!ok) {
    if (PQtransactionStatus(pg_) != PQTRANS_IDLE) (void)exec("ROLLBACK");
    return error("commit");
  }
  return ok_status();
}

void PgConnection::rollback() {
  if (depth_ == 0) return;
  if (--depth_ > 0) {
    (void)exec("ROLLBACK TO SAVEPOINT posfleet_tx");
    (void)exec("RELEASE posfleet_tx");
  } else {
    (void)exec("ROLLBACK");
  }
}

std::int64_t PgConnection::last_insert_id() const {
  PGresult* r = PQexec(pg_, "SELECT lastval()");
  std::int64_t id = 0;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
    id = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
  PQclear(r);
  return id;
}

Error PgConnection::error(std::string_view what) const {
  // 23505 unique_violation: the same meaning as SQLite's unique and primary-key constraints.
  const Code code = last_sqlstate_ == "23505" ? Code::kConflict : Code::kIo;
  return make_error(code, std::string(what) + ": " + last_error_);
}

}  // namespace posfleet::store
