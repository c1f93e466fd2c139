#!/usr/bin/env bash
# Every test: install what posfleet needs, build it, and run the whole suite
# with CTest (labels: unit, e2e, interop). Extra arguments go to ctest, e.g.
#   scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd build
exec ctest --output-on-failure --parallel 2 --timeout 900 "$@"
