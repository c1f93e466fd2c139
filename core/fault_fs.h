// posfleet core: a filesystem that loses what was not synced, for power-cut
// tests (LevelDB's fault_injection_test.cc is the model).
//
// FaultInjectingFs does every operation on the real disk through a base Fs
// and remembers, for everything under `root`, what a power cut would keep:
// each file's data up to its last sync, and each folder's entries (name →
// file) as of its last sync_dir. What was there when it was made counts as on
// disk. power_cut() then makes the disk look as after a real cut:
//   - a file's data past its last sync is dropped (cut back to the synced
//     length; with `tear`, the last unsynced append keeps a random part of
//     its bytes instead, as a sector that reached the disk half-way);
//   - a name created or renamed into a folder since that folder's last sync
//     is gone (a folder with all it holds);
//   - a synced name that was renamed over or removed since comes back with
//     the content it had (a rename not followed by a sync_dir is undone);
//   - <root>/run/ is emptied: it stands for the RAM-backed /run.
// Files written by others (the HTTP client's downloads) are seen the same
// way: their data counts as synced only once sync_file() was called.
// Folders removed since the last sync of their parent do not come back (the
// agent never relies on a removed folder).
// Thread-safety: every method locks one mutex.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "core/fs.h"

namespace posfleet {

class FaultInjectingFs final : public Fs {
 public:
  FaultInjectingFs(std::string root, Fs& base, std::uint64_t seed = 1);
  // Called at every crash point (Fs::point), outside the lock.
  void on_point(std::function<void(std::string_view)> f) { on_point_ = std::move(f); }
  // Makes the disk under root look as after a power cut just now (see above).
  // Returns a line per loss, for the test's log.
  std::vector<std::string> power_cut(bool tear);

  Expected<std::unique_ptr<WritableFile>> open_append(const std::string& path, bool truncate,
                                                      int mode = 0644) override;
  Status sync_file(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status remove(const std::string& path) override;
  Status sync_dir(const std::string& dir) override;
  Status make_dirs(const std::string& path) override { return base_.make_dirs(path); }
  Expected<std::string> read(const std::string& path) override { return base_.read(path); }
  Expected<std::vector<std::string>> list(const std::string& dir) override {
    return base_.list(dir);
  }
  bool exists(const std::string& path) override { return base_.exists(path); }
  Expected<std::uint64_t> size(const std::string& path) override { return base_.size(path); }
  void point(std::string_view name) override {
    if (on_point_) on_point_(name);
  }

 private:
  friend class FaultFile;
  using Entries = std::map<std::string, ino_t>;   // name → inode, as a sync_dir left it
  void record_dir(const std::string& dir);        // with mu_ held
  void save_if_durable(const std::string& path);  // with mu_ held; marks it gone
  void appended(ino_t ino, std::uint64_t from, std::uint64_t len);
  void synced(ino_t ino, std::uint64_t size);
  void cut_dir(const std::string& dir, bool tear, std::vector<std::string>& lost);

  std::string root_;
  Fs& base_;
  std::mutex mu_;
  std::map<std::string, Entries> durable_dirs_;  // folder → its synced entries
  std::map<ino_t, std::uint64_t> synced_size_;   // file → bytes on disk
  std::map<std::string, std::string> saved_;     // synced name → content, if renamed over
  std::set<std::string> gone_;  // synced names removed or renamed over since (inodes get reused)
  struct Append {
    ino_t ino = 0;
    std::uint64_t from = 0, len = 0;
  } last_append_;
  std::mt19937_64 rng_;
  std::function<void(std::string_view)> on_point_;
};

}  // namespace posfleet
