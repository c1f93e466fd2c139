#include "core/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace posfleet {

namespace {

Error io_error(const std::string& what, const std::string& path) {
  return make_error(Code::kIo, what + " " + path + ": " + std::strerror(errno));
}

class PosixFile final : public WritableFile {
 public:
  PosixFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFile() override { ::close(fd_); }
  Status append(std::string_view data) override {
    const char* ptr = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, ptr, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_error("cannot write", path_);
      ptr += n;
      left -= static_cast<size_t>(n);
    }
    return ok_status();
  }
  Status sync() override {
    if (::fsync(fd_) != 0) return io_error("cannot sync", path_);
    return ok_status();
  }

 private:
  std::string path_;
  int fd_;
};

std::string dir_of(const std::string& path) {
  std::filesystem::path p(path);
  return p.parent_path().empty() ? "." : p.parent_path().string();
}

std::string name_of(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

PosixFs g_posix;
Fs* g_default = &g_posix;

}  // namespace

Expected<std::unique_ptr<WritableFile>> PosixFs::open_append(const std::string& path, bool truncate,
                                                             int mode) {
  int fd = ::open(path.c_str(),
                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), mode);
  if (fd < 0) return io_error("cannot open", path);
  return std::unique_ptr<WritableFile>(std::make_unique<PosixFile>(path, fd));
}

namespace {

// fsync of a file or folder by name.
Status sync_path(const std::string& path, int flags, const char* what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  if (fd < 0) return io_error(std::string("cannot open ") + what, path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error(std::string("cannot sync ") + what, path);
  return ok_status();
}

}  // namespace

Status PosixFs::sync_file(const std::string& path) { return sync_path(path, 0, "file"); }

Status PosixFs::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return io_error("cannot rename onto", to);
  return ok_status();
}

Status PosixFs::remove(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return make_error(Code::kIo, "cannot remove " + path + ": " + ec.message());
  return ok_status();
}

Status PosixFs::sync_dir(const std::string& dir) {
  return sync_path(dir, O_DIRECTORY, "directory");
}

Status PosixFs::make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return make_error(Code::kIo, "cannot create directory " + path + ": " + ec.message());
  return ok_status();
}

Expected<std::string> PosixFs::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return make_error(Code::kNotFound, "no such file: " + path);
    return io_error("cannot open", path);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Expected<std::vector<std::string>> PosixFs::list(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  if (ec)
    return make_error(ec == std::errc::no_such_file_or_directory ? Code::kNotFound : Code::kIo,
                      "cannot list " + dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

bool PosixFs::exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Expected<std::uint64_t> PosixFs::size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return errno == ENOENT ? make_error(Code::kNotFound, "no such file: " + path)
                           : io_error("cannot stat", path);
  return static_cast<std::uint64_t>(st.st_size);
}

Status Fs::write_atomic(const std::string& path, std::string_view data, int mode) {
  const std::string dir = dir_of(path), name = name_of(path);
  // A unique temporary name, so that two writers of one file never rename
  // each other's half-written temporary away; the last rename wins whole.
  static std::atomic<unsigned> counter{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  {
    auto f = open_append(tmp, /*truncate=*/true, mode);
    if (!f) return f.error();
    if (auto s = (*f)->append(data); !s) return s;
    point(name + ":written");
    if (auto s = (*f)->sync(); !s) return s;
  }
  point(name + ":synced");
  if (auto s = rename(tmp, path); !s) return s;
  point(name + ":renamed");
  return sync_dir(dir);
}

Fs& default_fs() { return *g_default; }
void set_default_fs(Fs* fs) { g_default = fs ? fs : &g_posix; }

Status write_file_atomic(const std::string& path, std::string_view data, int mode) {
  return default_fs().write_atomic(path, data, mode);
}
Expected<std::string> read_file(const std::string& path) { return default_fs().read(path); }
Status make_dirs(const std::string& path) { return default_fs().make_dirs(path); }
Status fsync_dir(const std::string& dir) { return default_fs().sync_dir(dir); }

}  // namespace posfleet
