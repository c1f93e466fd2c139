#include "server/ops/migrate.h"

#include <filesystem>
#include <iomanip>
#include <memory>

#include "server/domain/audit.h"
#include "server/domain/context.h"
#include "server/store/artifact_store.h"
#include "server/store/postgres/pg_migrate.h"
#include "server/store/postgres/pg_store.h"
#include "server/store/sqlite/backup.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::ops {

namespace {

namespace fs = std::filesystem;

int failed(std::ostream& err, const Error& e) {
  err << "posfleetd migrate: " << e.message << (e.context.empty() ? "" : " [" + e.context + "]")
      << "\n";
  return 1;
}

// The audit chain of `store` checked as the server checks it, against the anchor kept in
// `data_dir` (domain/audit.h).
Expected<domain::AuditVerification> verify(store::Store& store, const std::string& data_dir) {
  store::ArtifactStore no_artifacts(data_dir + "/artifacts");
  domain::Context ctx{store, no_artifacts, "DEFAULT", 60, data_dir};
  return domain::verify_audit(ctx);
}

}  // namespace

std::string redacted_url(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

int run_migrate(const MigrateOptions& o, std::ostream& out, std::ostream& err) {
  const std::string& dir = o.from_data_dir;
  const std::string db = dir + "/posfleet.db", to = redacted_url(o.to);
  std::error_code ec;
  if (!fs::is_regular_file(db, ec))
    return failed(err, make_error(Code::kNotFound,
                                  dir + " holds no posfleet.db: --from-data-dir names the "
                                        "--data-dir of the posfleetd that ran on SQLite; nothing "
                                        "was changed"));
  // A file that is not posfleet's is refused before anything writes to it.
  if (auto check = store::check_database(db); !check)
    return failed(err, check.error().with_context("nothing was changed"));
  auto lite = store::SqliteStore::open(db);  // brings an older schema up to date
  if (!lite)
    return failed(err, lite.error().with_context("opening " + db + "; nothing was copied"));
  auto source = verify(**lite, dir);
  if (!source) return failed(err, source.error().with_context("reading the SQLite audit log"));
  if (!source->check.ok)
    return failed(err, make_error(Code::kInvalidArgument,
                                  "the audit chain of " + db + " is broken at entry " +
                                      std::to_string(source->check.first_bad_id) + ": " +
                                      source->check.problem +
                                      "; nothing was copied. Restore a backup whose chain "
                                      "verifies (posfleetd restore checks it), then migrate"));
  auto pg = store::PgStore::open(o.to);
  if (!pg)
    return failed(err, pg.error().with_context(
                           "preparing " + to +
                           "; check the URL (postgresql://USER@HOST:PORT/DB) and that the "
                           "database exists (createdb)"));
  out << "moving " << db << " to " << to << std::endl;
  auto progress = [&](const std::string& table, std::int64_t copied, std::int64_t total) {
    if (copied == total)
      out << "  copied " << table << ": " << copied << " rows" << std::endl;
    else
      out << "  copying " << table << ": " << copied << " of " << total << " rows" << std::endl;
  };
  auto report = store::migrate_sqlite_to_postgres(db, o.to, progress);
  if (!report) return failed(err, report.error());
  if (!report->skipped.empty())
    for (const auto& t : report->skipped)
      out << "note: table " << t
          << " is not part of posfleet's schema (PostgreSQL has no such table); not copied\n";

  // Checked again from outside the copy, as a server will read it.
  auto target = verify(**pg, dir);
  if (!target) return failed(err, target.error().with_context("reading the PostgreSQL audit log"));
  if (!target->check.ok || target->check.entries != source->check.entries)
    return failed(err, make_error(Code::kIo,
                                  "the audit log in " + to + " does not verify: " +
                                      (target->check.ok
                                           ? std::to_string(target->check.entries) +
                                                 " entries where SQLite has " +
                                                 std::to_string(source->check.entries)
                                           : "entry " + std::to_string(target->check.first_bad_id) +
                                                 ": " + target->check.problem) +
                                      "; start no server on it: drop that database and migrate "
                                      "again into a new one"));
  std::int64_t rows = 0;
  size_t width = 5;
  for (const auto& t : report->tables) width = std::max(width, t.table.size());
  out << "  " << std::left << std::setw(static_cast<int>(width)) << "table" << std::right
      << std::setw(12) << "SQLite" << std::setw(12) << "PostgreSQL"
      << "\n";
  for (const auto& t : report->tables) {
    out << "  " << std::left << std::setw(static_cast<int>(width)) << t.table << std::right
        << std::setw(12) << t.source << std::setw(12) << t.target << "\n";
    rows += t.source;
  }
  for (const auto& t : report->tables)
    if (t.source != t.target)
      return failed(err, make_error(Code::kIo, "table " + t.table + " holds " +
                                                   std::to_string(t.target) + " rows in " + to +
                                                   " where SQLite has " + std::to_string(t.source) +
                                                   "; start no server on it: drop that database "
                                                   "and migrate again into a new one"));
  out << (report->already_migrated
              ? to + " already holds this data (as many rows in every table, the same newest "
                     "audit entry); nothing was changed\n"
              : "migrated " + std::to_string(report->tables.size()) + " tables, " +
                    std::to_string(rows) + " rows\n")
      << "audit chain intact: " << target->check.entries << " entries, newest "
      << report->audit_head_id << " " << report->audit_head_hash << "\n";
  if (auto notice = target->check.notice(); !notice.empty()) out << "note: " << notice << "\n";

  // What the database does not hold.
  std::string flags = "--database " + to;
  out << "the database does not hold these files; every posfleetd on " << to << " needs them:\n";
  if (fs::exists(dir + "/secret.key", ec)) {
    out << "  " << dir << "/secret.key: it unseals the personal data; copy it to each server "
        << "(mode 0600) and pass --secret-key FILE\n";
    flags += " --secret-key " + dir + "/secret.key";
  }
  if (fs::is_directory(dir + "/artifacts", ec)) {
    out << "  " << dir << "/artifacts/: the releases' files; put it where every server reads "
        << "it (rsync -a to shared storage) and pass --artifact-dir DIR\n";
    flags += " --artifact-dir " + dir + "/artifacts";
  }
  if (fs::exists(dir + "/device-ca.crt", ec)) {
    out << "  " << dir << "/device-ca.crt and device-ca.key: the device CA terminals' "
        << "certificates chain to; pass --device-ca-cert and --device-ca-key (else each server "
        << "makes a CA of its own and terminals' certificates stop working)\n";
    flags +=
        " --device-ca-cert " + dir + "/device-ca.crt --device-ca-key " + dir + "/device-ca.key";
  }
  if (fs::exists(dir + "/audit-head.json", ec))
    out << "  " << dir << "/audit-head.json: the audit anchor; copy it into the --data-dir of "
        << "the servers so that audit verify still notices entries cut off the end\n";
  out << "then start: posfleetd " << flags << " --data-dir DIR (keep " << dir
      << " until the PostgreSQL servers run; it is the way back)\n";
  return 0;
}

}  // namespace posfleet::ops
