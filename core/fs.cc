#include "core/fs.h"

#include <fcntl.h>
#include <unistd.h>

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
}  // namespace

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return io_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("cannot sync directory", dir);
  return ok_status();
}

Status write_file_atomic(const std::string& path, std::string_view data, int mode) {
  std::filesystem::path p(path);
  std::string dir = p.parent_path().empty() ? "." : p.parent_path().string();
  // A unique temporary name, so that two writers of one file never rename
  // each other's half-written temporary away; the last rename wins whole.
  static std::atomic<unsigned> counter{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return io_error("cannot create", tmp);
  const char* ptr = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, ptr, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto e = io_error("cannot write", tmp);
      ::close(fd);
      return e;
    }
    ptr += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto e = io_error("cannot sync", tmp);
    ::close(fd);
    return e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return io_error("cannot rename onto", path);
  return fsync_dir(dir);
}

Expected<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return make_error(Code::kNotFound, "no such file: " + path);
    return io_error("cannot open", path);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return make_error(Code::kIo, "cannot create directory " + path + ": " + ec.message());
  return ok_status();
}

}  // namespace posfleet
