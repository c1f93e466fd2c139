#include "server/store/sqlite/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <memory>
#include <set>

#include "core/fs.h"
#include "server/store/sqlite/migrations.h"

namespace posfleet::store {

namespace {

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, Closer>;

Expected<Db> open_db(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK)
    return make_error(
        Code::kIo, "cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(raw, 10000);
  return db;
}

Status exec(sqlite3* db, const char* sql, const std::string& what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return ok_status();
  std::string msg = err ? err : sqlite3_errmsg(db);
  sqlite3_free(err);
  return make_error(Code::kIo, what + ": " + msg);
}

// The first column of every row `sql` returns, as text.
Expected<std::vector<std::string>> column(sqlite3* db, const char* sql, const std::string& what) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK)
    return make_error(Code::kInvalidArgument, what + ": " + sqlite3_errmsg(db));
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> s(raw, sqlite3_finalize);
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    out.emplace_back(p ? p : "");
  }
  if (rc != SQLITE_DONE)
    return make_error(Code::kInvalidArgument, what + ": " + sqlite3_errmsg(db));
  return out;
}

constexpr const char* kTables =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY "
    "name";

Status fsync_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(Code::kIo, "cannot open " + path + " to sync it");
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return make_error(Code::kIo, "cannot sync " + path + " to disk");
  return ok_status();
}

}  // namespace

Status backup_database(const std::string& from, const std::string& to,
                       const BackupProgress& progress) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(from, ec))
    return make_error(Code::kNotFound, "no database at " + from + "; is --data-dir right?");
  // Read-write (never created) so that the WAL of a running server is read;
  // query_only keeps this connection from writing anything.
  auto src = open_db(from, SQLITE_OPEN_READWRITE);
  if (!src) return src.error();
  if (auto s = exec(src->get(), "PRAGMA query_only=1", "reading " + from); !s) return s;
  // One read transaction around the whole copy: every step reads the same
  // snapshot, so writers never make it start over and the copy is consistent.
  if (auto s = exec(src->get(), "BEGIN; SELECT count(*) FROM sqlite_master;", "reading " + from);
      !s)
    return s;
  const std::string partial = to + ".partial";
  std::filesystem::remove(partial, ec);
  // Password and token hashes and sealed personal data: only the owner reads
  // the copy. Made here (empty is a valid database) so it is never wider.
  int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Code::kIo, "cannot create " + partial);
  ::close(fd);
  Status result = ok_status();
  {
    auto dest = open_db(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!dest) return dest.error();
    sqlite3_backup* b = sqlite3_backup_init(dest->get(), "main", src->get(), "main");
    if (!b)
      return make_error(Code::kIo,
                        "cannot start the copy: " + std::string(sqlite3_errmsg(dest->get())));
    int rc;
    while ((rc = sqlite3_backup_step(b, 512)) == SQLITE_OK || rc == SQLITE_BUSY ||
           rc == SQLITE_LOCKED) {
      if (progress)
        progress(sqlite3_backup_pagecount(b) - sqlite3_backup_remaining(b),
                 sqlite3_backup_pagecount(b));
      if (rc != SQLITE_OK) sqlite3_sleep(20);
    }
    if (progress) progress(sqlite3_backup_pagecount(b), sqlite3_backup_pagecount(b));
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
      result = make_error(Code::kIo, "copying " + from + " stopped: " + sqlite3_errstr(rc));
    // The copy stands alone: one file, no -wal to keep beside it.
    else if (auto s = exec(dest->get(), "PRAGMA journal_mode=DELETE", "finishing " + partial); !s)
      result = s;
  }
  (void)exec(src->get(), "COMMIT", "ending the read of " + from);
  if (result) result = fsync_file(partial);
  if (result) {
    std::filesystem::rename(partial, to, ec);
    if (ec)
      result =
          make_error(Code::kIo, "cannot rename " + partial + " to " + to + ": " + ec.message());
  }
  if (result) {
    const auto dir = std::filesystem::path(to).parent_path().string();
    result = fsync_dir(dir.empty() ? "." : dir);
  }
  if (!result) std::filesystem::remove(partial, ec);
  return result;
}

Status make_standalone(const std::string& path) {
  auto db = open_db(path, SQLITE_OPEN_READWRITE);
  if (!db) return db.error();
  return exec(db->get(), "PRAGMA journal_mode=DELETE", "finishing " + path);
}

Expected<DatabaseCheck> check_database(const std::string& path, const std::string& shown_as) {
  const std::string& name = shown_as.empty() ? path : shown_as;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error(Code::kNotFound, "no file at " + name);
  auto db = open_db(path, SQLITE_OPEN_READWRITE);
  if (!db) return db.error();
  if (auto s = exec(db->get(), "PRAGMA query_only=1", name + " is not an SQLite database"); !s)
    return s.error();
  auto version = column(db->get(), "PRAGMA user_version", name + " is not an SQLite database");
  if (!version) return version.error();
  DatabaseCheck out;
  out.schema_version = version->empty() ? 0 : std::stoll(version->front());
  out.known_version = static_cast<std::int64_t>(sqlite_migrations().size());
  if (out.schema_version <= 0)
    return make_error(Code::kInvalidArgument,
                      name + " is an SQLite database but not posfleet's (no schema version)");
  if (out.schema_version > out.known_version)
    return make_error(Code::kInvalidArgument,
                      name + " has schema " + std::to_string(out.schema_version) +
                          ", newer than this posfleetd knows (" +
                          std::to_string(out.known_version) + "); restore with a newer posfleetd");
  // The tables schema N has: the migrations up to N applied to an empty database.
  auto model = open_db(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!model) return model.error();
  for (std::int64_t v = 0; v < out.schema_version; ++v)
    if (auto s = exec(model->get(), sqlite_migrations()[static_cast<size_t>(v)],
                      "schema model, migration " + std::to_string(v + 1));
        !s)
      return s.error();
  auto want = column(model->get(), kTables, "schema model");
  auto have = column(db->get(), kTables,
                     name + " is damaged (its schema cannot be read) or not an SQLite database");
  if (!want) return want.error();
  if (!have) return have.error();
  std::vector<std::string> missing;
  std::set_difference(want->begin(), want->end(), have->begin(), have->end(),
                      std::back_inserter(missing));
  std::set_difference(have->begin(), have->end(), want->begin(), want->end(),
                      std::back_inserter(out.extra_tables));
  if (!missing.empty()) {
    std::string names;
    for (size_t i = 0; i < missing.size() && i < 5; ++i) names += (i ? ", " : "") + missing[i];
    return make_error(Code::kInvalidArgument, name + " is not a posfleet database of schema " +
                                                  std::to_string(out.schema_version) +
                                                  ": tables missing: " + names);
  }
  auto problems = column(db->get(), "PRAGMA integrity_check(5)", "integrity check of " + name);
  if (!problems)
    return make_error(
        Code::kInvalidArgument,
        name + " is damaged (SQLite: " + problems.error().message + "); use another backup");
  if (problems->size() != 1 || problems->front() != "ok") {
    std::string text;
    for (const auto& p : *problems) text += "\n  " + p;
    return make_error(Code::kInvalidArgument, name + " is damaged (SQLite integrity_check):" +
                                                  text + "\nuse another backup");
  }
  for (const auto& table : *have) {
    // Names come from sqlite_master of a file that passed the checks; quoted all the same.
    std::string quoted = "\"";
    for (char c : table) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    auto n =
        column(db->get(), ("SELECT count(*) FROM " + quoted + "\"").c_str(), "counting " + table);
    if (!n) return n.error();
    out.rows.emplace_back(table, n->empty() ? 0 : std::stoll(n->front()));
  }
  return out;
}

}  // namespace posfleet::store
