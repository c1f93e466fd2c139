// Fuzz target: a delta patch as a terminal applies it (core/delta/patch.h). The input is a
// patch, applied to a fixed 4 KiB source; it must be refused or make exactly the header's
// target length, hashed as written, never reading outside the source or writing past the
// target. And a round trip: the input taken as a target, a patch made from the source to it
// applies back to it byte for byte.
#include <cstdint>
#include <string>

#include "core/delta/patch.h"
#include "core/hashing.h"
#include "fuzz/fuzz_support.h"

using namespace posfleet;

namespace {
const std::string& source() {
  static const std::string s = [] {
    std::string out(4096, '\0');
    std::uint32_t x = 2463534242u;
    for (auto& c : out) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      c = static_cast<char>(x % 7 == 0 ? 0 : x & 0xff);  // some zeros, as in code
    }
    return out;
  }();
  return s;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::init_quietly();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  const std::string_view input = fuzz::as_text(data, size);
  // A terminal passes the signed target length; a patch claiming a larger one than a fuzz run
  // can afford is left at its header.
  delta::StringReader header_of(input);
  if (auto h = delta::read_header(header_of); h && h->target_length <= (1u << 20)) {
    delta::StringReader from(source()), patch(input);
    std::string out;
    auto applied = delta::apply_patch(from, patch, [&](std::string_view piece) -> Status {
      FUZZ_CHECK(piece.size() <= 64 * 1024, "pieces of at most 64 KiB");
      out.append(piece);
      FUZZ_CHECK(out.size() <= h->target_length, "never past the header's length");
      return ok_status();
    });
    if (applied) {
      FUZZ_CHECK(applied->length == h->target_length, "the header's length");
      FUZZ_CHECK(out.size() == applied->length, "every byte passed to the sink");
      FUZZ_CHECK(applied->sha256 == sha256_hex(out), "the hash of what was written");
    }
  }
  if (size <= 16384) {
    auto made = delta::make_patch(source(), input, {.level = 3});
    FUZZ_CHECK(bool(made), "a patch to any target");
    delta::StringReader from(source()), patch(*made);
    std::string out;
    auto back = delta::apply_patch(from, patch, [&](std::string_view piece) -> Status {
      out.append(piece);
      return ok_status();
    });
    FUZZ_CHECK(back && out == input, "the patch gives the target back");
  }
  return 0;
}
