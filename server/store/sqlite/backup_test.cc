// The SQLite copy and check behind `posfleetd backup` / `restore`: a copy taken
// while another connection writes is one committed moment, and the check
// refuses what is not a whole posfleet database of a known schema.
#include "server/store/sqlite/backup.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/testing/temp_dir.h"
#include "server/store/sqlite/migrations.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::store {
namespace {

TerminalRecord terminal(const std::string& serial) {
  return {0, "DEFAULT", serial, "A920", "h-" + serial, "", "{}", 1, 0, "", 0, 0, "", ""};
}

std::int64_t rows(const DatabaseCheck& c, const std::string& table) {
  for (const auto& [name, n] : c.rows)
    if (name == table) return n;
  return -1;
}

void run_sql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::open(dir_.file("posfleet.db"));
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
  }
  posfleet::testing::TempDir dir_{"posfleet_backup"};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(BackupTest, CopiesOneCommittedMomentWhileAnotherConnectionWrites) {
  for (int i = 0; i < 2000; ++i)
    ASSERT_TRUE(store_->insert_terminal(terminal("PRE" + std::to_string(i))));
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      // Two rows per transaction: a torn copy would hold an odd number of them.
      auto st = store_->transact([&](Tx& tx) -> Status {
        for (const char* half : {"A", "B"})
          if (auto id = tx.insert_terminal(terminal("W" + std::to_string(i) + half)); !id)
            return id.error();
        return ok_status();
      });
      if (!st) {
        ADD_FAILURE() << st.error().to_string();
        return;
      }
      ++written;
    }
  });
  while (written < 10) std::this_thread::yield();
  std::int64_t last_total = 0, pages_reported = 0;
  const std::string to = dir_.file("copy.db");
  auto st =
      backup_database(dir_.file("posfleet.db"), to, [&](std::int64_t copied, std::int64_t total) {
        EXPECT_LE(copied, total);
        last_total = total;
        pages_reported = copied;
      });
  const int written_after = written;
  stop = true;
  writer.join();
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_GT(last_total, 0);
  EXPECT_EQ(pages_reported, last_total);
  EXPECT_FALSE(std::filesystem::exists(to + ".partial"));
  EXPECT_FALSE(std::filesystem::exists(to + "-wal"));  // one self-contained file
  EXPECT_EQ(std::filesystem::status(to).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  auto check = check_database(to);
  ASSERT_TRUE(check) << check.error().to_string();
  EXPECT_EQ(check->schema_version, static_cast<std::int64_t>(sqlite_migrations().size()));
  EXPECT_TRUE(check->extra_tables.empty());
  const auto n = rows(*check, "terminals") - 2000;
  EXPECT_GE(n, 2 * 10);
  EXPECT_LE(n, 2 * written_after);
  EXPECT_EQ(n % 2, 0) << "a transaction was copied in part";
}

TEST_F(BackupTest, ReplacesTheTargetOnlyWhenComplete) {
  const std::string to = dir_.file("copy.db");
  { std::ofstream(to) << "old"; }
  auto st = backup_database(dir_.file("nothing-here.db"), to);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kNotFound);
  std::ifstream in(to);
  std::string old;
  in >> old;
  EXPECT_EQ(old, "old");
}

TEST_F(BackupTest, CheckRefusesWhatIsNotAWholePosfleetDatabase) {
  const std::string junk = dir_.file("junk.db");
  { std::ofstream(junk) << std::string(4096, 'x'); }
  auto c = check_database(junk, "the file");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("the file is not an SQLite database"), std::string::npos)
      << c.error().message;

  const std::string other = dir_.file("other.db");
  run_sql(other, "CREATE TABLE notes (text TEXT)");
  c = check_database(other);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("not posfleet's"), std::string::npos) << c.error().message;

  const std::string to = dir_.file("copy.db");
  ASSERT_TRUE(backup_database(dir_.file("posfleet.db"), to));
  const auto known = sqlite_migrations().size();
  const std::string newer = dir_.file("newer.db");
  std::filesystem::copy_file(to, newer);
  run_sql(newer, ("PRAGMA user_version=" + std::to_string(known + 1)).c_str());
  c = check_database(newer);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("newer than this posfleetd knows"), std::string::npos)
      << c.error().message;

  const std::string missing = dir_.file("missing.db");
  std::filesystem::copy_file(to, missing);
  run_sql(missing, "PRAGMA foreign_keys=OFF; DROP TABLE ticket_notes");
  c = check_database(missing);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("tables missing: ticket_notes"), std::string::npos)
      << c.error().message;

  const std::string extra = dir_.file("extra.db");
  std::filesystem::copy_file(to, extra);
  run_sql(extra, "CREATE TABLE later_feature (x INTEGER)");
  c = check_database(extra);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->extra_tables, std::vector<std::string>{"later_feature"});
}

TEST_F(BackupTest, CheckFindsADamagedFile) {
  for (int i = 0; i < 500; ++i)
    ASSERT_TRUE(store_->insert_terminal(terminal("PF" + std::to_string(i))));
  const std::string to = dir_.file("copy.db");
  ASSERT_TRUE(backup_database(dir_.file("posfleet.db"), to));
  // Overwrite the middle of the file (past the schema page) with garbage.
  const auto size = std::filesystem::file_size(to);
  {
    std::fstream f(to, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    const std::string garbage(8192, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto c = check_database(to);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("damaged"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace posfleet::store
