// posfleet-delta-tool: one patch made or applied with core/delta, for bench/delta/run.sh.
//
//   posfleet-delta-tool make SOURCE TARGET PATCH   the patch, whole in memory (as the CLI does)
//   posfleet-delta-tool apply SOURCE PATCH OUT     the target, streamed (as a terminal does):
//                                                  prints its length and SHA-256
//   posfleet-delta-tool zchunk SOURCE TARGET ZCK   TARGET's .zck (as `posfleet release zchunk`)
//                                                  and what a client holding SOURCE fetches of
//                                                  it, as swupdate's delta handler does
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "core/delta/patch.h"
#include "core/fs.h"
#include "core/zchunk/zchunk.h"

namespace {

using namespace posfleet;

int fail(const std::string& what) {
  std::fprintf(stderr, "posfleet-delta-tool: %s\n", what.c_str());
  return 1;
}

int make(const char* source_path, const char* target_path, const char* patch_path) {
  auto source = read_file(source_path);
  if (!source) return fail(source.error().to_string());
  auto target = read_file(target_path);
  if (!target) return fail(target.error().to_string());
  delta::PatchStats stats;
  auto patch = delta::make_patch(*source, *target, {}, &stats);
  if (!patch) return fail(patch.error().to_string());
  if (auto s = write_file_atomic(patch_path, *patch); !s) return fail(s.error().to_string());
  std::printf("patch %zu bytes, %llu entries, %llu copied, %llu added\n", patch->size(),
              static_cast<unsigned long long>(stats.control_entries),
              static_cast<unsigned long long>(stats.copied),
              static_cast<unsigned long long>(stats.added));
  return 0;
}

int apply(const char* source_path, const char* patch_path, const char* out_path) {
  auto source = delta::FileReader::open(source_path);
  if (!source) return fail(source.error().to_string());
  auto patch = delta::FileReader::open(patch_path);
  if (!patch) return fail(patch.error().to_string());
  const int fd = ::open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(std::string("open ") + out_path + ": " + std::strerror(errno));
  auto applied = delta::apply_patch(**source, **patch, [&](std::string_view piece) -> Status {
    while (!piece.empty()) {
      const ssize_t n = ::write(fd, piece.data(), piece.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(Code::kIo, std::string("write: ") + std::strerror(errno));
      piece.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok_status();
  });
  ::close(fd);
  if (!applied) return fail(applied.error().to_string());
  std::printf("target %llu bytes sha256 %s\n", static_cast<unsigned long long>(applied->length),
              applied->sha256.c_str());
  return 0;
}

int zchunk_fetch(const char* source_path, const char* target_path, const char* zck_path) {
  auto made = zchunk::make(target_path, zck_path);
  if (!made) return fail(made.error().to_string());
  auto fetch = zchunk::plan_fetch(source_path, zck_path, 150);  // swupdate's max-ranges default
  if (!fetch) return fail(fetch.error().to_string());
  std::printf(
      "zck %llu bytes header %llu fetch %llu bytes chunks %llu missing %llu requests %llu\n",
      static_cast<unsigned long long>(made->length),
      static_cast<unsigned long long>(made->header_length),
      static_cast<unsigned long long>(fetch->bytes), static_cast<unsigned long long>(fetch->chunks),
      static_cast<unsigned long long>(fetch->missing_chunks),
      static_cast<unsigned long long>(fetch->requests));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "make") == 0) return make(argv[2], argv[3], argv[4]);
  if (argc == 5 && std::strcmp(argv[1], "apply") == 0) return apply(argv[2], argv[3], argv[4]);
  if (argc == 5 && std::strcmp(argv[1], "zchunk") == 0)
    return zchunk_fetch(argv[2], argv[3], argv[4]);
  std::fprintf(stderr,
               "usage: posfleet-delta-tool make SOURCE TARGET PATCH\n"
               "       posfleet-delta-tool apply SOURCE PATCH OUT\n"
               "       posfleet-delta-tool zchunk SOURCE TARGET ZCK\n");
  return 2;
}
