#include "core/delta/patch.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <fstream>
#include <random>

#include "core/delta/wire.h"
#include "core/hashing.h"
#include "core/testing/random_bytes.h"
#include "core/testing/temp_dir.h"

namespace posfleet::delta {
namespace {

using testing::random_bytes;

// Something like a rebuilt program: the same code with a block inserted, one removed, a few
// bytes changed, and every 4-byte "address" after the insertion moved by its length.
std::string rebuilt(const std::string& old, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string now = old;
  const std::size_t at = now.size() / 3;
  const std::string inserted = random_bytes(1000, seed + 1);
  now.insert(at, inserted);
  for (std::size_t i = at + inserted.size(); i + 4 <= now.size(); i += 64) {
    std::uint32_t v;
    std::memcpy(&v, now.data() + i, 4);
    v += 1000;
    std::memcpy(now.data() + i, &v, 4);
  }
  if (now.size() > 20000) now.erase(now.size() * 2 / 3, 5000);
  for (int k = 0; k < 20 && !now.empty(); ++k) now[rng() % now.size()] ^= 0x5a;
  return now;
}

struct Outcome {
  Expected<Applied> applied;
  std::string written;
};

Outcome apply_to(const std::string& source, const std::string& patch) {
  StringReader s(source), p(patch);
  std::string out;
  auto applied = apply_patch(s, p, [&](std::string_view piece) {
    EXPECT_LE(piece.size(), 64u * 1024);
    out.append(piece);
    return ok_status();
  });
  return {std::move(applied), std::move(out)};
}

void expect_round_trip(const std::string& source, const std::string& target) {
  auto patch = make_patch(source, target);
  ASSERT_TRUE(patch) << patch.error().to_string();
  auto got = apply_to(source, *patch);
  ASSERT_TRUE(got.applied) << got.applied.error().to_string();
  EXPECT_EQ(got.written.size(), target.size());
  EXPECT_TRUE(got.written == target);
  EXPECT_EQ(got.applied->length, target.size());
  EXPECT_EQ(got.applied->sha256, sha256_hex(target));
}

TEST(DeltaPatch, RoundTripsEmptyAndWholeFiles) {
  const std::string data = random_bytes(5000, 1);
  expect_round_trip("", "");
  expect_round_trip("", data);
  expect_round_trip(data, "");
  expect_round_trip(data, data);
  expect_round_trip("a", "b");
  expect_round_trip(std::string(100000, '\0'), std::string(150000, '\0'));
}

TEST(DeltaPatch, RoundTripsRandomEditsOfRandomData) {
  std::mt19937 rng(7);
  for (int round = 0; round < 40; ++round) {
    SCOPED_TRACE(round);
    std::string source = random_bytes(rng() % 20000, rng());
    std::string target = source;
    for (int edits = rng() % 8; edits > 0; --edits) {
      const std::size_t at = target.empty() ? 0 : rng() % target.size();
      switch (rng() % 4) {
        case 0:
          target.insert(at, random_bytes(rng() % 300, rng()));
          break;
        case 1:
          target.erase(at, rng() % 300);
          break;
        case 2:
          if (!target.empty()) target[at] = static_cast<char>(rng());
          break;
        default:
          target += source.substr(rng() % (source.size() + 1), rng() % 2000);
          break;
      }
    }
    expect_round_trip(source, target);
  }
}

TEST(DeltaPatch, ARebuiltProgramCostsAFractionOfItsSize) {
  const std::string old = random_bytes(3 << 20, 3);  // larger than a stream's 2 MiB window
  const std::string now = rebuilt(old, 4);
  PatchStats stats;
  auto patch = make_patch(old, now, {}, &stats);
  ASSERT_TRUE(patch) << patch.error().to_string();
  // The inserted kilobyte and the changed bytes are carried; the moved addresses cost little.
  EXPECT_LT(patch->size(), now.size() / 20) << "patch " << patch->size() << " bytes";
  EXPECT_GT(stats.copied, now.size() * 9 / 10);
  auto got = apply_to(old, *patch);
  ASSERT_TRUE(got.applied) << got.applied.error().to_string();
  EXPECT_TRUE(got.written == now);
  EXPECT_EQ(got.applied->sha256, sha256_hex(now));
}

TEST(DeltaPatch, AppliesFromFiles) {
  testing::TempDir dir("delta");
  const std::string old = random_bytes(200000, 5), now = rebuilt(old, 6);
  auto patch = make_patch(old, now);
  ASSERT_TRUE(patch);
  std::ofstream(dir.path() + "/old", std::ios::binary) << old;
  std::ofstream(dir.path() + "/patch", std::ios::binary) << *patch;
  auto source = FileReader::open(dir.path() + "/old");
  auto file = FileReader::open(dir.path() + "/patch");
  ASSERT_TRUE(source && file);
  std::string out;
  auto applied = apply_patch(**source, **file, [&](std::string_view p) {
    out.append(p);
    return ok_status();
  });
  ASSERT_TRUE(applied) << applied.error().to_string();
  EXPECT_TRUE(out == now);
  EXPECT_FALSE(FileReader::open(dir.path() + "/missing"));
  EXPECT_FALSE(FileReader::open(dir.path()));
}

TEST(DeltaPatch, ATargetOfAnotherLengthThanExpectedIsRefusedBeforeAByteIsWritten) {
  const std::string old = random_bytes(5000, 13), now = rebuilt(old, 14);
  auto patch = make_patch(old, now);
  ASSERT_TRUE(patch);
  StringReader s(old), p(*patch);
  int pieces = 0;
  auto sink = [&](std::string_view) {
    ++pieces;
    return ok_status();
  };
  auto got = apply_patch(s, p, sink, now.size() + 1);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kLengthMismatch);
  EXPECT_EQ(pieces, 0);
  EXPECT_TRUE(apply_patch(s, p, sink, now.size()));
}

TEST(DeltaPatch, AnotherSourceIsRefusedOrGivesAnotherHash) {
  const std::string old = random_bytes(50000, 8), now = rebuilt(old, 9);
  auto patch = make_patch(old, now);
  ASSERT_TRUE(patch);
  auto shorter = apply_to(old.substr(1), *patch);
  ASSERT_FALSE(shorter.applied);
  EXPECT_EQ(shorter.applied.error().code, Code::kLengthMismatch);
  std::string changed = old;
  changed[100] ^= 1;
  auto other = apply_to(changed, *patch);
  ASSERT_TRUE(other.applied);  // the format cannot know; the signed target hash does
  EXPECT_NE(other.applied->sha256, sha256_hex(now));
}

// A changed byte is refused, or (where zstd's encoding has slack: a bit no decoder reads) it
// makes exactly the same target; never another target that applies. The frame checksums see to
// that beyond the format's own checks, and the signed target hash after them.
TEST(DeltaPatch, EveryTruncationIsRefusedAndNoChangedByteMakesAnotherTarget) {
  const std::string old = random_bytes(3000, 10);
  std::string now = old;
  now.insert(1000, "posfleet");
  now[2500] ^= 0x11;
  auto patch = make_patch(old, now);
  ASSERT_TRUE(patch);
  for (std::size_t n = 0; n < patch->size(); ++n)
    EXPECT_FALSE(apply_to(old, patch->substr(0, n)).applied) << "cut to " << n << " bytes";
  EXPECT_FALSE(apply_to(old, *patch + '\0').applied) << "a byte appended";
  int refused = 0, tried = 0;
  for (std::size_t i = 0; i < patch->size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string bad = *patch;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ flip);
      auto got = apply_to(old, bad);
      ++tried;
      if (!got.applied)
        ++refused;
      else
        EXPECT_TRUE(got.written == now) << "byte " << i << " ^ " << int(flip);
    }
  }
  EXPECT_GT(refused, tried * 95 / 100) << refused << " of " << tried << " refused";
}

// A patch written by hand: valid zstd streams around whatever control entries a test wants.
std::string compress(const std::string& bytes, int window_log = kMaxWindowLog) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
  std::string out(ZSTD_compressBound(bytes.size()) + 64, '\0');
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  // Given in two calls, so zstd cannot size the window to the input: it keeps window_log.
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0}, none{nullptr, 0, 0};
  EXPECT_FALSE(ZSTD_isError(ZSTD_compressStream2(c, &o, &in, ZSTD_e_continue)));
  EXPECT_EQ(ZSTD_compressStream2(c, &o, &none, ZSTD_e_end), 0u);
  ZSTD_freeCCtx(c);
  out.resize(o.pos);
  return out;
}

std::string crafted(std::uint64_t source_length, std::uint64_t target_length,
                    const std::vector<ControlEntry>& entries, const std::string& diff,
                    const std::string& extra, int window_log = kMaxWindowLog) {
  std::string control;
  for (const auto& e : entries) {
    char raw[kControlEntrySize];
    encode_entry(e, raw);
    control.append(raw, sizeof raw);
  }
  const std::string parts[3] = {compress(control), compress(diff, window_log), compress(extra)};
  PatchHeader h{source_length, target_length, parts[0].size(), parts[1].size(), parts[2].size()};
  return encode_header(h) + parts[0] + parts[1] + parts[2];
}

TEST(DeltaPatch, AHandWrittenPatchAppliesAsTheFormatSays) {
  // Copy "bcd" (+1 each: "cde"), add "XY", go back to the start, copy "ab" unchanged.
  const std::string source = "abcdef";
  const std::string p = crafted(6, 7, {{1, 3, 2}, {-4, 2, 0}}, std::string("\1\1\1\0\0", 5), "XY");
  auto got = apply_to(source, p);
  ASSERT_TRUE(got.applied) << got.applied.error().to_string();
  EXPECT_EQ(got.written, "cdeXYab");
}

TEST(DeltaPatch, ControlEntriesThatBreakTheRulesAreRefusedByName) {
  const std::string source = "abcdef";
  struct Case {
    const char* name;
    std::string patch;
    const char* says;
  } cases[] = {
      {"writes nothing", crafted(6, 1, {{0, 0, 0}, {0, 1, 0}}, std::string(1, '\0'), ""),
       "writes nothing"},
      {"seeks before the start", crafted(6, 1, {{-1, 1, 0}}, std::string(1, '\0'), ""),
       "moves outside the source"},
      {"seeks past the end", crafted(6, 1, {{7, 0, 1}}, "", "x"), "moves outside the source"},
      {"reads past the end", crafted(6, 3, {{5, 3, 0}}, std::string(3, '\0'), ""),
       "reads past the end of the source"},
      {"writes past the target", crafted(6, 2, {{0, 1, 2}}, std::string(1, '\0'), "xy"),
       "writes past the end of the target"},
      {"a huge copy", crafted(6, 2, {{0, ~0ull, 2}}, "", ""), "writes past the end"},
      {"a huge add", crafted(6, 2, {{0, 1, ~0ull}}, "", ""), "writes past the end"},
      {"a huge seek", crafted(6, 1, {{INT64_MIN, 1, 0}}, "", ""), "moves outside the source"},
      {"too few entries", crafted(6, 4, {{0, 2, 0}}, std::string(2, '\0'), ""),
       "control stream ends before"},
      {"an entry too many", crafted(6, 1, {{0, 1, 0}, {0, 1, 0}}, std::string(2, '\0'), ""),
       "control stream holds bytes the target does not use"},
      {"diff left over", crafted(6, 1, {{0, 1, 0}}, std::string(2, '\0'), ""),
       "diff stream holds bytes"},
      {"extra left over", crafted(6, 1, {{0, 0, 1}}, "", "xy"), "extra stream holds bytes"},
      {"diff short", crafted(6, 2, {{0, 2, 0}}, std::string(1, '\0'), ""),
       "diff stream ends before"},
      {"a window over 2 MiB", crafted(6, 1, {{0, 1, 0}}, std::string(1, '\0'), "", 24),
       "diff stream is corrupt"},
  };
  for (const auto& c : cases) {
    auto got = apply_to(source, c.patch);
    ASSERT_FALSE(got.applied) << c.name;
    EXPECT_EQ(got.applied.error().code, Code::kParse) << c.name;
    EXPECT_NE(got.applied.error().message.find(c.says), std::string::npos)
        << c.name << ": " << got.applied.error().message;
  }
}

TEST(DeltaPatch, HeadersThatDoNotAddUpAreRefused) {
  const std::string good = crafted(6, 1, {{0, 1, 0}}, std::string(1, '\0'), "");
  EXPECT_FALSE(apply_to("abcdef", good.substr(0, kHeaderSize - 1)).applied);
  std::string magic = good;
  magic[7] = '\2';  // a format version this build does not know
  EXPECT_NE(apply_to("abcdef", magic).applied.error().message.find("wrong magic"),
            std::string::npos);
  for (std::size_t field : {24, 32, 40}) {
    std::string bad = good;
    put_u64(bad.data() + field, get_u64(bad.data() + field) + 1);
    EXPECT_NE(apply_to("abcdef", bad).applied.error().message.find("do not add up"),
              std::string::npos);
    put_u64(bad.data() + field, ~0ull);
    EXPECT_FALSE(apply_to("abcdef", bad).applied);
  }
}

TEST(DeltaPatch, TheSinksErrorStopsTheApply) {
  const std::string old = random_bytes(300000, 11), now = rebuilt(old, 12);
  auto patch = make_patch(old, now);
  ASSERT_TRUE(patch);
  StringReader s(old), p(*patch);
  int pieces = 0;
  auto got = apply_patch(s, p, [&](std::string_view) -> Status {
    if (++pieces == 2) return make_error(Code::kIo, "disk full");
    return ok_status();
  });
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message, "disk full");
  EXPECT_EQ(pieces, 2);
}

}  // namespace
}  // namespace posfleet::delta
