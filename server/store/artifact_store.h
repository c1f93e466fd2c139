// posfleet server: artifacts on disk, content-addressed by SHA-256.
//
// A file lives at <root>/<first two hex digits>/<sha256>. Uploads are written
// to a temporary name, hashed, and renamed into place only when the digest
// matches the name the uploader claimed, so a stored file is always whole.
// Thread-safety: concurrent puts of the same content are safe (last rename wins
// with identical bytes).
#pragma once

#include <string>
#include <string_view>

#include "core/hashing.h"
#include "core/result.h"

namespace posfleet::store {

class ArtifactStore {
 public:
  explicit ArtifactStore(std::string root) : root_(std::move(root)) {}
  Status init();
  // Stores `bytes` under `sha256` after checking that they hash to it.
  Expected<FileDigests> put(const std::string& sha256, std::string_view bytes);
  std::string path_of(const std::string& sha256) const;
  bool contains(const std::string& sha256) const;

 private:
  std::string root_;
};

}  // namespace posfleet::store
