// posfleet server: the `posfleetd backup` and `posfleetd restore` commands
// (docs/operations.md, "Backup and restore").
//
// A backup is the database alone, one file (store/sqlite/backup.h: a
// consistent copy while the server runs). What it does not hold, kept apart on
// purpose: secret.key (it unseals the personal data in the database: a stolen
// backup without it reveals none), the device CA's key, and the artifacts
// folder (content-addressed, large: copy it with rsync). restore says which
// of them the restored database needs and the target lacks.
//
// restore checks the file (a posfleet database of a known schema, SQLite
// integrity_check) and then the audit chain from its first entry, before it
// puts the database in place; the audit anchor (audit-head.json) is set to the
// restored chain's last entry.
// Thread-safety: run from main(), one at a time.
#pragma once

#include <ostream>
#include <string>

namespace posfleet::ops {

struct BackupOptions {
  std::string data_dir;
  std::string to;
  bool force = false;  // replace an existing `to`
};
// 0 when the backup is written; else says why on `err` and returns 1.
int run_backup(const BackupOptions& options, std::ostream& out, std::ostream& err);

struct RestoreOptions {
  std::string from;
  std::string data_dir;  // the caller holds its lock (no posfleetd runs on it)
  bool force = false;    // replace a database already in data_dir
};
int run_restore(const RestoreOptions& options, std::ostream& out, std::ostream& err);

}  // namespace posfleet::ops
