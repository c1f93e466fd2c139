#!/usr/bin/env bash
# Every test: install what posfleet needs, build it, and run the whole suite
# with CTest (labels: unit, e2e, interop, browser), then the sanitizer stage
# (scripts/sanitize.sh: unit and e2e tests again under ASan + UBSan in
# build-asan/, and every fuzz target for a short time). Extra arguments go to
# ctest and skip the sanitizer stage (a chosen subset), e.g.
#   scripts/test.sh -L unit
# POSFLEET_SANITIZE_STAGE=0 skips the stage, =1 runs it even with arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
status=0
(cd build && ctest --output-on-failure --parallel 2 --timeout 900 "$@") || status=$?
stage=${POSFLEET_SANITIZE_STAGE:-$([ $# -eq 0 ] && echo 1 || echo 0)}
if [ "$stage" = 1 ]; then
  scripts/sanitize.sh || status=1
fi
exit $status
