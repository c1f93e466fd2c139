// zchunk files through libzck (zchunk.h).
#include "core/zchunk/zchunk.h"

#include <fcntl.h>
#include <unistd.h>
extern "C" {  // zck.h declares C functions without saying so
#include <zck.h>
}

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "core/fs.h"

namespace posfleet::zchunk {

namespace {

struct ZckFree {
  void operator()(zckCtx* z) const { zck_free(&z); }
};
using Zck = std::unique_ptr<zckCtx, ZckFree>;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Zck new_context() {
  zck_set_log_level(ZCK_LOG_NONE);  // every failure is returned with zck_get_error
  return Zck(zck_create());
}

Error zck_failure(zckCtx* z, const std::string& what) {
  const char* e = z ? zck_get_error(z) : nullptr;
  return make_error(Code::kInvalidArgument, what + ": " + (e && *e ? e : "libzck failed"));
}

// A string libzck allocated for the caller.
std::string take(char* s) {
  std::string out = s ? s : "";
  std::free(s);
  return out;
}

Error io_error(const std::string& what, const std::string& path) {
  return make_error(Code::kIo, what + " " + path + ": " + std::strerror(errno));
}

// Feeds the file at fd into a zchunk context being written.
Status write_all(zckCtx* z, int fd, const std::string& path) {
  std::vector<char> buf(1 << 16);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) return io_error("cannot read", path);
    if (n == 0) return ok_status();
    if (zck_write(z, buf.data(), static_cast<std::size_t>(n)) != n)
      return zck_failure(z, "cannot chunk " + path);
  }
}

// A .zck's header read from fd, checked for what swupdate's delta handler needs.
Expected<Info> read_header(zckCtx* z, int fd, const std::string& path) {
  if (!zck_init_read(z, fd)) return zck_failure(z, path + " is not a zchunk file");
  if (zck_get_chunk_hash_type(z) != ZCK_HASH_SHA256)
    return make_error(Code::kInvalidArgument,
                      path + ": its chunk digests are " +
                          zck_hash_name_from_type(zck_get_chunk_hash_type(z)) +
                          ", not SHA-256; make it with `zck -u -h sha256` or `posfleet release "
                          "zchunk`");
  zckChunk* first = zck_get_first_chunk(z);
  if (!first || take(zck_get_chunk_digest_uncompressed(first)).empty())
    return make_error(Code::kInvalidArgument,
                      path +
                          " lists no uncompressed chunk digests, which swupdate matches "
                          "on; make it with `zck -u -h sha256` or `posfleet release zchunk`");
  Info info;
  info.header_length = static_cast<std::uint64_t>(zck_get_header_length(z));
  info.length = static_cast<std::uint64_t>(zck_get_length(z));
  info.chunks = static_cast<std::uint64_t>(zck_get_chunk_count(z));
  return info;
}

}  // namespace

Expected<Info> check(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) return io_error("cannot open", path);
  auto z = new_context();
  auto info = read_header(z.get(), fd.fd, path);
  if (!info) return info.error();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size != info->length)
    return make_error(Code::kInvalidArgument,
                      path + " is not whole: its header says " + std::to_string(info->length) +
                          " bytes, the file has " + std::to_string(ec ? 0 : size));
  if (zck_validate_checksums(z.get()) != 1)
    return make_error(Code::kHashMismatch,
                      path + ": a chunk's data does not match its digest; make it again");
  return info;
}

Expected<Info> make(const std::string& image, const std::string& out) {
  Fd in(::open(image.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) return io_error("cannot open", image);
  const std::string tmp = out + ".tmp";
  {
    Fd dst(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (dst.fd < 0) return io_error("cannot create", tmp);
    auto z = new_context();
    if (!z || !zck_init_write(z.get(), dst.fd) ||
        !zck_set_ioption(z.get(), ZCK_HASH_CHUNK_TYPE, ZCK_HASH_SHA256) ||
        !zck_set_ioption(z.get(), ZCK_UNCOMP_HEADER, 1))
      return zck_failure(z.get(), "cannot start " + tmp);
    if (auto s = write_all(z.get(), in.fd, image); !s) return s.error();
    if (!zck_close(z.get())) return zck_failure(z.get(), "cannot finish " + tmp);
    if (::fsync(dst.fd) != 0) return io_error("cannot sync", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, out, ec);
  if (ec) return make_error(Code::kIo, "cannot rename " + tmp + ": " + ec.message());
  auto info = check(out);
  if (!info) return info.error();
  std::string header(info->header_length, '\0');
  Fd zck(::open(out.c_str(), O_RDONLY | O_CLOEXEC));
  if (zck.fd < 0 ||
      ::pread(zck.fd, header.data(), header.size(), 0) != static_cast<ssize_t>(header.size()))
    return io_error("cannot read the header of", out);
  if (auto s = write_file_atomic(out + ".header", header); !s) return s.error();
  return info;
}

Expected<Fetch> plan_fetch(const std::string& source, const std::string& path, int max_ranges) {
  if (max_ranges < 1) return make_error(Code::kInvalidArgument, "max_ranges must be at least 1");
  Fd target_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (target_fd.fd < 0) return io_error("cannot open", path);
  auto target = new_context();
  auto info = read_header(target.get(), target_fd.fd, path);
  if (!info) return info.error();
  // The source indexed as swupdate's delta handler indexes the running image.
  Fd src(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (src.fd < 0) return io_error("cannot open", source);
  Fd sink(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  auto index = new_context();
  if (!index || !zck_init_write(index.get(), sink.fd) ||
      !zck_set_ioption(index.get(), ZCK_UNCOMP_HEADER, 1) ||
      !zck_set_ioption(index.get(), ZCK_COMP_TYPE, ZCK_COMP_NONE) ||
      !zck_set_ioption(index.get(), ZCK_HASH_CHUNK_TYPE, ZCK_HASH_SHA256))
    return zck_failure(index.get(), "cannot index " + source);
  if (auto s = write_all(index.get(), src.fd, source); !s) return s.error();
  if (!zck_generate_hashdb(index.get()) || !zck_find_matching_chunks(index.get(), target.get()))
    return zck_failure(index.get(), "cannot match " + source + " against " + path);
  // Matched as swupdate matches (its last chunk still open); ending it now only lets zck_free
  // release the open chunk's entry, which it otherwise leaks.
  if (zck_end_chunk(index.get()) < 0) return zck_failure(index.get(), "cannot index " + source);
  Fetch f;
  f.bytes = info->header_length;
  std::uint64_t ranges = 0;
  bool in_range = false;
  for (zckChunk* c = zck_get_first_chunk(target.get()); c; c = zck_get_next_chunk(c)) {
    if (zck_get_chunk_comp_size(c) <= 0) continue;  // the empty dictionary chunk
    ++f.chunks;
    const bool have = zck_get_chunk_valid(c) == 1;
    if (!have) {
      ++f.missing_chunks;
      f.bytes += static_cast<std::uint64_t>(zck_get_chunk_comp_size(c));
      if (!in_range) ++ranges;
    }
    in_range = !have;
  }
  f.requests = (ranges + static_cast<std::uint64_t>(max_ranges) - 1) /
               static_cast<std::uint64_t>(max_ranges);
  return f;
}

}  // namespace posfleet::zchunk
