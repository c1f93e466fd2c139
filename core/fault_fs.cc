#include "core/fault_fs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace posfleet {

namespace sfs = std::filesystem;

namespace {

std::string norm(const std::string& path) {
  std::string s = sfs::absolute(sfs::path(path)).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string parent_of(const std::string& path) { return sfs::path(path).parent_path().string(); }

bool stat_of(const std::string& path, struct stat& st) { return ::lstat(path.c_str(), &st) == 0; }

}  // namespace

// Tells the filesystem what was appended and synced through it.
class FaultFile final : public WritableFile {
 public:
  FaultFile(FaultInjectingFs& fs, std::unique_ptr<WritableFile> f, ino_t ino, std::uint64_t pos)
      : fs_(fs), f_(std::move(f)), ino_(ino), pos_(pos) {}
  Status append(std::string_view data) override {
    auto s = f_->append(data);
    if (s) {
      fs_.appended(ino_, pos_, data.size());
      pos_ += data.size();
    }
    return s;
  }
  Status sync() override {
    auto s = f_->sync();
    if (s) fs_.synced(ino_, pos_);
    return s;
  }

 private:
  FaultInjectingFs& fs_;
  std::unique_ptr<WritableFile> f_;
  ino_t ino_;
  std::uint64_t pos_;
};

FaultInjectingFs::FaultInjectingFs(std::string root, Fs& base, std::uint64_t seed)
    : root_(norm(root)), base_(base), rng_(seed) {
  std::error_code ec;
  std::lock_guard lock(mu_);
  record_dir(root_);
  for (sfs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (!stat_of(it->path().string(), st)) continue;
    if (S_ISDIR(st.st_mode)) record_dir(it->path().string());
    if (S_ISREG(st.st_mode)) synced_size_[st.st_ino] = static_cast<std::uint64_t>(st.st_size);
  }
}

void FaultInjectingFs::record_dir(const std::string& dir) {
  Entries e;
  std::error_code ec;
  for (sfs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (stat_of(it->path().string(), st)) e[it->path().filename().string()] = st.st_ino;
  }
  durable_dirs_[norm(dir)] = std::move(e);
}

void FaultInjectingFs::save_if_durable(const std::string& path) {
  const std::string p = norm(path);
  if (saved_.count(p) || gone_.count(p)) return;  // the content on disk is already kept
  auto d = durable_dirs_.find(parent_of(p));
  if (d == durable_dirs_.end()) return;
  auto e = d->second.find(sfs::path(p).filename().string());
  struct stat st {};
  if (e == d->second.end() || !stat_of(p, st) || st.st_ino != e->second) return;
  gone_.insert(p);
  if (!S_ISREG(st.st_mode)) return;
  auto text = base_.read(p);
  if (!text) return;
  const auto s = synced_size_.find(st.st_ino);
  text->resize(std::min<std::uint64_t>(text->size(), s == synced_size_.end() ? 0 : s->second));
  saved_[p] = std::move(*text);
}

void FaultInjectingFs::appended(ino_t ino, std::uint64_t from, std::uint64_t len) {
  std::lock_guard lock(mu_);
  last_append_ = {ino, from, len};
}

void FaultInjectingFs::synced(ino_t ino, std::uint64_t size) {
  std::lock_guard lock(mu_);
  synced_size_[ino] = size;
}

Expected<std::unique_ptr<WritableFile>> FaultInjectingFs::open_append(const std::string& path,
                                                                      bool truncate, int mode) {
  struct stat before {};
  const bool existed = stat_of(path, before);
  auto f = base_.open_append(path, truncate, mode);
  if (!f) return f.error();
  struct stat st {};
  if (!stat_of(path, st)) return make_error(Code::kIo, "cannot stat " + path);
  {
    std::lock_guard lock(mu_);
    // A new file has nothing on disk yet (the inode number may be reused);
    // an emptied one may have lost its old data.
    if (!existed || truncate) synced_size_[st.st_ino] = 0;
  }
  return std::unique_ptr<WritableFile>(std::make_unique<FaultFile>(
      *this, std::move(*f), st.st_ino, static_cast<std::uint64_t>(st.st_size)));
}

Status FaultInjectingFs::sync_file(const std::string& path) {
  if (auto s = base_.sync_file(path); !s) return s;
  struct stat st {};
  if (stat_of(path, st)) synced(st.st_ino, static_cast<std::uint64_t>(st.st_size));
  return ok_status();
}

Status FaultInjectingFs::rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  save_if_durable(to);
  save_if_durable(from);
  if (auto s = base_.rename(from, to); !s) return s;
  // A folder keeps its synced entries under its new name (they belong to its inode).
  const std::string f = norm(from), t = norm(to);
  std::map<std::string, Entries> moved;
  for (auto it = durable_dirs_.begin(); it != durable_dirs_.end();) {
    if (it->first == f || it->first.rfind(f + "/", 0) == 0) {
      moved[t + it->first.substr(f.size())] = std::move(it->second);
      it = durable_dirs_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [dir, entries] : moved) durable_dirs_[dir] = std::move(entries);
  return ok_status();
}

Status FaultInjectingFs::remove(const std::string& path) {
  std::lock_guard lock(mu_);
  save_if_durable(path);
  // Their inode numbers will be handed out again: forget what was synced.
  std::error_code ec;
  struct stat st {};
  if (stat_of(path, st)) synced_size_.erase(st.st_ino);
  for (sfs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    if (stat_of(it->path().string(), st)) synced_size_.erase(st.st_ino);
  return base_.remove(path);
}

Status FaultInjectingFs::sync_dir(const std::string& dir) {
  if (auto s = base_.sync_dir(dir); !s) return s;
  std::lock_guard lock(mu_);
  const std::string d = norm(dir);
  record_dir(d);
  for (auto it = saved_.begin(); it != saved_.end();)
    it = parent_of(it->first) == d ? saved_.erase(it) : std::next(it);
  for (auto it = gone_.begin(); it != gone_.end();)
    it = parent_of(*it) == d ? gone_.erase(it) : std::next(it);
  return ok_status();
}

void FaultInjectingFs::cut_dir(const std::string& dir, bool tear, std::vector<std::string>& lost) {
  const auto found = durable_dirs_.find(dir);
  const Entries durable = found == durable_dirs_.end() ? Entries{} : found->second;
  std::error_code ec;
  std::vector<std::string> names;
  for (sfs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    struct stat st {};
    if (!stat_of(path, st)) continue;
    auto e = durable.find(name);
    if (e == durable.end() || e->second != st.st_ino || gone_.count(path)) {
      sfs::remove_all(path, ec);
      lost.push_back("entry not synced in its folder: " + path);
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      cut_dir(path, tear, lost);
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    const auto s = synced_size_.find(st.st_ino);
    const std::uint64_t keep = s == synced_size_.end() ? 0 : s->second;
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size <= keep) continue;
    if (tear) {
      // The file's length reached the disk, a random part of its unsynced
      // tail did not: zeros from there on.
      const std::uint64_t from = std::uniform_int_distribution<std::uint64_t>(keep, size - 1)(rng_);
      if (auto f = base_.open_append(path + ".tear", true, 0644); f) {
        auto text = base_.read(path);
        if (text) {
          text->replace(from, size - from, size - from, '\0');
          if ((*f)->append(*text)) ::rename((path + ".tear").c_str(), path.c_str());
        }
      }
      sfs::remove(path + ".tear", ec);
      lost.push_back("unsynced tail torn: " + path + " bytes " + std::to_string(from) + ".." +
                     std::to_string(size) + " zeroed");
    } else {
      ::truncate(path.c_str(), static_cast<off_t>(keep));
      lost.push_back("unsynced data dropped: " + path + " cut from " + std::to_string(size) +
                     " to " + std::to_string(keep) + " bytes");
    }
  }
  // Synced names renamed over or removed since: their old content comes back.
  for (const auto& [name, ino] : durable) {
    const std::string path = dir + "/" + name;
    auto s = saved_.find(path);
    if (s == saved_.end()) continue;
    sfs::remove_all(path, ec);
    if (auto f = base_.open_append(path, true, 0644); f && (*f)->append(s->second))
      lost.push_back("rename or removal not synced, old content back: " + path);
  }
}

std::vector<std::string> FaultInjectingFs::power_cut(bool tear) {
  std::lock_guard lock(mu_);
  std::vector<std::string> lost;
  cut_dir(root_, tear, lost);
  std::error_code ec;
  sfs::remove_all(root_ + "/run", ec);
  return lost;
}

}  // namespace posfleet
