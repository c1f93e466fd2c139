// posfleet core: message digests (OpenSSL EVP).
//
// Digest is incremental: feed bytes with update(), read hex() once at the end.
// SHA-256 is what manifests pin; MD5 and SHA-1 exist only because hawkBit's DDI
// artifact records carry them and stock clients may read them.
// Thread-safety: one Digest per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet {

enum class DigestKind { kSha256, kSha1, kMd5 };

class Digest {
 public:
  explicit Digest(DigestKind kind = DigestKind::kSha256);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string hex();  // finishes the digest

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

std::string sha256_hex(std::string_view data);

struct FileDigests {
  std::string sha256, sha1, md5;
  std::uint64_t size = 0;
};
// Reads the file once and computes all three digests.
Expected<FileDigests> digest_file(const std::string& path);
// SHA-256 of the first `limit` bytes of a file (all if limit is UINT64_MAX).
Expected<std::string> sha256_file(const std::string& path, std::uint64_t limit = UINT64_MAX);

bool is_sha256_hex(std::string_view s);

}  // namespace posfleet
