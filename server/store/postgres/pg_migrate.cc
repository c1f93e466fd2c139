#include "server/store/postgres/pg_migrate.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>
#include <set>

#include "server/store/postgres/pg_db.h"
#include "server/store/postgres/pg_schema.h"
#include "server/store/postgres/pg_store.h"
#include "server/store/sqlite/migrations.h"

namespace posfleet::store {

namespace {

constexpr std::int64_t kProgressRows = 10000;
constexpr size_t kCopyChunk = 256 * 1024;  // bytes handed to libpq at once

std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char ch : name) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

using PgResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// The target: one libpq connection, for statements with small answers and COPY.
class Target {
 public:
  explicit Target(PGconn* pg) : pg_(pg) {}
  ~Target() { PQfinish(pg_); }
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;
  PGconn* pg() { return pg_; }

  // The rows of `sql` as text (NULL reads "").
  Expected<std::vector<std::vector<std::string>>> query(const std::string& sql,
                                                        const std::string& what) {
    PgResultPtr r(PQexec(pg_, sql.c_str()), PQclear);
    const ExecStatusType st = PQresultStatus(r.get());
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
      return make_error(Code::kIo, what + ": " + trimmed(PQresultErrorMessage(r.get())));
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      auto& row = rows.emplace_back();
      for (int c = 0; c < PQnfields(r.get()); ++c) row.emplace_back(PQgetvalue(r.get(), i, c));
    }
    return rows;
  }
  Status exec(const std::string& sql, const std::string& what) {
    auto r = query(sql, what);
    if (!r) return r.error();
    return ok_status();
  }

 private:
  PGconn* pg_;
};

// The source: a read-only SQLite connection.
class Source {
 public:
  explicit Source(sqlite3* db) : db_(db) {}
  ~Source() { sqlite3_close_v2(db_); }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
  sqlite3* db() { return db_; }
  std::string error() const { return sqlite3_errmsg(db_); }

  // Runs `sql`, calling `row` with each row's statement.
  Status each(const std::string& sql, const std::string& what,
              const std::function<void(sqlite3_stmt*)>& row) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      return make_error(Code::kIo, what + ": " + error());
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return make_error(Code::kIo, what + ": " + error());
    return ok_status();
  }

 private:
  sqlite3* db_;
};

std::string text_of(sqlite3_stmt* s, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, col))) : "";
}

// One value in COPY's text format: \N for NULL, backslash escapes for the rest.
void append_copy_value(std::string& line, sqlite3_stmt* s, int col, bool bytea) {
  switch (sqlite3_column_type(s, col)) {
    case SQLITE_NULL:
      line += "\\N";
      return;
    case SQLITE_INTEGER:
      line += std::to_string(sqlite3_column_int64(s, col));
      return;
    case SQLITE_FLOAT: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", sqlite3_column_double(s, col));
      line += buf;
      return;
    }
    default:
      break;
  }
  if (bytea && sqlite3_column_type(s, col) == SQLITE_BLOB) {
    static const char* const hex = "0123456789abcdef";
    const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, col));
    const int n = sqlite3_column_bytes(s, col);
    line += "\\\\x";  // bytea's hex form, its backslash escaped for COPY
    for (int i = 0; i < n; ++i) {
      line += hex[p[i] >> 4];
      line += hex[p[i] & 15];
    }
    return;
  }
  const auto* p = static_cast<const char*>(sqlite3_column_blob(s, col));
  const int n = sqlite3_column_bytes(s, col);
  for (int i = 0; i < n; ++i) {
    switch (p[i]) {
      case '\\':
        line += "\\\\";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      case '\t':
        line += "\\t";
        break;
      default:
        line += p[i];
    }
  }
}

// Tables the migrations seed with rows (settings with their defaults): a new database holds
// those rows, and the copy replaces them.
std::set<std::string> seeded_tables() {
  static const std::regex insert(R"(INSERT INTO (\w+))");
  std::set<std::string> out;
  for (const char* m : sqlite_migrations()) {
    const std::string sql(m);
    for (std::sregex_iterator it(sql.begin(), sql.end(), insert), end; it != end; ++it)
      out.insert((*it)[1]);
  }
  return out;
}

struct Table {
  std::string name;
  std::vector<std::string> columns;
  std::set<std::string> references;  // tables its foreign keys name
  std::int64_t rows = 0;             // in the source
};

// `tables` ordered so that every table comes after the tables it references (a cycle, which
// posfleet's schema has none of, keeps its order and lets PostgreSQL judge the rows).
std::vector<Table> in_foreign_key_order(std::vector<Table> tables) {
  std::vector<Table> out;
  std::set<std::string> placed, known;
  for (const auto& t : tables) known.insert(t.name);
  while (!tables.empty()) {
    auto ready = std::find_if(tables.begin(), tables.end(), [&](const Table& t) {
      return std::all_of(t.references.begin(), t.references.end(), [&](const std::string& r) {
        return r == t.name || placed.count(r) || !known.count(r);
      });
    });
    if (ready == tables.end()) ready = tables.begin();
    placed.insert(ready->name);
    out.push_back(std::move(*ready));
    tables.erase(ready);
  }
  return out;
}

// Copies one table with COPY FROM STDIN; returns the rows copied.
Expected<std::int64_t> copy_table(Source& src, Target& dst, const Table& t,
                                  const std::set<std::string>& bytea_columns,
                                  const MigrationProgress& progress) {
  std::string select, columns;
  std::vector<bool> bytea;
  for (const auto& c : t.columns) {
    select += (select.empty() ? "" : ", ") + quoted(c);
    bytea.push_back(bytea_columns.count(c) > 0);
  }
  columns = select;
  const std::string what = "copying table " + t.name;
  sqlite3_stmt* s = nullptr;
  // Rows in rowid order (ids ascending, as they were written); a WITHOUT ROWID table has no
  // rowid and is read in its key's order.
  std::string sql = "SELECT " + select + " FROM " + quoted(t.name) + " ORDER BY rowid";
  if (sqlite3_prepare_v2(src.db(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    sql = "SELECT " + select + " FROM " + quoted(t.name);
    if (sqlite3_prepare_v2(src.db(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      return make_error(Code::kIo, what + ": reading SQLite: " + src.error());
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(s, sqlite3_finalize);
  {
    PgResultPtr r(
        PQexec(dst.pg(), ("COPY " + quoted(t.name) + " (" + columns + ") FROM STDIN").c_str()),
        PQclear);
    if (PQresultStatus(r.get()) != PGRES_COPY_IN)
      return make_error(Code::kIo, what + ": " + trimmed(PQresultErrorMessage(r.get())));
  }
  auto send = [&](const std::string& data) {
    return PQputCopyData(dst.pg(), data.data(), static_cast<int>(data.size())) == 1;
  };
  auto abort_copy = [&](const std::string& why) {
    PQputCopyEnd(dst.pg(), why.c_str());
    while (PGresult* r = PQgetResult(dst.pg())) PQclear(r);
  };
  std::string buffer;
  std::int64_t copied = 0;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (c > 0) buffer += '\t';
      append_copy_value(buffer, stmt.get(), static_cast<int>(c), bytea[c]);
    }
    buffer += '\n';
    if (++copied % kProgressRows == 0 && progress) progress(t.name, copied, t.rows);
    if (buffer.size() >= kCopyChunk) {
      if (!send(buffer)) {
        const std::string e = trimmed(PQerrorMessage(dst.pg()));
        abort_copy("sending failed");
        return make_error(Code::kIo, what + ": " + e);
      }
      buffer.clear();
    }
  }
  if (rc != SQLITE_DONE) {
    const std::string e = src.error();
    abort_copy("reading SQLite failed");
    return make_error(Code::kIo, what + ": reading SQLite: " + e);
  }
  if ((!buffer.empty() && !send(buffer)) || PQputCopyEnd(dst.pg(), nullptr) != 1) {
    const std::string e = trimmed(PQerrorMessage(dst.pg()));
    abort_copy("sending failed");
    return make_error(Code::kIo, what + ": " + e);
  }
  PgResultPtr r(PQgetResult(dst.pg()), PQclear);
  const bool ok = PQresultStatus(r.get()) == PGRES_COMMAND_OK;
  const std::string e = ok ? "" : trimmed(PQresultErrorMessage(r.get()));
  while (PGresult* rest = PQgetResult(dst.pg())) PQclear(rest);
  if (!ok)
    return make_error(Code::kInvalidArgument,
                      what + ": PostgreSQL refused a row: " + e +
                          " (the SQLite database holds a value PostgreSQL cannot take; correct "
                          "that row in SQLite and run migrate again)");
  if (progress) progress(t.name, copied, t.rows);
  return copied;
}

}  // namespace

Expected<MigrationReport> migrate_sqlite_to_postgres(const std::string& sqlite_path,
                                                     const std::string& conninfo,
                                                     const MigrationProgress& progress) {
  sqlite3* lite = nullptr;
  const int open_rc = sqlite3_open_v2(sqlite_path.c_str(), &lite, SQLITE_OPEN_READONLY, nullptr);
  Source src(lite);
  if (open_rc != SQLITE_OK)
    return make_error(Code::kIo, "cannot open " + sqlite_path + ": " + src.error());
  PGconn* pg = PQconnectdb(conninfo.c_str());
  Target dst(pg);
  if (!pg || PQstatus(pg) != CONNECTION_OK)
    return make_error(Code::kIo, "cannot connect to PostgreSQL: " +
                                     trimmed(pg ? PQerrorMessage(pg) : "out of memory"));
  PQsetNoticeProcessor(
      pg, [](void*, const char*) {}, nullptr);
  if (auto st = dst.exec("SET client_encoding = 'UTF8'", "PostgreSQL"); !st) return st.error();

  // The source as one moment: a read transaction over every query below.
  if (auto st = src.each("BEGIN", "SQLite", [](sqlite3_stmt*) {}); !st) return st.error();
  std::vector<Table> tables;
  if (auto st = src.each(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
          "ESCAPE '\\' ORDER BY name",
          "listing SQLite's tables",
          [&](sqlite3_stmt* s) {
            tables.push_back({text_of(s, 0), {}, {}, 0});
          });
      !st)
    return st.error();
  for (auto& t : tables) {
    if (auto st = src.each("PRAGMA table_info(" + quoted(t.name) + ")", "columns of " + t.name,
                           [&](sqlite3_stmt* s) { t.columns.push_back(text_of(s, 1)); });
        !st)
      return st.error();
    if (auto st =
            src.each("PRAGMA foreign_key_list(" + quoted(t.name) + ")", "foreign keys of " + t.name,
                     [&](sqlite3_stmt* s) { t.references.insert(text_of(s, 2)); });
        !st)
      return st.error();
    if (auto st = src.each("SELECT count(*) FROM " + quoted(t.name), "counting " + t.name,
                           [&](sqlite3_stmt* s) { t.rows = sqlite3_column_int64(s, 0); });
        !st)
      return st.error();
  }
  MigrationReport report;
  if (auto st = src.each("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
                         "the newest audit entry",
                         [&](sqlite3_stmt* s) {
                           report.audit_head_id = sqlite3_column_int64(s, 0);
                           report.audit_head_hash = text_of(s, 1);
                         });
      !st)
    return st.error();

  // One transaction: under posfleet's two advisory locks no server migrates the schema or runs
  // a transaction meanwhile, and the table locks below hold off every other write.
  if (auto st = dst.exec("BEGIN", "PostgreSQL"); !st) return st.error();
  auto fail = [&](Error e) -> Expected<MigrationReport> {
    (void)dst.exec("ROLLBACK", "PostgreSQL");
    return e;
  };
  for (std::int64_t lock : {PgStore::kMigrationLock, PgConnection::kTransactionLock})
    if (auto st = dst.exec("SELECT pg_advisory_xact_lock(" + std::to_string(lock) + ")",
                           "taking posfleet's lock");
        !st)
      return fail(st.error());
  auto columns = dst.query(
      "SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns "
      "WHERE table_schema = current_schema()",
      "reading the PostgreSQL schema");
  if (!columns) return fail(columns.error());
  std::map<std::string, std::map<std::string, std::string>> target_columns;  // table → type
  std::vector<std::pair<std::string, std::string>> identities;               // table, column
  for (const auto& c : *columns) {
    target_columns[c[0]][c[1]] = c[2];
    if (c[3] == "YES") identities.emplace_back(c[0], c[1]);
  }
  std::vector<Table> copied;
  for (auto& t : tables) {
    auto it = target_columns.find(t.name);
    if (it == target_columns.end()) {
      report.skipped.push_back(t.name);
      continue;
    }
    for (const auto& c : t.columns)
      if (!it->second.count(c))
        return fail(make_error(Code::kInvalidArgument,
                               "the PostgreSQL table " + t.name + " has no column " + c +
                                   ", which SQLite's has; migrate with the posfleetd that last "
                                   "ran on this SQLite database"));
    copied.push_back(t);
  }
  copied = in_foreign_key_order(std::move(copied));
  std::string all;
  for (const auto& t : copied) all += (all.empty() ? "" : ", ") + quoted(t.name);
  if (!all.empty())
    if (auto st = dst.exec("LOCK TABLE " + all + " IN EXCLUSIVE MODE", "locking the tables"); !st)
      return fail(st.error());

  // What the target holds now: new, this very data, or something else.
  auto count_target = [&](const Table& t) -> Expected<std::int64_t> {
    auto r = dst.query("SELECT count(*) FROM " + quoted(t.name), "counting " + t.name);
    if (!r) return r.error();
    return std::stoll((*r)[0][0]);
  };
  const auto seeded = seeded_tables();
  bool is_new = true, is_same = true;
  std::string first_difference;
  for (const auto& t : copied) {
    auto n = count_target(t);
    if (!n) return fail(n.error());
    if (*n > 0 && !seeded.count(t.name)) is_new = false;
    if (*n != t.rows) {
      is_same = false;
      if (first_difference.empty())
        first_difference = "table " + t.name + " holds " + std::to_string(*n) +
                           " rows where SQLite has " + std::to_string(t.rows);
    }
  }
  if (!is_new) {
    auto head = dst.query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
                          "the newest audit entry in PostgreSQL");
    if (!head) return fail(head.error());
    const std::int64_t id = head->empty() ? 0 : std::stoll((*head)[0][0]);
    const std::string hash = head->empty() ? "" : (*head)[0][1];
    if (is_same && (id != report.audit_head_id || hash != report.audit_head_hash)) {
      is_same = false;
      first_difference = "its newest audit entry is " + std::to_string(id) + " " + hash +
                         ", SQLite's " + std::to_string(report.audit_head_id) + " " +
                         report.audit_head_hash;
    }
    (void)dst.exec("ROLLBACK", "PostgreSQL");
    if (!is_same)
      return make_error(Code::kConflict,
                        "the PostgreSQL database already holds other posfleet data (" +
                            first_difference +
                            "); nothing was changed. Migrate into a new, empty database "
                            "(createdb NAME), or drop this one first if it holds nothing you "
                            "need");
    report.already_migrated = true;
    for (const auto& t : copied) report.tables.push_back({t.name, t.rows, t.rows});
    return report;
  }

  // The rows arrive as SQLite holds them, derived columns and tallies included (migration 22):
  // the triggers that keep those would count every copied terminal twice. Off for the copy, in
  // this transaction only.
  for (const auto& t : copied)
    if (auto st = dst.exec("ALTER TABLE " + quoted(t.name) + " DISABLE TRIGGER USER",
                           "pausing the triggers of " + t.name);
        !st)
      return fail(st.error());
  for (const auto& t : copied) {
    if (seeded.count(t.name))  // the defaults a new database starts with, replaced by the copy
      if (auto st = dst.exec("DELETE FROM " + quoted(t.name), "clearing " + t.name); !st)
        return fail(st.error());
    std::set<std::string> bytea;
    for (const auto& [column, type] : target_columns[t.name])
      if (type == "bytea") bytea.insert(column);
    auto n = copy_table(src, dst, t, bytea, progress);
    if (!n) return fail(n.error());
  }
  for (const auto& t : copied)
    if (auto st = dst.exec("ALTER TABLE " + quoted(t.name) + " ENABLE TRIGGER USER",
                           "resuming the triggers of " + t.name);
        !st)
      return fail(st.error());
  // What PostgreSQL alone keeps (pg_schema.cc), counted again from the copied rows.
  if (auto st = dst.exec(kRecountSeenSeconds, "counting the terminals seen per second"); !st)
    return fail(st.error());
  // New rows take ids after the copied ones.
  std::set<std::string> copied_names;
  for (const auto& t : copied) copied_names.insert(t.name);
  for (const auto& [table, column] : identities) {
    if (!copied_names.count(table)) continue;
    const std::string t = quoted(table), c = quoted(column);
    auto st = dst.exec("SELECT setval(pg_get_serial_sequence('" + t + "', '" + column +
                           "'), COALESCE((SELECT max(" + c + ") FROM " + t + "), 1), (SELECT max(" +
                           c + ") FROM " + t + ") IS NOT NULL)",
                       "moving the id sequence of " + table);
    if (!st) return fail(st.error());
  }
  for (const auto& t : copied) {
    auto n = count_target(t);
    if (!n) return fail(n.error());
    if (*n != t.rows)
      return fail(make_error(Code::kIo, "table " + t.name + " holds " + std::to_string(*n) +
                                            " rows after the copy where SQLite has " +
                                            std::to_string(t.rows) +
                                            "; nothing was changed. Stop every posfleetd on "
                                            "the SQLite data directory and run migrate again"));
    report.tables.push_back({t.name, t.rows, *n});
  }
  PgResultPtr r(PQexec(pg, "COMMIT"), PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK ||
      std::string_view(PQcmdStatus(r.get())) != "COMMIT")
    return make_error(Code::kIo, "committing the copy failed, nothing was changed: " +
                                     trimmed(PQresultErrorMessage(r.get())));
  return report;
}

}  // namespace posfleet::store
