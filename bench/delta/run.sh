#!/usr/bin/env bash
# Opt-in benchmark of posfleet's delta patches (docs/formats/delta.md) against the tools a release
# manager could use instead, side by side on the same files in one run:
#   - posfleet (core/delta through posfleet-delta-tool, as `posfleet release delta` makes and the
#     agent applies), Debian's bsdiff/bspatch, xdelta3 -9, zstd -19 --patch-from, and the full
#     file with zstd -19 (what a terminal downloads without a delta);
#   - the zchunk path: the new file's .zck (`posfleet release zchunk`) and the bytes a terminal
#     on the old version fetches of it, as swupdate's delta handler does;
#   - real pairs: two versions of Debian packages fetched with `apt-get download`;
#   - synthetic images of growing size, to show that applying a patch takes memory that does not
#     grow with the image (bspatch holds source and target in memory).
# Prints patch sizes, the ratio to bsdiff's (target: at most 1.0x on every pair), make and apply
# times, and the peak resident memory of each apply (target: at most 16 MiB, flat as the image
# grows). Not part of the test suite.
#
# Environment (defaults in brackets):
#   PAIRS            one pair a line ("" for none): PACKAGE OLD_VERSION NEW_VERSION FILE, where FILE is a path
#                    inside the package or "-" for the whole package as one image (its data
#                    tar, uncompressed) [libssl3 3.0.20 -> 3.0.22 as a whole, libcurl4's
#                    library, python3.11's executable]
#   SYNTH_MIB ["16 64 256 1024"]  sizes of the synthetic images, MiB ("" for none)
#   BSDIFF_MAX_MIB [64]        the largest synthetic image bsdiff is run on (it needs about 17
#                              bytes of memory a source byte and minutes at 256 MiB)
#   CACHE [${XDG_CACHE_HOME:-~/.cache}/posfleet-bench-delta]  where downloaded packages stay
#   DELTA_TOOL [build/bin/posfleet-delta-tool]   PEAK_RSS [build/bin/peak-rss]
# apt-get download needs the package lists (`apt-get update`) and the network; everything else
# is local. Work files live in one temp dir, removed on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"

DELTA_TOOL=${DELTA_TOOL:-$root/build/bin/posfleet-delta-tool}
PEAK_RSS=${PEAK_RSS:-$root/build/bin/peak-rss}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/posfleet-bench-delta}
SYNTH_MIB=${SYNTH_MIB-16 64 256 1024}
BSDIFF_MAX_MIB=${BSDIFF_MAX_MIB:-64}
PAIRS=${PAIRS-"libssl3 3.0.20-1~deb12u2 3.0.22-1~deb12u2 -
libcurl4 7.88.1-10+deb12u5 7.88.1-10+deb12u15 usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0
python3.11-minimal 3.11.2-6+deb12u8 3.11.2-6+deb12u9 usr/bin/python3.11"}

for tool in "$DELTA_TOOL" "$PEAK_RSS" bsdiff bspatch xdelta3 zstd dpkg-deb apt-get python3; do
  command -v "$tool" >/dev/null ||
    die "$tool not found (scripts/install-deps.sh installs bsdiff, xdelta3 and zstd; ninja -C build posfleet-delta-tool peak-rss builds ours)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/posfleet-bench-delta.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$CACHE"

# measure NAME CMD...: runs CMD, keeps its wall seconds and peak RSS (KiB) in t_NAME / m_NAME.
declare -A secs rss
measure() {
  local name=$1 line
  shift
  line=$("$PEAK_RSS" "$@" 2>"$tmp/$name.err") || die "$name failed: $(tail -5 "$tmp/$name.err")"
  secs[$name]=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")
  rss[$name]=$(sed -n 's/.*rss_kib=\([0-9]*\).*/\1/p' <<<"$line")
}
size_of() { stat -c %s "$1"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# fetch PACKAGE VERSION: the .deb's path in the cache.
fetch() {
  local deb
  deb=$(find "$CACHE" -maxdepth 1 -name "${1}_$(sed 's/:/%3a/' <<<"$2")_*.deb" | head -1)
  if [[ -z $deb ]]; then
    (cd "$CACHE" && apt-get download -q -o APT::Sandbox::User=root "$1=$2" >&2) || die "apt-get download $1=$2 failed (run apt-get update?)"
    deb=$(find "$CACHE" -maxdepth 1 -name "${1}_*$(sed 's/.*://; s/~/?/g; s/+/?/g' <<<"$2")_*.deb" | head -1)
  fi
  [[ -n $deb ]] || die "no .deb for $1=$2 in $CACHE"
  echo "$deb"
}

# extract DEB FILE OUT: the file from the package, or its whole data tar when FILE is "-".
extract() {
  if [[ $2 == - ]]; then
    dpkg-deb --fsys-tarfile "$1" >"$3"
  else
    rm -rf "$tmp/x" && mkdir "$tmp/x" && dpkg-deb -x "$1" "$tmp/x"
    [[ -f $tmp/x/$2 ]] || die "$2 is not in $(basename "$1")"
    cp "$tmp/x/$2" "$3"
  fi
}

# compare LABEL OLD NEW [BSDIFF]: every tool on one pair; prints one row of each table.
compare() {
  local label=$1 old=$2 new=$3 with_bsdiff=${4:-1} d=$tmp/pair
  rm -rf "$d" && mkdir "$d"
  measure ours_make "$DELTA_TOOL" make "$old" "$new" "$d/ours.pfdelta"
  measure ours_apply "$DELTA_TOOL" apply "$old" "$d/ours.pfdelta" "$d/ours.out"
  cmp -s "$d/ours.out" "$new" || die "$label: posfleet's patch did not give the new file back"
  local ours bs=- xd=- zp=- full=- vs=-
  ours=$(size_of "$d/ours.pfdelta")
  if ((with_bsdiff)); then
    measure bs_make bsdiff "$old" "$new" "$d/p.bsdiff"
    measure bs_apply bspatch "$old" "$d/bs.out" "$d/p.bsdiff"
    cmp -s "$d/bs.out" "$new" || die "$label: bspatch did not give the new file back"
    bs=$(size_of "$d/p.bsdiff")
    vs=$(ratio "$ours" "$bs")
    measure xd_make xdelta3 -9 -e -f -s "$old" "$new" "$d/p.xd3"
    xd=$(size_of "$d/p.xd3")
    measure zp_make zstd -q -19 -f --patch-from="$old" "$new" -o "$d/p.zst"
    zp=$(size_of "$d/p.zst")
    measure full_make zstd -q -19 -f "$new" -o "$d/full.zst"
    full=$(size_of "$d/full.zst")
  fi
  printf '%-60s %12s %10s %10s %6s %10s %10s %10s\n' "$label" "$(size_of "$new")" "$ours" "$bs" "$vs" "$xd" "$zp" "$full" >>"$tmp/sizes"
  if ((with_bsdiff)); then
    printf '%-60s %8s %8s %8s %8s %9s %9s %9s\n' "$label" "${secs[ours_make]}" "${secs[bs_make]}" \
      "${secs[ours_apply]}" "${secs[bs_apply]}" "$(mib "${rss[ours_apply]}")" "$(mib "${rss[bs_apply]}")" \
      "$(mib "${rss[ours_make]}")" >>"$tmp/times"
  else
    printf '%-60s %8s %8s %8s %8s %9s %9s %9s\n' "$label" "${secs[ours_make]}" - "${secs[ours_apply]}" - \
      "$(mib "${rss[ours_apply]}")" - "$(mib "${rss[ours_make]}")" >>"$tmp/times"
  fi
  # The zchunk path: one .zck for every source version; what a client holding OLD fetches.
  local z
  z=$("$DELTA_TOOL" zchunk "$old" "$new" "$d/new.zck") || die "$label: zchunk failed"
  read -r _ zck _ _ _ _ fetched _ _ chunks _ missing _ requests <<<"$z"
  printf '%-60s %12s %10s %10s %7s %8s %6s %10s %8s\n' "$label" "$(size_of "$new")" "$zck" "$fetched" \
    "$(awk -v a="$fetched" -v b="$zck" 'BEGIN { printf "%.1f%%", 100 * a / b }')" "$missing/$chunks" "$requests" "$ours" \
    "$(ratio "$fetched" "$ours")" >>"$tmp/zchunk"
  echo "  $label: ours $ours bytes${bs:+, bsdiff $bs}, apply peak $(mib "${rss[ours_apply]}") MiB, zchunk fetch $fetched of $zck" >&2
}

echo "posfleet delta benchmark: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
report_box_busy
while read -r pkg old_v new_v file; do
  [[ -n $pkg ]] || continue
  extract "$(fetch "$pkg" "$old_v")" "$file" "$tmp/old.bin"
  extract "$(fetch "$pkg" "$new_v")" "$file" "$tmp/new.bin"
  what=$([[ $file == - ]] && echo "package" || basename "$file")
  compare "$pkg $what $old_v → $new_v" "$tmp/old.bin" "$tmp/new.bin"
done <<<"$PAIRS"

# Synthetic images: random bytes, then 64 blocks of 4 KiB rewritten across it and 1 MiB added at
# its end (an update that touches a little of a large image).
for n in $SYNTH_MIB; do
  head -c $((n << 20)) /dev/urandom >"$tmp/old.bin"
  cp "$tmp/old.bin" "$tmp/new.bin"
  python3 - "$tmp/new.bin" "$n" <<'PY'
import os, sys
path, mib = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    for k in range(64):
        f.seek(k * (mib << 20) // 64 + 4096 * (k % 7))
        f.write(os.urandom(4096))
    f.seek(0, 2)
    f.write(os.urandom(1 << 20))
PY
  compare "synthetic ${n} MiB" "$tmp/old.bin" "$tmp/new.bin" $((n <= BSDIFF_MAX_MIB))
done

echo
echo "Patch sizes, bytes (ours/bsdiff: target at most 1.00 on every pair)"
printf '%-60s %12s %10s %10s %6s %10s %10s %10s\n' pair "new file" posfleet bsdiff ratio "xdelta3-9" "zstd-patch" "zstd-19"
cat "$tmp/sizes"
echo
echo "Seconds to make and apply; peak resident memory of the apply, MiB (target: at most 16, flat)"
printf '%-60s %8s %8s %8s %8s %9s %9s %9s\n' pair "make" "bsdiff" apply bspatch "apply MiB" "bspatch" "make MiB"
cat "$tmp/times"
echo
echo "The zchunk path (swupdate's delta handler, 150 ranges a request): bytes a terminal on the old"
echo "version fetches of the new version's .zck, header included, against our patch"
printf '%-60s %12s %10s %10s %7s %8s %6s %10s %8s\n' pair "new file" ".zck" fetched "of .zck" chunks "reqs" posfleet "fetch/ours"
cat "$tmp/zchunk"
