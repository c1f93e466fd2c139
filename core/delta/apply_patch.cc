// Applying a patch in bounded memory (docs/formats/delta.md): the control, diff and extra
// streams are each decoded on demand by a zstd stream decoder whose window is capped, the
// source is read at random through a fixed buffer, and the target leaves through `write` in
// pieces. Nothing is trusted before it is checked: every length against what is left of the
// target and the source, every stream's end against the end of the target.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "core/delta/patch.h"
#include "core/delta/wire.h"
#include "core/hashing.h"

namespace posfleet::delta {

Status StringReader::read_at(std::uint64_t offset, char* out, std::size_t n) {
  if (offset > bytes_.size() || n > bytes_.size() - offset)
    return make_error(Code::kIo, "read past the end");
  std::memcpy(out, bytes_.data() + offset, n);
  return ok_status();
}

Expected<std::unique_ptr<FileReader>> FileReader::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(Code::kIo, "open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(Code::kIo, path + " is not a regular file");
  }
  return std::unique_ptr<FileReader>(
      new FileReader(fd, static_cast<std::uint64_t>(st.st_size), path));
}

FileReader::~FileReader() { ::close(fd_); }

Status FileReader::read_at(std::uint64_t offset, char* out, std::size_t n) {
  while (n > 0) {
    const ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return make_error(Code::kIo, "read " + path_ + ": " + std::strerror(errno));
    if (got == 0) return make_error(Code::kIo, "read " + path_ + ": the file ends early");
    out += got;
    n -= static_cast<std::size_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
  return ok_status();
}

Expected<PatchHeader> read_header(RandomReader& patch) {
  if (patch.size() < kHeaderSize)
    return make_error(Code::kParse, "delta patch: shorter than its " + std::to_string(kHeaderSize) +
                                        "-byte header");
  char buf[kHeaderSize];
  if (auto s = patch.read_at(0, buf, sizeof buf); !s) return s.error();
  if (std::memcmp(buf, kMagic.data(), kMagic.size()) != 0)
    return make_error(Code::kParse, "delta patch: not a posfleet delta (wrong magic)");
  PatchHeader h;
  h.source_length = get_u64(buf + 8);
  h.target_length = get_u64(buf + 16);
  h.control_size = get_u64(buf + 24);
  h.diff_size = get_u64(buf + 32);
  h.extra_size = get_u64(buf + 40);
  const std::uint64_t body = patch.size() - kHeaderSize;
  if (h.control_size > body || h.diff_size > body - h.control_size ||
      h.extra_size != body - h.control_size - h.diff_size)
    return make_error(Code::kParse,
                      "delta patch: its streams' sizes do not add up to its length (" +
                          std::to_string(patch.size()) + " bytes)");
  return h;
}

namespace {

constexpr std::size_t kPiece = 64 * 1024;

// One of the patch's three streams: compressed bytes [begin, end) of the patch, decoded as
// asked. Exactly one zstd frame, which must end exactly where the stream does.
class Stream {
 public:
  Stream(const char* name, RandomReader& patch, std::uint64_t begin, std::uint64_t end)
      : name_(name), patch_(patch), next_(begin), end_(end) {}

  Status open() {
    ctx_.reset(ZSTD_createDCtx());
    if (!ctx_) return make_error(Code::kInternal, "zstd: out of memory");
    if (ZSTD_isError(ZSTD_DCtx_setParameter(ctx_.get(), ZSTD_d_windowLogMax, kMaxWindowLog)))
      return make_error(Code::kInternal, "zstd: cannot cap the window");
    in_buf_.resize(std::min<std::size_t>(ZSTD_DStreamInSize(), kPiece));
    out_buf_.resize(ZSTD_DStreamOutSize());
    return ok_status();
  }

  // Exactly n decoded bytes into out.
  Status read(char* out, std::size_t n) {
    while (n > 0) {
      if (out_pos_ == out_len_) {
        if (auto s = decode_more(); !s) return s;
        if (out_len_ == 0) return fault("ends before the target is complete");
      }
      const std::size_t k = std::min(n, out_len_ - out_pos_);
      std::memcpy(out, out_buf_.data() + out_pos_, k);
      out_pos_ += k;
      out += k;
      n -= k;
    }
    return ok_status();
  }

  // The stream has no byte left: its frame ended with the last byte read, and no compressed
  // byte follows it.
  Status finish() {
    if (out_pos_ != out_len_) return fault("holds bytes the target does not use");
    if (!frame_done_) {
      if (auto s = decode_more(); !s) return s;
      if (out_len_ != 0) return fault("holds bytes the target does not use");
      if (!frame_done_) return fault("is cut off");
    }
    if (in_.pos != in_.size || next_ != end_) return fault("has bytes after its frame");
    return ok_status();
  }

 private:
  Error fault(const std::string& what) const {
    return make_error(Code::kParse, std::string("delta patch: the ") + name_ + " stream " + what);
  }

  // Decodes until some output appears, the frame ends, or the input runs out.
  Status decode_more() {
    out_pos_ = out_len_ = 0;
    if (frame_done_) return ok_status();
    while (true) {
      if (in_.pos == in_.size && next_ < end_) {
        const std::size_t k =
            static_cast<std::size_t>(std::min<std::uint64_t>(in_buf_.size(), end_ - next_));
        if (auto s = patch_.read_at(next_, in_buf_.data(), k); !s) return s;
        next_ += k;
        in_ = ZSTD_inBuffer{in_buf_.data(), k, 0};
      }
      ZSTD_outBuffer out{out_buf_.data(), out_buf_.size(), 0};
      const std::size_t before = in_.pos;
      const std::size_t r = ZSTD_decompressStream(ctx_.get(), &out, &in_);
      if (ZSTD_isError(r)) return fault(std::string("is corrupt (") + ZSTD_getErrorName(r) + ")");
      out_len_ = out.pos;
      if (r == 0) {
        frame_done_ = true;
        return ok_status();
      }
      if (out_len_ > 0) return ok_status();
      // No output and no input taken: either there is none left, or zstd is stuck on it.
      if (in_.pos == before && !(in_.pos == in_.size && next_ < end_))
        return fault(in_.pos == in_.size ? "is cut off" : "is corrupt");
    }
  }

  const char* name_;
  RandomReader& patch_;
  std::uint64_t next_, end_;
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx_{nullptr, ZSTD_freeDCtx};
  std::vector<char> in_buf_, out_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  std::size_t out_pos_ = 0, out_len_ = 0;
  bool frame_done_ = false;
};

Error bad_entry(std::uint64_t index, const std::string& what) {
  return make_error(Code::kParse,
                    "delta patch: control entry " + std::to_string(index) + " " + what);
}

}  // namespace

Expected<Applied> apply_patch(RandomReader& source, RandomReader& patch, const Sink& write,
                              std::optional<std::uint64_t> target_length) {
  auto header = read_header(patch);
  if (!header) return header.error();
  const PatchHeader& h = *header;
  if (source.size() != h.source_length)
    return make_error(Code::kLengthMismatch,
                      "delta patch: made from a source of " + std::to_string(h.source_length) +
                          " bytes, given one of " + std::to_string(source.size()));
  if (target_length && *target_length != h.target_length)
    return make_error(Code::kLengthMismatch,
                      "delta patch: makes a file of " + std::to_string(h.target_length) +
                          " bytes, not the " + std::to_string(*target_length) + " expected");
  const std::uint64_t at_diff = kHeaderSize + h.control_size;
  const std::uint64_t at_extra = at_diff + h.diff_size;
  Stream control("control", patch, kHeaderSize, at_diff);
  Stream diff("diff", patch, at_diff, at_extra);
  Stream extra("extra", patch, at_extra, patch.size());
  for (Stream* s : {&control, &diff, &extra})
    if (auto o = s->open(); !o) return o.error();

  std::vector<char> piece(kPiece), from_source(kPiece);
  Digest sha;
  std::uint64_t written = 0, pos = 0, index = 0;
  auto emit = [&](std::size_t n) -> Status {
    sha.update(piece.data(), n);
    written += n;
    return write(std::string_view(piece.data(), n));
  };
  while (written < h.target_length) {
    char raw[kControlEntrySize];
    if (auto s = control.read(raw, sizeof raw); !s) return s.error();
    const ControlEntry e = decode_entry(raw);
    const std::uint64_t left = h.target_length - written;
    if (e.copy == 0 && e.add == 0) return bad_entry(index, "writes nothing");
    if (e.copy > left || e.add > left - e.copy)
      return bad_entry(index, "writes past the end of the target");
    const bool back = e.seek < 0;
    const std::uint64_t dist = back ? std::uint64_t{0} - static_cast<std::uint64_t>(e.seek)
                                    : static_cast<std::uint64_t>(e.seek);
    if (back ? dist > pos : dist > h.source_length - pos)
      return bad_entry(index, "moves outside the source");
    pos = back ? pos - dist : pos + dist;
    if (e.copy > h.source_length - pos) return bad_entry(index, "reads past the end of the source");
    for (std::uint64_t done = 0; done < e.copy;) {
      const std::size_t k =
          static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, e.copy - done));
      if (auto s = source.read_at(pos + done, from_source.data(), k); !s) return s.error();
      if (auto s = diff.read(piece.data(), k); !s) return s.error();
      for (std::size_t i = 0; i < k; ++i)
        piece[i] = static_cast<char>(static_cast<unsigned char>(piece[i]) +
                                     static_cast<unsigned char>(from_source[i]));
      if (auto s = emit(k); !s) return s.error();
      done += k;
    }
    pos += e.copy;
    for (std::uint64_t done = 0; done < e.add;) {
      const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, e.add - done));
      if (auto s = extra.read(piece.data(), k); !s) return s.error();
      if (auto s = emit(k); !s) return s.error();
      done += k;
    }
    ++index;
  }
  for (Stream* s : {&control, &diff, &extra})
    if (auto f = s->finish(); !f) return f.error();
  return Applied{written, sha.hex()};
}

}  // namespace posfleet::delta
