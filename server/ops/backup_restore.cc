#include "server/ops/backup_restore.h"

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>

#include "core/audit_chain.h"
#include "core/fs.h"
#include "core/json.h"
#include "server/store/artifact_store.h"
#include "server/store/sqlite/backup.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::ops {

namespace {

namespace fs = std::filesystem;

int failed(std::ostream& err, const std::string& what, const Error& e) {
  err << "posfleetd " << what << ": " << e.message
      << (e.context.empty() ? "" : " [" + e.context + "]") << "\n";
  return 1;
}

std::string mib(std::int64_t bytes) {
  return std::to_string(bytes / (1024 * 1024)) + "." +
         std::to_string(bytes % (1024 * 1024) * 10 / (1024 * 1024)) + " MiB";
}

std::int64_t rows_of(const store::DatabaseCheck& c, const std::string& table) {
  for (const auto& [name, n] : c.rows)
    if (name == table) return n;
  return 0;
}

std::string summary(const store::DatabaseCheck& c) {
  std::string out;
  for (const char* t : {"terminals", "releases", "deployments", "users", "audit_log"})
    out += std::string(out.empty() ? "" : ", ") + t + " " + std::to_string(rows_of(c, t));
  return out;
}

// The whole audit log, read in pages.
Expected<std::vector<AuditEntry>> all_audit(store::Store& store) {
  std::vector<AuditEntry> entries;
  for (std::int64_t after = 0;;) {
    auto page = store.audit_entries(after, 5000);
    if (!page) return page.error();
    if (page->empty()) return entries;
    after = page->back().id;
    entries.insert(entries.end(), std::make_move_iterator(page->begin()),
                   std::make_move_iterator(page->end()));
  }
}

// What else the restored database needs from the old data directory.
struct Needs {
  bool sealed_data = false;
  std::int64_t artifacts = 0, missing_artifacts = 0;
};
Expected<Needs> needs_of(store::Store& store, const std::string& data_dir) {
  Needs n;
  auto applications = store.list_applications("", 0, 1, "");
  if (!applications) return applications.error();
  auto merchants = store.merchants_after(0, 1);
  if (!merchants) return merchants.error();
  n.sealed_data = !applications->empty() || !merchants->empty();
  auto releases = store.list_releases();
  if (!releases) return releases.error();
  store::ArtifactStore artifacts(data_dir + "/artifacts");
  std::set<std::string> seen;
  for (const auto& r : *releases)
    for (const auto& c : r.components)
      if (seen.insert(c.sha256).second) {
        ++n.artifacts;
        if (!artifacts.contains(c.sha256)) ++n.missing_artifacts;
      }
  return n;
}

}  // namespace

int run_backup(const BackupOptions& o, std::ostream& out, std::ostream& err) {
  const std::string from = o.data_dir + "/posfleet.db";
  std::error_code ec;
  if (fs::exists(o.to, ec) && !o.force)
    return failed(err, "backup",
                  make_error(Code::kConflict, o.to + " exists; choose a new file name, or pass "
                                                     "--force to replace it"));
  if (fs::is_directory(o.to, ec))
    return failed(err, "backup",
                  make_error(Code::kInvalidArgument, o.to + " is a directory; --to names a file"));
  const auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  auto progress = [&](std::int64_t copied, std::int64_t total) {
    // Long copies say how far they are, every second.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_report < std::chrono::seconds(1) || total == 0) return;
    last_report = now;
    err << "backup: " << copied * 100 / total << "% (" << copied << " of " << total << " pages)"
        << std::endl;
  };
  if (auto s = store::backup_database(from, o.to, progress); !s)
    return failed(err, "backup", s.error());
  // The copy is checked like a restore checks it: a backup that cannot be
  // restored is found now, not on the day it is needed.
  if (std::chrono::steady_clock::now() - start >= std::chrono::seconds(1))
    err << "backup: copied; checking the copy (SQLite integrity_check)" << std::endl;
  auto check = store::check_database(o.to);
  if (!check) {
    fs::remove(o.to, ec);
    return failed(err, "backup", check.error().with_context("the copy was removed"));
  }
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out << "backup written to " << o.to << ": "
      << mib(static_cast<std::int64_t>(fs::file_size(o.to, ec))) << ", schema "
      << check->schema_version << ", " << summary(*check) << " ("
      << static_cast<int>(seconds * 1000) << " ms)\n"
      << "  not in it, keep them too: " << o.data_dir << "/secret.key (store it apart from the "
      << "backup), the device CA key if there is one, and " << o.data_dir
      << "/artifacts/ (rsync -a)\n";
  return 0;
}

int run_restore(const RestoreOptions& o, std::ostream& out, std::ostream& err) {
  const std::string db = o.data_dir + "/posfleet.db", restoring = db + ".restoring";
  std::error_code ec;
  if ((fs::exists(db, ec) || fs::exists(db + "-wal", ec)) && !o.force)
    return failed(err, "restore",
                  make_error(Code::kConflict,
                             o.data_dir + " already holds a database (posfleet.db); restore into "
                                          "a new data directory, or pass --force to replace it"));
  if (!fs::is_regular_file(o.from, ec))
    return failed(err, "restore", make_error(Code::kNotFound, "no backup file at " + o.from));
  // A -wal beside it holds part of the database: a live server's file, or one
  // copied while in use, whose main file alone may be torn.
  if (fs::exists(o.from + "-wal", ec) && fs::file_size(o.from + "-wal", ec) > 0)
    return failed(err, "restore",
                  make_error(Code::kInvalidArgument,
                             o.from + " has a -wal beside it: it is in use or was copied while in "
                                      "use; make the file with posfleetd backup"));
  if (auto s = make_dirs(o.data_dir); !s) return failed(err, "restore", s.error());
  // Work on a copy beside the target: the backup file is never changed, and
  // the target is replaced only once everything checked out.
  fs::remove(restoring, ec);
  fs::remove(restoring + "-wal", ec);
  fs::remove(restoring + "-shm", ec);
  auto give_up = [&](const Error& e) {
    fs::remove(restoring, ec);
    fs::remove(restoring + "-wal", ec);
    fs::remove(restoring + "-shm", ec);
    return failed(err, "restore", e.with_context("nothing was changed in " + o.data_dir));
  };
  if (fs::file_size(o.from, ec) > (std::uintmax_t{64} << 20))
    err << "restore: copying and checking " << o.from
        << " (integrity_check, then the audit chain); a large file takes a while" << std::endl;
  if (!fs::copy_file(o.from, restoring, fs::copy_options::overwrite_existing, ec))
    return give_up(make_error(Code::kIo, "cannot copy " + o.from + ": " + ec.message()));
  fs::permissions(restoring, fs::perms::owner_read | fs::perms::owner_write, ec);
  auto check = store::check_database(restoring, o.from);
  if (!check) return give_up(check.error());
  for (const auto& t : check->extra_tables)
    out << "note: the backup has a table this posfleetd does not know: " << t << " (kept)\n";
  AuditEntry last;
  ChainCheck chain;
  Needs needs;
  {
    auto store = store::SqliteStore::open(restoring);  // brings an older schema up to date
    if (!store) return give_up(store.error());
    auto entries = all_audit(**store);
    if (!entries) return give_up(entries.error());
    chain = verify_chain(*entries);
    if (!chain.ok)
      return give_up(
          make_error(Code::kInvalidArgument, "the backup's audit chain is broken at entry " +
                                                 std::to_string(chain.first_bad_id) + ": " +
                                                 chain.problem + "; use another backup"));
    if (!entries->empty()) last = entries->back();
    auto n = needs_of(**store, o.data_dir);
    if (!n) return give_up(n.error());
    needs = *n;
  }  // closed: its -wal is folded into the file before it moves
  if (auto s = store::make_standalone(restoring); !s) return give_up(s.error());
  if (o.force)
    for (const auto& f : {db, db + "-wal", db + "-shm"}) fs::remove(f, ec);
  fs::rename(restoring, db, ec);
  if (ec)
    return give_up(make_error(Code::kIo, "cannot move the database in place: " + ec.message()));
  if (auto s = fsync_dir(o.data_dir); !s) return failed(err, "restore", s.error());
  // The anchor outside the database now names the restored chain's end.
  if (auto s = write_file_atomic(
          o.data_dir + "/audit-head.json",
          json::serialize(boost::json::object{{"id", last.id}, {"hash", last.hash}}));
      !s)
    return failed(err, "restore", s.error());
  out << "restored " << o.from << " into " << db << ": schema " << check->schema_version
      << (check->schema_version < check->known_version
              ? " (brought up to " + std::to_string(check->known_version) + ")"
              : "")
      << ", " << summary(*check) << "\n"
      << "audit chain verified: " << chain.entries << " entries, head " << last.id << " "
      << last.hash << "\n";
  if (auto notice = chain.notice(); !notice.empty()) out << "note: " << notice << "\n";
  const bool has_key = fs::exists(o.data_dir + "/secret.key", ec);
  if (needs.sealed_data && !has_key)
    out << "TO DO: copy secret.key from where you keep it into " << o.data_dir
        << "/: the database holds sealed personal data, and posfleetd will not start without "
           "it\n";
  else if (!has_key)
    out << "note: no secret.key in " << o.data_dir
        << "; posfleetd makes a new one (nothing sealed needs the old one)\n";
  if (needs.missing_artifacts > 0)
    out << "TO DO: " << needs.missing_artifacts << " of the " << needs.artifacts
        << " artifacts the releases need are not in " << o.data_dir
        << "/artifacts/: copy that folder from the old server or its backup (rsync -a)\n";
  out << "if terminals use device certificates, restore the device CA's key and certificate "
         "too; then start posfleetd --data-dir "
      << o.data_dir << "\n";
  return 0;
}

}  // namespace posfleet::ops
