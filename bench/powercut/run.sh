#!/usr/bin/env bash
# Power-cut benchmark: 1,000 randomized runs of tests/faults/powercut_test.py
# (SIGKILL at every state transition and at random byte offsets of download
# and install, good and failing updates), printing the seed and the counts.
# Target: 0 unbootable, 0 lost, 0 duplicated, 0 disagreements with the server.
#   bench/powercut/run.sh                 # 1,000 runs, random seed
#   RUNS=200 SEED=123 bench/powercut/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$root/build/bin/posfleet-agent" ] || { echo "build first: scripts/build.sh" >&2; exit 2; }
export POSFLEET_BIN_DIR="$root/build/bin" POSFLEET_POWERCUT_RUNS="${RUNS:-1000}"
[ -n "${SEED:-}" ] && export POSFLEET_POWERCUT_SEED="$SEED"
exec python3 "$root/tests/faults/powercut_test.py" 2>&1 | grep -E '^powercut:|FAIL|Error|^OK'
