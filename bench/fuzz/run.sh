#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/<name>_fuzz.cc) for SECONDS each on its corpus and prints
# what crashed. Usage: bench/fuzz/run.sh [SECONDS-PER-TARGET] [NAME...]   (default 60, all)
#
# The targets come from build-asan/ (clang-15, ASan + UBSan + libFuzzer: scripts/sanitize.sh
# builds it; this script configures and builds it too when missing). Each target starts from
# the committed seeds in fuzz/corpus/<name>/ plus what earlier runs found, kept in
# build-asan/fuzz-corpus/<name>/ (the committed seeds are never written to). A crash, a
# sanitizer report, a leak, a timeout (-timeout, 10 s an input) or an out-of-memory (2 GB)
# stops that target; its input lands in build-asan/fuzz-crashes/ and is listed at the end with
# the command that replays it. Exit status: 0 when no target found anything.
#
# Environment:
#   FUZZ_JOBS [nproc]   parallel fuzzing processes per target (libFuzzer -fork)
#   BUILD_DIR [build-asan]
# Temporary files (the server targets' SQLite stores) go to /dev/shm when it is writable.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
shift || true
build=${BUILD_DIR:-$root/build-asan}
jobs=${FUZZ_JOBS:-$(nproc)}

die() { echo "fuzz/run.sh: $*" >&2; exit 1; }
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || die "SECONDS must be a positive integer"

if [ ! -f "$build/build.ninja" ]; then
  command -v clang++-15 >/dev/null || die "clang++-15 is missing: run scripts/install-deps.sh"
  CXX=clang++-15 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Asan \
    -DPOSFLEET_SANITIZE=ON -DPOSFLEET_FUZZ=ON
fi
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$root"/fuzz/*_fuzz.cc; do names+=("$(basename "$f" _fuzz.cc)"); done
fi
cmake --build "$build" --parallel "$(nproc)" --target "${names[@]/%/_fuzz}"

if [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
crashes=$build/fuzz-crashes
# Inputs an earlier run found stay one run longer in fuzz-crashes.previous/.
rm -rf "$crashes.previous"
if [ -d "$crashes" ]; then mv "$crashes" "$crashes.previous"; fi
mkdir -p "$crashes"
failed=()
for name in "${names[@]}"; do
  bin=$build/bin/${name}_fuzz
  [ -x "$bin" ] || die "no fuzz target $bin"
  seeds=$root/fuzz/corpus/$name
  work=$build/fuzz-corpus/$name
  mkdir -p "$work" "$seeds"
  log=$build/fuzz-logs/$name.log
  mkdir -p "$(dirname "$log")"
  echo "== $name: ${seconds}s, $jobs job(s)"
  start=$(date +%s)
  # -fork: libFuzzer's own worker processes; it stops at the first crash (-ignore_crashes=0).
  if "$bin" -fork="$jobs" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -artifact_prefix="$crashes/$name-" -print_final_stats=1 \
      "$work" "$seeds" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
  fi
  # -fork drops a seed that crashes while it loads the corpus and still exits 0; the input is
  # written to the crash folder all the same, so that is what decides.
  if compgen -G "$crashes/$name-*" >/dev/null; then status=FAILED; fi
  if [ "$status" = FAILED ]; then failed+=("$name"); fi
  runs=$(grep -Eo '#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
  echo "   $status in $(( $(date +%s) - start ))s; ${runs:-?} inputs; corpus $(ls "$work" | wc -l) files; log $log"
  if [ "$status" = FAILED ]; then
    grep -E 'ERROR: |runtime error|fuzz invariant|Test unit written|==[0-9]+==' "$log" | head -20 || true
  fi
done

found=$(ls "$crashes" 2>/dev/null || true)
if [ ${#failed[@]} -ne 0 ] || [ -n "$found" ]; then
  echo "fuzz: crashes in ${failed[*]}; replay one with: $build/bin/<name>_fuzz FILE"
  for f in $found; do echo "  $crashes/$f"; done
  exit 1
fi
echo "fuzz: ${#names[@]} target(s), no crash, no sanitizer report"
