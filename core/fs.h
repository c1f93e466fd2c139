// posfleet core: the filesystem seam and small durable files.
//
// Fs is the one door the agent's file I/O goes through (LevelDB's Env is the
// model): open for append, append, sync, rename, remove, sync a folder, read,
// list. PosixFs is the real one; tests and the power-cut harness put
// FaultInjectingFs (core/fault_fs.h) in its place, which remembers what was
// synced and, at a simulated power cut, throws away everything that was not.
//
// Fs::write_atomic() is how every piece of persisted state is written: the
// bytes go to a temporary file in the same directory, which is fsync'ed,
// renamed over the target, and the directory is fsync'ed, so after a power cut
// the file holds either the old or the new content, never a mix (LevelDB's
// SetCurrentFile does the same). Each of those four moments is a crash point
// (Fs::point) that the fault-injecting filesystem can cut power at.
//
// The free functions below use default_fs(), the process's filesystem.
// Thread-safety: PosixFs is safe for concurrent use (concurrent writers of one
// path: the last rename wins). set_default_fs() is for start-up, before any
// other thread runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace posfleet {

// A file open for appending. Destroying it closes it without syncing.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status append(std::string_view data) = 0;
  // Data appended so far reaches the disk (fsync). A new file's name does
  // not: that needs Fs::sync_dir of its folder.
  virtual Status sync() = 0;
};

class Fs {
 public:
  virtual ~Fs() = default;
  // Opens `path` for appending, creating it (mode) if missing; `truncate`
  // empties it first.
  virtual Expected<std::unique_ptr<WritableFile>> open_append(const std::string& path,
                                                              bool truncate, int mode = 0644) = 0;
  // fsync of a file written by someone else (the HTTP client's downloads).
  virtual Status sync_file(const std::string& path) = 0;
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // Removes a file or a whole folder; a missing one is not an error.
  virtual Status remove(const std::string& path) = 0;
  // Makes the folder's entries (creates, renames, removes) survive a power cut.
  virtual Status sync_dir(const std::string& dir) = 0;
  // Creates the folder and its missing parents (their entries are not synced).
  virtual Status make_dirs(const std::string& path) = 0;
  virtual Expected<std::string> read(const std::string& path) = 0;
  // Names in a folder, sorted; kNotFound if it does not exist.
  virtual Expected<std::vector<std::string>> list(const std::string& dir) = 0;
  virtual bool exists(const std::string& path) = 0;
  // Size of a file; kNotFound if missing.
  virtual Expected<std::uint64_t> size(const std::string& path) = 0;
  // A named moment in a multi-step write, for crash injection; a no-op here.
  virtual void point(std::string_view /*name*/) {}

  // temp + write + fsync + rename + fsync(dir), crash points between each:
  // "<name>:written", "<name>:synced", "<name>:renamed" (name: the target's
  // file name).
  Status write_atomic(const std::string& path, std::string_view data, int mode = 0644);
};

// The real filesystem.
class PosixFs final : public Fs {
 public:
  Expected<std::unique_ptr<WritableFile>> open_append(const std::string& path, bool truncate,
                                                      int mode = 0644) override;
  Status sync_file(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status remove(const std::string& path) override;
  Status sync_dir(const std::string& dir) override;
  Status make_dirs(const std::string& path) override;
  Expected<std::string> read(const std::string& path) override;
  Expected<std::vector<std::string>> list(const std::string& dir) override;
  bool exists(const std::string& path) override;
  Expected<std::uint64_t> size(const std::string& path) override;
};

// The process's filesystem: a PosixFs unless set_default_fs() replaced it
// (the agent does when a power-cut test asks for it). `fs` must outlive its use.
Fs& default_fs();
void set_default_fs(Fs* fs);

Status write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);
Expected<std::string> read_file(const std::string& path);
Status make_dirs(const std::string& path);
Status fsync_dir(const std::string& dir);

}  // namespace posfleet
