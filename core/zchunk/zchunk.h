// zchunk files (docs/formats/zchunk.md): an image cut into content-defined chunks, each
// compressed on its own, with a header listing every chunk's SHA-256 (of its compressed and
// its uncompressed bytes). A client that holds an older image indexes it the same way and
// fetches only the chunks it lacks, by HTTP Range, from one file for every older version:
// Debian 12 swupdate's `delta` handler does exactly that with the header packed in its .swu.
// Built on libzck (zchunk 1.2). Used by the release manager's CLI and the benchmark.
// Thread-safety: stateless functions; each call owns its libzck contexts.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace posfleet::zchunk {

// What a .zck holds, read from its lead and header.
struct Info {
  std::uint64_t header_length = 0;  // lead + header: what a .swu carries for swupdate
  std::uint64_t length = 0;         // the whole file
  std::uint64_t chunks = 0;
};

// Writes the .zck of `image` to `out` (temp + rename): chunked as swupdate's delta handler
// chunks the image it already has, zstd, SHA-256 chunk digests, uncompressed digests in the
// header (`zck -u -h sha256`), and the header alone beside it at `out + ".header"`.
Expected<Info> make(const std::string& image, const std::string& out);

// Checks that `path` is a whole, intact .zck that swupdate's delta handler can use: SHA-256
// chunk digests with uncompressed ones, every chunk's data matching its digest.
Expected<Info> check(const std::string& path);

// What a client holding `source` fetches of the .zck at `path`: the chunks it lacks (by their
// uncompressed digests, as swupdate matches them) and their compressed bytes, the header
// included; and the HTTP range requests of at most `max_ranges` ranges each that takes.
// As swupdate, it indexes the source without closing its last chunk, so a file's last chunk
// is fetched even when the source is the same file.
struct Fetch {
  std::uint64_t chunks = 0, missing_chunks = 0;
  std::uint64_t bytes = 0;     // header + missing chunks, as fetched
  std::uint64_t requests = 0;  // range requests after the header
};
Expected<Fetch> plan_fetch(const std::string& source, const std::string& path, int max_ranges);

}  // namespace posfleet::zchunk
