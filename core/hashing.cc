#include "core/hashing.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace posfleet {

struct Digest::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

namespace {

// Each algorithm fetched from OpenSSL's provider once, for the process: an EVP_sha256() handed
// to EVP_DigestInit_ex is looked up again on every call, under a lock the threads share, and
// every terminal's poll hashes its token.
const EVP_MD* algorithm(DigestKind kind) {
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static const EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  const EVP_MD* fetched = kind == DigestKind::kSha256 ? sha256
                          : kind == DigestKind::kSha1 ? sha1
                                                      : md5;
  if (fetched) return fetched;
  return kind == DigestKind::kSha256 ? EVP_sha256()
         : kind == DigestKind::kSha1 ? EVP_sha1()
                                     : EVP_md5();
}

std::string to_hex(const unsigned char* bytes, unsigned len) {
  static const char* kHex = "0123456789abcdef";
  std::string s(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    s[2 * i] = kHex[bytes[i] >> 4];
    s[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return s;
}

}  // namespace

Digest::Digest(DigestKind kind) : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx_->md, algorithm(kind), nullptr);
}

Digest::~Digest() = default;

void Digest::update(const void* data, size_t len) { EVP_DigestUpdate(ctx_->md, data, len); }

std::string Digest::hex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, out, &len);
  return to_hex(out, len);
}

std::string sha256_hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, algorithm(DigestKind::kSha256), nullptr);
  return to_hex(out, len);
}

Expected<FileDigests> digest_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Code::kIo, "cannot open " + path + ": " + std::strerror(errno));
  Digest s256(DigestKind::kSha256), s1(DigestKind::kSha1), m5(DigestKind::kMd5);
  std::vector<char> buf(1 << 16);
  FileDigests r;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    s256.update(buf.data(), n);
    s1.update(buf.data(), n);
    m5.update(buf.data(), n);
    r.size += n;
  }
  if (in.bad()) return make_error(Code::kIo, "read error on " + path);
  r.sha256 = s256.hex();
  r.sha1 = s1.hex();
  r.md5 = m5.hex();
  return r;
}

Expected<std::string> sha256_file(const std::string& path, std::uint64_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Code::kIo, "cannot open " + path + ": " + std::strerror(errno));
  Digest d;
  std::vector<char> buf(1 << 16);
  std::uint64_t left = limit;
  while (in && left > 0) {
    auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(buf.size(), left));
    in.read(buf.data(), want);
    auto n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    d.update(buf.data(), n);
    left -= n;
  }
  if (in.bad()) return make_error(Code::kIo, "read error on " + path);
  return d.hex();
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace posfleet
