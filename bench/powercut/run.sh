#!/usr/bin/env bash
# Power-cut benchmark: 1,000 randomized runs of tests/faults/powercut_test.py.
# Each cut is a real power cut (unsynced data and folder entries dropped, or
# torn, by core/fault_fs.h) at a state transition, a byte offset of download,
# delta apply or install, or inside an atomic write, a boot-control call, backup, restore
# or the journal; half the cut runs are cut again during recovery or rollback;
# the simulated bootloader boots the device at each power-up. Prints the seed,
# the counts and the table of crash points chosen and reached.
# Target: 0 unbootable, 0 wrong version, 0 lost, 0 duplicated, 0 hung.
#   bench/powercut/run.sh                 # 1,000 runs, random seed
#   RUNS=200 SEED=123 bench/powercut/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$root/build/bin/posfleet-agent" ] || { echo "build first: scripts/build.sh" >&2; exit 2; }
export POSFLEET_BIN_DIR="$root/build/bin" POSFLEET_POWERCUT_RUNS="${RUNS:-1000}"
[ -n "${SEED:-}" ] && export POSFLEET_POWERCUT_SEED="$SEED"
exec python3 "$root/tests/faults/powercut_test.py" 2>&1 | grep -E '^powercut:|FAIL|Error|^OK|^run '
