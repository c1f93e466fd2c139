// Making a patch: bsdiff's matching (Colin Percival, "Naive differences of executable code",
// 2003) over a suffix array of the source built by libdivsufsort, its three streams compressed
// with zstd (docs/formats/delta.md).
//
// The idea, in short: walk the target; at each point find the longest exact match in the source
// (binary search over the suffix array). A match much better than simply continuing the current
// alignment starts a new control entry. Between two such matches the bytes are either "copied"
// (target byte minus source byte at the current alignment: mostly zeros for recompiled code,
// whose addresses moved, so they compress well) or "added" (carried verbatim). The forward and
// backward extensions pick where one ends and the next begins by counting agreeing bytes.
#include <divsufsort.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "core/delta/patch.h"
#include "core/delta/wire.h"

namespace posfleet::delta {
namespace {

using Bytes = std::string_view;

// Length of the common prefix of a and b.
std::size_t common_prefix(const unsigned char* a, std::size_t an, const unsigned char* b,
                          std::size_t bn) {
  const std::size_t n = std::min(an, bn);
  std::size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

class Matcher {
 public:
  explicit Matcher(Bytes source)
      : old_(reinterpret_cast<const unsigned char*>(source.data())), n_(source.size()), sa_(n_) {}

  bool build() { return n_ == 0 || divsufsort(old_, sa_.data(), static_cast<saidx_t>(n_)) == 0; }

  // The longest prefix of target[0, tn) found in the source: its length, and where in *pos.
  std::size_t longest(const unsigned char* target, std::size_t tn, std::size_t* pos) const {
    *pos = 0;
    if (n_ == 0 || tn == 0) return 0;
    std::size_t lo = 0, hi = n_ - 1;
    while (hi - lo > 1) {
      const std::size_t mid = lo + (hi - lo) / 2;
      const std::size_t at = static_cast<std::size_t>(sa_[mid]);
      const std::size_t cmp_len = std::min(n_ - at, tn);
      const int c = std::memcmp(old_ + at, target, cmp_len);
      if (c < 0 || (c == 0 && n_ - at < tn))
        lo = mid;
      else
        hi = mid;
    }
    const std::size_t a = static_cast<std::size_t>(sa_[lo]), b = static_cast<std::size_t>(sa_[hi]);
    const std::size_t la = common_prefix(old_ + a, n_ - a, target, tn);
    const std::size_t lb = common_prefix(old_ + b, n_ - b, target, tn);
    if (la >= lb) {
      *pos = a;
      return la;
    }
    *pos = b;
    return lb;
  }

 private:
  const unsigned char* old_;
  std::size_t n_;
  std::vector<saidx_t> sa_;
};

struct Streams {
  std::string control, diff, extra;
};

void put_entry(std::string& control, const ControlEntry& e) {
  char buf[kControlEntrySize];
  encode_entry(e, buf);
  control.append(buf, sizeof buf);
}

// bsdiff's scan, written out with names. Old and new as in the paper: the source and the target.
void scan(const Matcher& matcher, Bytes source, Bytes target, Streams& out, PatchStats& stats) {
  const auto* old = reinterpret_cast<const unsigned char*>(source.data());
  const auto* now = reinterpret_cast<const unsigned char*>(target.data());
  const std::int64_t old_n = static_cast<std::int64_t>(source.size());
  const std::int64_t new_n = static_cast<std::int64_t>(target.size());
  std::int64_t scan = 0, len = 0, pos = 0;
  std::int64_t last_scan = 0, last_pos = 0, last_offset = 0;
  std::int64_t cursor = 0;  // where in the source the applier stands after the entries so far
  auto agrees = [&](std::int64_t s, std::int64_t o) {
    return o >= 0 && o < old_n && old[o] == now[s];
  };
  while (scan < new_n) {
    std::int64_t old_score = 0;
    std::int64_t scsc = scan += len;
    for (; scan < new_n; ++scan) {
      std::size_t p = 0;
      len = static_cast<std::int64_t>(
          matcher.longest(now + scan, static_cast<std::size_t>(new_n - scan), &p));
      pos = static_cast<std::int64_t>(p);
      for (; scsc < scan + len; ++scsc)
        if (agrees(scsc, scsc + last_offset)) ++old_score;
      // An exact continuation of the current alignment, or a match at least 8 bytes better.
      if ((len == old_score && len != 0) || len > old_score + 8) break;
      if (agrees(scan, scan + last_offset)) --old_score;
    }
    if (len == old_score && scan != new_n) continue;

    // Forward from the last match: as far as more than half the bytes agree.
    std::int64_t lenf = 0;
    {
      std::int64_t s = 0, best = 0;
      for (std::int64_t i = 0; last_scan + i < scan && last_pos + i < old_n;) {
        if (old[last_pos + i] == now[last_scan + i]) ++s;
        ++i;
        if (s * 2 - i > best * 2 - lenf) {
          best = s;
          lenf = i;
        }
      }
    }
    // Backward from the new match, the same way.
    std::int64_t lenb = 0;
    if (scan < new_n) {
      std::int64_t s = 0, best = 0;
      for (std::int64_t i = 1; scan >= last_scan + i && pos >= i; ++i) {
        if (old[pos - i] == now[scan - i]) ++s;
        if (s * 2 - i > best * 2 - lenb) {
          best = s;
          lenb = i;
        }
      }
    }
    // Where the two overlap, split at the point that keeps the most agreeing bytes.
    if (last_scan + lenf > scan - lenb) {
      const std::int64_t overlap = (last_scan + lenf) - (scan - lenb);
      std::int64_t s = 0, best = 0, keep = 0;
      for (std::int64_t i = 0; i < overlap; ++i) {
        if (now[last_scan + lenf - overlap + i] == old[last_pos + lenf - overlap + i]) ++s;
        if (now[scan - lenb + i] == old[pos - lenb + i]) --s;
        if (s > best) {
          best = s;
          keep = i + 1;
        }
      }
      lenf += keep - overlap;
      lenb -= keep;
    }

    for (std::int64_t i = 0; i < lenf; ++i)
      out.diff.push_back(static_cast<char>(now[last_scan + i] - old[last_pos + i]));
    const std::int64_t add = (scan - lenb) - (last_scan + lenf);
    out.extra.append(
        target.substr(static_cast<std::size_t>(last_scan + lenf), static_cast<std::size_t>(add)));
    // An entry that writes nothing is left out: its move is part of the next one's seek.
    if (lenf > 0 || add > 0) {
      put_entry(out.control, ControlEntry{last_pos - cursor, static_cast<std::uint64_t>(lenf),
                                          static_cast<std::uint64_t>(add)});
      cursor = last_pos + lenf;
      ++stats.control_entries;
      stats.copied += static_cast<std::uint64_t>(lenf);
      stats.added += static_cast<std::uint64_t>(add);
    }
    last_scan = scan - lenb;
    last_pos = pos - lenb;
    last_offset = pos - scan;
  }
}

Expected<std::string> compress(const std::string& bytes, int level) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!ctx) return make_error(Code::kInternal, "zstd: out of memory");
  ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_windowLog, kMaxWindowLog);
  ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setPledgedSrcSize(ctx.get(), bytes.size());
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  const std::size_t n =
      ZSTD_compress2(ctx.get(), out.data(), out.size(), bytes.data(), bytes.size());
  if (ZSTD_isError(n))
    return make_error(Code::kInternal, std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace

Expected<std::string> make_patch(std::string_view source, std::string_view target,
                                 const MakeOptions& options, PatchStats* stats) {
  if (source.size() >= static_cast<std::size_t>(std::numeric_limits<saidx_t>::max()))
    return make_error(Code::kInvalidArgument, "the source is 2 GiB or more; a patch needs less");
  if (options.level < 1 || options.level > ZSTD_maxCLevel())
    return make_error(Code::kInvalidArgument,
                      "zstd level must be 1-" + std::to_string(ZSTD_maxCLevel()));
  Matcher matcher(source);
  if (!matcher.build()) return make_error(Code::kInternal, "divsufsort failed");
  Streams streams;
  PatchStats local;
  scan(matcher, source, target, streams, local);
  if (stats) *stats = local;

  PatchHeader h;
  h.source_length = source.size();
  h.target_length = target.size();
  std::string parts[3];
  const std::string* raw[3] = {&streams.control, &streams.diff, &streams.extra};
  for (int k = 0; k < 3; ++k) {
    auto z = compress(*raw[k], options.level);
    if (!z) return z.error();
    parts[k] = std::move(*z);
  }
  h.control_size = parts[0].size();
  h.diff_size = parts[1].size();
  h.extra_size = parts[2].size();
  std::string patch = encode_header(h);
  for (const auto& p : parts) patch += p;
  return patch;
}

}  // namespace posfleet::delta
