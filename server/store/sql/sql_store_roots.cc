// posfleet server: the SQLite backend's roots area (store/roots_store.h).
// Thread-safety: as SqliteStore.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {
constexpr const char* kRootCols = "SELECT version, text, published_at, published_by FROM roots ";
RootRecord read_root(Stmt& s) { return RootRecord{s.i64(0), s.str(1), s.i64(2), s.str(3)}; }
}  // namespace

Status SqlStore::insert_root(const RootRecord& r) {
  POSFLEET_CONN(c);
  auto s =
      c.prepare("INSERT INTO roots (version, text, published_at, published_by) VALUES (?,?,?,?)");
  s.bind_all(r.version, r.text, r.published_at, r.published_by);
  if (s.step() != kDone) return c.error("root " + std::to_string(r.version));
  return ok_status();
}

Expected<std::optional<RootRecord>> SqlStore::latest_root() {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kRootCols) + "ORDER BY version DESC LIMIT 1";
  auto s = c.prepare(sql.c_str());
  const int rc = s.step();
  if (rc == kDone) return std::optional<RootRecord>{};
  if (rc != kRow) return c.error("latest root");
  return std::optional<RootRecord>{read_root(s)};
}

Expected<RootRecord> SqlStore::root_by_version(std::int64_t version) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kRootCols) + "WHERE version = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(version);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "no root version " + std::to_string(version));
  if (rc != kRow) return c.error("root");
  return read_root(s);
}

}  // namespace posfleet::store
