#include "server/store/artifact_store.h"

#include <atomic>
#include <cstdio>
#include <filesystem>

#include "core/fs.h"

namespace posfleet::store {

Status ArtifactStore::init() { return make_dirs(root_); }

std::string ArtifactStore::path_of(const std::string& sha256) const {
  return root_ + "/" + sha256.substr(0, 2) + "/" + sha256;
}

bool ArtifactStore::contains(const std::string& sha256) const {
  std::error_code ec;
  return std::filesystem::is_regular_file(path_of(sha256), ec);
}

Expected<FileDigests> ArtifactStore::put(const std::string& sha256, std::string_view bytes) {
  if (!is_sha256_hex(sha256)) return make_error(Code::kInvalidArgument, "artifact name must be its sha256 in lower-case hex");
  static std::atomic<unsigned> counter{0};
  const std::string final_path = path_of(sha256);
  if (auto s = make_dirs(root_ + "/" + sha256.substr(0, 2)); !s) return s.error();
  const std::string tmp = final_path + ".upload" + std::to_string(counter++);
  if (auto s = write_file_atomic(tmp, bytes); !s) return s.error();
  auto d = digest_file(tmp);
  if (!d || d->sha256 != sha256) {
    std::remove(tmp.c_str());
    if (!d) return d.error();
    return make_error(Code::kHashMismatch, "uploaded bytes hash to " + d->sha256 + ", not " + sha256 +
                                               "; the upload was damaged, send it again");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) return make_error(Code::kIo, "cannot store artifact: " + ec.message());
  return d;
}

}  // namespace posfleet::store
