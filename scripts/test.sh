#!/usr/bin/env bash
# Every test: install what posfleet needs, build it, and run the whole suite
# with CTest (labels: unit, e2e, interop, browser), then the sanitizer stage
# (scripts/sanitize.sh: unit and e2e tests again under ASan + UBSan in
# build-asan/, and every fuzz target for a short time). Extra arguments go to
# ctest and skip the sanitizer stage (a chosen subset), e.g.
#   scripts/test.sh -L unit
# POSFLEET_SANITIZE_STAGE=0 skips the stage, =1 runs it even with arguments.
#
# CI (.ci/run) runs it on 2 cores within 45 minutes; docs/performance.md § CI keeps the budget
# of each stage. The times of the stages are printed at the end, to compare with it.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
times=()
took() { times+=("$1 $(( $(date +%s) - $2 ))s"); }
t=$(date +%s); scripts/install-deps.sh; took install-deps "$t"
t=$(date +%s); scripts/build.sh; took build "$t"
# CTest starts the longest tests first when it knows their cost (its own record of earlier
# runs); in a fresh clone it has none and would start them in the order they are declared, the
# long power-cut and browser tests last, one core idle at the end. So a fresh build/ starts from
# the committed hints in .ci/ctest-costs.txt (seconds per test, as CTest records them; a test
# missing there starts last); after one run CTest's own measurements take over.
costs=build/Testing/Temporary/CTestCostData.txt
[ -s "$costs" ] || { mkdir -p "$(dirname "$costs")"; cp .ci/ctest-costs.txt "$costs"; }
status=0
t=$(date +%s)
(cd build && ctest --output-on-failure --parallel 2 --timeout 900 "$@") || status=$?
took ctest "$t"
stage=${POSFLEET_SANITIZE_STAGE:-$([ $# -eq 0 ] && echo 1 || echo 0)}
if [ "$stage" = 1 ]; then
  t=$(date +%s)
  scripts/sanitize.sh || status=1
  took "sanitizer stage" "$t"
fi
echo "== test: $(IFS=,; echo "${times[*]}" | sed 's/,/, /g'); in all $(( $(date +%s) - started ))s"
exit $status
