// posfleet server: artifacts on disk, content-addressed by SHA-256.
//
// A file lives at <root>/<first two hex digits>/<sha256>. An upload streams
// into a temporary file under <root>/tmp while its digests are computed; it is
// synced and renamed into place only when its SHA-256 matches the name the
// uploader claimed, so a stored file is always whole and no upload is ever held
// in memory. Temporary files left by a crash are removed by init().
// Thread-safety: the store is stateless; one ArtifactWriter per upload, used by
// one thread at a time. Concurrent uploads of the same content are safe (the
// last rename wins with identical bytes).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/hashing.h"
#include "core/result.h"

namespace posfleet::store {

// One upload in progress. Dropping it before commit() deletes what was written.
class ArtifactWriter {
 public:
  ~ArtifactWriter();
  ArtifactWriter(const ArtifactWriter&) = delete;
  ArtifactWriter& operator=(const ArtifactWriter&) = delete;
  Status write(std::string_view chunk);
  const std::string& sha256() const { return sha256_; }

 private:
  friend class ArtifactStore;
  ArtifactWriter(std::string sha256, std::string tmp, std::string final_path, int fd);
  std::string sha256_, tmp_, final_;
  int fd_;
  Digest s256_{DigestKind::kSha256}, s1_{DigestKind::kSha1}, m5_{DigestKind::kMd5};
  std::uint64_t size_ = 0;
  bool failed_ = false;
};

class ArtifactStore {
 public:
  explicit ArtifactStore(std::string root) : root_(std::move(root)) {}
  Status init();
  // Starts an upload of the artifact named `sha256` (lower-case hex).
  Expected<std::unique_ptr<ArtifactWriter>> begin(const std::string& sha256);
  // Syncs the upload and moves it into place if its bytes hash to its name.
  Expected<FileDigests> commit(ArtifactWriter& upload);
  // begin + write + commit, for bytes already in memory (tests, small files).
  Expected<FileDigests> put(const std::string& sha256, std::string_view bytes);
  std::string path_of(const std::string& sha256) const;
  // Its path inside the folder ("ab/ab12…"): what a web server serving the folder answers at
  // (posfleetd --artifact-base-url).
  static std::string relative_path_of(const std::string& sha256);
  bool contains(const std::string& sha256) const;

 private:
  std::string root_;
};

}  // namespace posfleet::store
