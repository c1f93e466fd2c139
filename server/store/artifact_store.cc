#include "server/store/artifact_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/fs.h"

namespace posfleet::store {

namespace {
Error io_error(const std::string& what, const std::string& path) {
  return make_error(Code::kIo, what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

ArtifactWriter::ArtifactWriter(std::string sha256, std::string tmp, std::string final_path, int fd)
    : sha256_(std::move(sha256)), tmp_(std::move(tmp)), final_(std::move(final_path)), fd_(fd) {}

ArtifactWriter::~ArtifactWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!tmp_.empty()) std::remove(tmp_.c_str());
}

Status ArtifactWriter::write(std::string_view chunk) {
  if (failed_ || fd_ < 0)
    return make_error(Code::kIo, "the upload of " + sha256_ + " already failed");
  s256_.update(chunk);
  s1_.update(chunk);
  m5_.update(chunk);
  size_ += chunk.size();
  while (!chunk.empty()) {
    ssize_t n = ::write(fd_, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failed_ = true;
      return io_error("cannot write the upload to", tmp_);
    }
    chunk.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

Status ArtifactStore::init() {
  if (auto s = make_dirs(root_ + "/tmp"); !s) return s;
  std::error_code ec;  // uploads a crash interrupted
  for (const auto& e : std::filesystem::directory_iterator(root_ + "/tmp", ec))
    std::filesystem::remove(e.path(), ec);
  return ok_status();
}

std::string ArtifactStore::relative_path_of(const std::string& sha256) {
  return sha256.substr(0, 2) + "/" + sha256;
}

std::string ArtifactStore::path_of(const std::string& sha256) const {
  return root_ + "/" + relative_path_of(sha256);
}

bool ArtifactStore::contains(const std::string& sha256) const {
  std::error_code ec;
  return std::filesystem::is_regular_file(path_of(sha256), ec);
}

Expected<std::unique_ptr<ArtifactWriter>> ArtifactStore::begin(const std::string& sha256) {
  if (!is_sha256_hex(sha256))
    return make_error(Code::kInvalidArgument, "artifact name must be its sha256 in lower-case hex");
  static std::atomic<unsigned> counter{0};
  const std::string tmp =
      root_ + "/tmp/" + sha256 + "." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", tmp);
  return std::unique_ptr<ArtifactWriter>(new ArtifactWriter(sha256, tmp, path_of(sha256), fd));
}

Expected<FileDigests> ArtifactStore::commit(ArtifactWriter& up) {
  if (up.failed_ || up.fd_ < 0)
    return make_error(Code::kIo, "the upload of " + up.sha256_ + " failed; send it again");
  FileDigests d{up.s256_.hex(), up.s1_.hex(), up.m5_.hex(), up.size_};
  if (d.sha256 != up.sha256_)
    return make_error(Code::kHashMismatch, "uploaded bytes hash to " + d.sha256 + ", not " +
                                               up.sha256_ +
                                               "; the upload was damaged, send it again");
  const int fd = std::exchange(up.fd_, -1);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return io_error("cannot sync", up.tmp_);
  const std::string dir = root_ + "/" + up.sha256_.substr(0, 2);
  if (auto s = make_dirs(dir); !s) return s.error();
  if (::rename(up.tmp_.c_str(), up.final_.c_str()) != 0)
    return io_error("cannot store artifact as", up.final_);
  up.tmp_.clear();
  if (auto s = fsync_dir(dir); !s) return s.error();
  return d;
}

Expected<FileDigests> ArtifactStore::put(const std::string& sha256, std::string_view bytes) {
  auto up = begin(sha256);
  if (!up) return up.error();
  if (auto s = (*up)->write(bytes); !s) return s.error();
  return commit(**up);
}

}  // namespace posfleet::store
