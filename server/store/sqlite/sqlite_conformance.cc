// The SQLite backend in the store conformance suite (server/store/conformance).
#include "server/store/conformance/fixture.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/store/sqlite/testing/fail_writes.h"

namespace posfleet::store::conformance {
namespace {

class SqliteHarness final : public Harness {
 public:
  SqliteHarness(std::unique_ptr<SqliteStore> store, std::string path)
      : store_(std::move(store)), path_(std::move(path)) {}
  Store& store() override { return *store_; }
  Status fail_commits_writing(const std::string& table) override {
    return testing::fail_commits_writing_to(path_, table);
  }

 private:
  std::unique_ptr<SqliteStore> store_;
  std::string path_;
};

Backend sqlite_backend() {
  return {"sqlite", [](const std::string& dir) -> Expected<std::unique_ptr<Harness>> {
            const std::string path = dir + "/posfleet.db";
            auto s = SqliteStore::open(path);
            if (!s) return s.error();
            return std::unique_ptr<Harness>(std::make_unique<SqliteHarness>(std::move(*s), path));
          }};
}

}  // namespace

POSFLEET_STORE_CONFORMANCE(Sqlite, sqlite_backend());

}  // namespace posfleet::store::conformance
