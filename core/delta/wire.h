// The bytes of a patch's header and control entries (docs/formats/delta.md), shared by the
// maker and the applier. Every integer is 8 bytes little-endian; a seek is two's complement.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "core/delta/patch.h"

namespace posfleet::delta {

// One control entry: move in the source by `seek`, then write `copy` bytes each the sum of a
// source byte and a diff-stream byte, then `add` bytes from the extra stream.
struct ControlEntry {
  std::int64_t seek = 0;
  std::uint64_t copy = 0;
  std::uint64_t add = 0;
};
inline constexpr std::size_t kControlEntrySize = 24;

inline void put_u64(char* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline std::uint64_t get_u64(const char* in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return v;
}

inline void encode_entry(const ControlEntry& e, char* out) {
  put_u64(out, static_cast<std::uint64_t>(e.seek));
  put_u64(out + 8, e.copy);
  put_u64(out + 16, e.add);
}
inline ControlEntry decode_entry(const char* in) {
  return ControlEntry{static_cast<std::int64_t>(get_u64(in)), get_u64(in + 8), get_u64(in + 16)};
}

inline std::string encode_header(const PatchHeader& h) {
  std::string out(kHeaderSize, '\0');
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  put_u64(out.data() + 8, h.source_length);
  put_u64(out.data() + 16, h.target_length);
  put_u64(out.data() + 24, h.control_size);
  put_u64(out.data() + 32, h.diff_size);
  put_u64(out.data() + 40, h.extra_size);
  return out;
}

}  // namespace posfleet::delta
