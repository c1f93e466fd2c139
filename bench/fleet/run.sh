#!/usr/bin/env bash
# Opt-in fleet simulation (not in CI): a real posfleetd on 127.0.0.1 with N
# terminals seeded straight into its SQLite, and posfleet-fleet-sim speaking
# DDI as all of them from one process. Publishes a release and a security
# release (signed with a throwaway key), then runs the scenario
# (bench/fleet/scenario.h): a four-wave staged rollout with failures injected
# on one model in one wave (it must pause; then retried and resumed), then the
# security release with a deadline. Prints the figures and exits non-zero
# when a target is missed. Stops by itself within MAX_SECONDS.
#
# Usage: bench/fleet/run.sh [--terminals N] [--quick] [--max-seconds S] [--mode rollout|deploy|poll]
#                           [-- more posfleet-fleet-sim run flags]
#   --quick = --terminals 2000 (and shorter intervals)
# Environment: POSFLEETD, POSFLEET_CLI, FLEET_SIM (default build/bin/...), THREADS [2],
#   POLL_SECONDS (default by fleet size), SOAK [10], DEADLINE (security, seconds),
#   CONNECTIONS [64], ARTIFACT_BYTES [4096], SECURITY [1] (0: no security phase),
#   FLEET_ARGS (the fleet's shape, given to seed and run: --gap-groups 1 ...), KEEP=1 keeps
#   the temp dir (database, logs).
#
# Everything listens on 127.0.0.1 and lives in one temp dir removed on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
N=100000
MAX_SECONDS=
MODE=rollout
while (($#)); do
  case $1 in
    --terminals) N=$2; shift 2 ;;
    --quick) N=2000; shift ;;
    --max-seconds) MAX_SECONDS=$2; shift 2 ;;
    --mode) MODE=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
# The bound: a four-wave rollout of 100,000 and then the security release take 20-30 minutes.
MAX_SECONDS=${MAX_SECONDS:-$((N >= 50000 ? 2400 : 600))}
THREADS=${THREADS:-2}
POSFLEETD=${POSFLEETD:-$root/build/bin/posfleetd}
POSFLEET_CLI=${POSFLEET_CLI:-$root/build/bin/posfleet}
FLEET_SIM=${FLEET_SIM:-$root/build/bin/posfleet-fleet-sim}
# A poll every 5 s for 2,000 terminals, every 100 s (1,000 polls a second) at 100,000.
POLL_SECONDS=${POLL_SECONDS:-$((N / 1000 > 5 ? N / 1000 : 5))}
SOAK=${SOAK:-10}
# Six poll intervals (a real fleet polls hourly and a security deadline is days away), and
# longer than a window gap (2 min), or the terminals inside one could not make it.
DEADLINE=${DEADLINE:-$((POLL_SECONDS * 6 > 180 ? POLL_SECONDS * 6 : 180))}
CONNECTIONS=${CONNECTIONS:-64}
# Window gaps: the first covers the minute the run starts in, the others follow over about
# the run's expected length (a minute per 10,000 terminals, at least 3).
GAP_SPREAD=$((N / 10000 > 3 ? N / 10000 : 3))
FLEET_ARGS=${FLEET_ARGS:---first-gap-now --gap-spread-minutes $GAP_SPREAD}
ARTIFACT_BYTES=${ARTIFACT_BYTES:-4096}

for tool in "$POSFLEETD" "$POSFLEET_CLI" "$FLEET_SIM"; do
  [[ -x $tool ]] || { echo "run.sh: $tool not found (cmake --build build --target posfleetd posfleet posfleet-fleet-sim)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/posfleet-bench-fleet.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -n ${KEEP:-} ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=../lib.sh
. "$here/../lib.sh"

admin=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

start_posfleetd() {
  : >"$tmp/posfleetd.log"
  POSFLEET_BOOTSTRAP_TOKEN=$admin "$POSFLEETD" --data-dir "$tmp/data" --listen 127.0.0.1:0 \
    --threads "$THREADS" --log-level warn --poll-seconds "$POLL_SECONDS" --bulk-cap 1000000 \
    "$@" >"$tmp/posfleetd.log" 2>&1 &
  pf_pid=$!
  pids+=("$pf_pid")
  pf_url=
  for _ in $(seq 300); do
    pf_url=$(sed -n 's/^posfleetd listening on \(http:[^ ]*\).*/\1/p' "$tmp/posfleetd.log")
    [[ -n $pf_url ]] && return 0
    kill -0 "$pf_pid" 2>/dev/null || die "posfleetd exited: $(cat "$tmp/posfleetd.log")"
    sleep 0.1
  done
  die "posfleetd did not start within 30s: $(cat "$tmp/posfleetd.log")"
}

echo "posfleet fleet simulation: $N terminals, mode $MODE, poll every ${POLL_SECONDS}s, soak ${SOAK}s, security deadline ${DEADLINE}s, bound ${MAX_SECONDS}s"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
m0=$(machine_ticks); sleep 1; m1=$(machine_ticks)
echo "box busy before the run: $(awk -v a="$m0" -v b="$m1" 'BEGIN{split(a,x," "); split(b,y," "); printf "%.0f", 100*(y[1]-x[1])/(y[2]-x[2])}')%"

# --- seed: posfleetd creates the database, stops, the fleet goes straight in ---
start_posfleetd
kill -TERM "$pf_pid"; wait "$pf_pid" 2>/dev/null || true
pids=()
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$FLEET_SIM" seed --db "$tmp/data/posfleet.db" --terminals "$N" --secret "$secret" ${FLEET_ARGS:-} ||
  die "seeding failed"
echo "seeded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s"

# --- posfleetd (the rollout engine ticks every second where it has the flag) ---
extra=()
if "$POSFLEETD" --help 2>/dev/null | grep -q -- --rollout-tick-ms; then extra+=(--rollout-tick-ms 1000); fi
start_posfleetd "${extra[@]}"

# --- two releases for every simulated model, signed with a throwaway key ---
cli() { (cd "$tmp" && POSFLEET_SERVER=$pf_url POSFLEET_TOKEN=$admin LANG=C.UTF-8 "$POSFLEET_CLI" "$@") >>"$tmp/cli.log" 2>&1 || die "posfleet $* failed: $(tail -5 "$tmp/cli.log")"; }
cli key generate --out keys/release
publish() {
  head -c "$ARTIFACT_BYTES" /dev/urandom >"$tmp/os-$1.img"
  cli release create --dir "rel-$1" --version "$1" --model A920 --model A80 --model S300 \
    --component "os=$tmp/os-$1.img" --notes-zh 系统更新 --notes-en "System update" "${@:2}"
  cli release sign --dir "rel-$1" --key keys/release.key
  cli release publish --dir "rel-$1"
}
publish 2.0.0
publish 2.0.1 --security
echo "published 2.0.0 and 2.0.1 (security), ${ARTIFACT_BYTES}-byte artifacts"

security=()
if [[ ${SECURITY:-1} != 0 ]]; then security=(--security-release 2.0.1 --security-deadline-seconds "$DEADLINE"); fi
# shellcheck disable=SC2086
POSFLEET_TOKEN=$admin "$FLEET_SIM" run --server "$pf_url" --terminals "$N" --secret "$secret" ${FLEET_ARGS:-} \
  --mode "$MODE" --release 2.0.0 "${security[@]}" \
  --soak-seconds "$SOAK" --max-seconds "$MAX_SECONDS" --server-pid "$pf_pid" \
  --connections "$CONNECTIONS" --start-spread-seconds "$POLL_SECONDS" "$@"
