#!/usr/bin/env bash
# The sanitizer stage of scripts/test.sh: builds posfleet once more with clang-15, under
# AddressSanitizer + UndefinedBehaviorSanitizer and with the libFuzzer targets, into build-asan/
# (one build directory for both; only the programs this stage runs), then runs the C++ unit
# tests and the end-to-end tests (label e2e: real posfleetd, posfleet-agent and posfleet
# processes, all sanitized) and every fuzz target for FUZZ_SECONDS on its corpus. Fails on a
# failed test, a crash, or any sanitizer report from any process (each process writes its
# reports to build-asan/sanitizer-reports/, listed at the end).
#
# Environment:
#   FUZZ_SECONDS [20]            seconds each fuzz target runs (bench/fuzz/run.sh)
#   POSFLEET_POWERCUT_RUNS [40]  power cuts the fault-injection test makes here (200 in the
#                                normal suite; sanitized processes are slower)
#   SANITIZE_E2E_PARALLEL [4]    end-to-end tests run at once
# Extra arguments go to the e2e ctest run (e.g. -R e2e_policy).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$root/build-asan
fuzz_seconds=${FUZZ_SECONDS:-20}
e2e_parallel=${SANITIZE_E2E_PARALLEL:-4}
export POSFLEET_POWERCUT_RUNS=${POSFLEET_POWERCUT_RUNS:-40}

command -v clang++-15 >/dev/null || { echo "sanitize: clang++-15 missing (scripts/install-deps.sh)" >&2; exit 1; }
stage_start=$(date +%s)
step() { echo "== sanitize: $* ($(( $(date +%s) - stage_start ))s)"; }

unit_exclude='^(console_unit|format_check)$'
step "build build-asan (clang-15, ASan + UBSan, fuzz targets)"
if [ ! -f "$build/build.ninja" ]; then
  CXX=clang++-15 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Asan \
    -DPOSFLEET_SANITIZE=ON -DPOSFLEET_FUZZ=ON
else
  # Configured again before CTest lists the tests: one added since the last run must be built.
  cmake -S . -B "$build" >/dev/null
fi
# Only what this stage runs, not all of "all" (benchmarks, tools): the unit tests' executables
# and every program a unit or e2e test names in its environment (POSFLEETD=…), as CTest lists
# them, and the fuzz targets; a test added later brings its programs along.
programs() {  # the build/bin programs of the tests ctest selects with "$@"
  (cd "$build" && ctest -N "$@" --show-only=json-v1) | python3 -c '
import json, os, sys
bin_dir = sys.argv[1] + "/"
for test in json.load(sys.stdin)["tests"]:
    env = next((p["value"] for p in test.get("properties", []) if p["name"] == "ENVIRONMENT"), [])
    # CTest leaves out the command of a test whose program is not built yet (a fresh
    # build-asan/): a unit test is then its own program, named as the test.
    command = test.get("command") or [bin_dir + test["name"]]
    for path in command[:1] + [e.partition("=")[2] for e in env]:
        if path.startswith(bin_dir):
            print(os.path.basename(path))' "$build/bin"
}
mapfile -t targets < <({ programs -L unit -E "$unit_exclude"; programs -L e2e
  for f in fuzz/*_fuzz.cc; do basename "$f" .cc; done; } | sort -u)
[[ " ${targets[*]} " == *" posfleetd "* ]] ||
  { echo "sanitize: ctest -N listed no programs" >&2; exit 1; }
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}"
# CTest starts the longest tests first when it knows their cost; a fresh build-asan/ does not
# yet, so it starts from the committed hints (see scripts/test.sh).
costs=$build/Testing/Temporary/CTestCostData.txt
[ -s "$costs" ] || { mkdir -p "$(dirname "$costs")"; cp .ci/ctest-costs.txt "$costs"; }

reports=$build/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
# Every sanitized process, however deep in a test, reports to a file: a report in a child
# the test does not watch (a CLI run, an agent at exit) still fails the stage.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp:print_suppressions=0"

failed=0
step "unit tests under the sanitizers"
(cd "$build" && ctest --output-on-failure --parallel 2 --timeout 900 -L unit \
  -E "$unit_exclude") || failed=1
step "end-to-end tests under the sanitizers"
# All of them, e2e_hostile_http included: its posfleetd at 128 descriptors runs without UBSan's
# vptr check, which needs a free descriptor (the test says why). Four at a time on 2 cores: they
# wait on their processes far more than they compute (about 120 CPU-seconds for 572 s of wall
# clock at two at a time, docs/security.md), so two at a time left the cores mostly idle.
(cd "$build" && ctest --output-on-failure --parallel "$e2e_parallel" --timeout 1800 -L e2e "$@") \
  || failed=1

step "fuzz targets, ${fuzz_seconds}s each"
# The fuzzers report on their own output (bench/fuzz/run.sh prints it), not into $reports.
(unset ASAN_OPTIONS UBSAN_OPTIONS; BUILD_DIR=$build bench/fuzz/run.sh "$fuzz_seconds") || failed=1

if [ -n "$(ls -A "$reports")" ]; then
  echo "== sanitize: sanitizer reports:"
  for f in "$reports"/*; do echo "---- $f"; head -60 "$f"; done
  failed=1
fi
step "done, $([ $failed = 0 ] && echo passed || echo FAILED)"
exit $failed
