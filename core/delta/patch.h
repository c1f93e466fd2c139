// posfleet core: delta patches (docs/formats/delta.md).
//
// A patch turns one exact source file (the component a terminal runs now) into one exact
// target file (the component of the new release). It is made offline by the release manager
// (make_patch: bsdiff-class matching on a suffix array, libdivsufsort, the three streams
// compressed with zstd) and applied on the terminal (apply_patch), which reads the source at
// random from its active slot and writes the target front to back into the inactive slot.
//
// apply_patch's memory does not depend on the sizes of source, target or patch: each of the
// three zstd streams is decoded with a window of at most kMaxWindowLog (a patch that asks for
// more is refused), and the source and the output pass through fixed buffers. It checks every
// length before it acts on it, refuses a patch that reads outside the source, writes more or
// less than its header says, or carries a byte it does not use, and hashes the target as it
// writes it: the caller compares that SHA-256 with the signed one before it trusts a byte.
// Thread-safety: plain functions; a reader is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

namespace posfleet::delta {

inline constexpr std::string_view kMagic{"PFDELTA\x01", 8};
inline constexpr std::size_t kHeaderSize = 48;
// zstd window of each stream: 2 MiB, so three streams hold at most 6 MiB however large the
// image is.
inline constexpr int kMaxWindowLog = 21;

struct PatchHeader {
  std::uint64_t source_length = 0;
  std::uint64_t target_length = 0;
  std::uint64_t control_size = 0;  // compressed bytes of each stream, in this order
  std::uint64_t diff_size = 0;
  std::uint64_t extra_size = 0;
};

// Reads bytes at an offset: a file (FileReader) or memory (StringReader).
class RandomReader {
 public:
  virtual ~RandomReader() = default;
  virtual std::uint64_t size() const = 0;
  // Reads exactly n bytes at offset into out; kIo when the file ends first or fails.
  virtual Status read_at(std::uint64_t offset, char* out, std::size_t n) = 0;
};

class StringReader final : public RandomReader {
 public:
  explicit StringReader(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Status read_at(std::uint64_t offset, char* out, std::size_t n) override;

 private:
  std::string_view bytes_;
};

class FileReader final : public RandomReader {
 public:
  static Expected<std::unique_ptr<FileReader>> open(const std::string& path);
  ~FileReader() override;
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;
  std::uint64_t size() const override { return size_; }
  Status read_at(std::uint64_t offset, char* out, std::size_t n) override;

 private:
  FileReader(int fd, std::uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_;
  std::uint64_t size_;
  std::string path_;
};

// Parses and checks the fixed header against the patch's length. kParse naming what is wrong.
Expected<PatchHeader> read_header(RandomReader& patch);

struct MakeOptions {
  int level = 19;  // zstd level of the three streams
};

struct PatchStats {
  std::uint64_t control_entries = 0;
  std::uint64_t copied = 0;  // target bytes made from the source (plus a difference)
  std::uint64_t added = 0;   // target bytes carried in the patch as they are
};

// The patch from source to target, whole, in memory (offline: it holds source, target and a
// suffix array of 4 bytes a source byte). kInvalidArgument for a source of 2 GiB or more.
Expected<std::string> make_patch(std::string_view source, std::string_view target,
                                 const MakeOptions& options = {}, PatchStats* stats = nullptr);

struct Applied {
  std::uint64_t length = 0;
  std::string sha256;  // of the bytes written, lower-case hex
};

// Writes the target to `write` front to back, in pieces of at most 64 KiB. The source must be
// exactly the header's source length, and the target the length the caller expects, when it
// says (the signed one): else kLengthMismatch before a byte is written. Errors: kParse (a patch
// that breaks the format: the message names the first fault), kIo (a read of the source or
// patch failed), or whatever `write` returned, as it was. A failed apply may have written part
// of the target.
using Sink = std::function<Status(std::string_view)>;
Expected<Applied> apply_patch(RandomReader& source, RandomReader& patch, const Sink& write,
                              std::optional<std::uint64_t> target_length = std::nullopt);

}  // namespace posfleet::delta
