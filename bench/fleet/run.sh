#!/usr/bin/env bash
# Opt-in fleet simulation (not in CI): a real posfleetd on 127.0.0.1 with N
# terminals seeded straight into its SQLite, and posfleet-fleet-sim speaking
# DDI as all of them from one process. On PostgreSQL (BACKEND=postgres) the
# seeded SQLite installation is moved with `posfleetd migrate`, as an operator
# would move theirs, and SERVERS posfleetd share it behind nginx. Publishes a release and a security
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
#   the temp dir (SQLite database, logs; not the PostgreSQL cluster), BACKEND [sqlite] or postgres (a throwaway durable cluster
#   from scripts/pg-cluster), SERVERS [1] posfleetd on that PostgreSQL, more than one behind
#   nginx as a round-robin load balancer (worker_processes THREADS) the simulator talks to;
#   then run.sh prints the CPU of every server, PostgreSQL and the balancer, and each RSS.
#
# Everything listens on 127.0.0.1 and lives in one temp dir removed on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"

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
backend_and_servers
NGINX=${NGINX:-/usr/sbin/nginx}

for tool in "$POSFLEETD" "$POSFLEET_CLI" "$FLEET_SIM"; do
  [[ -x $tool ]] || { echo "run.sh: $tool not found (cmake --build build --target posfleetd posfleet posfleet-fleet-sim)" >&2; exit 2; }
done
((SERVERS == 1)) || [[ -x $NGINX ]] || { echo "run.sh: $NGINX not found (SERVERS > 1 puts nginx in front)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/posfleet-bench-fleet.XXXXXX")
pids=()
step=  # pid of the simulator's run, once it runs
# shellcheck disable=SC2317 # run by the trap; shellcheck thinks the final `exit` skips it
cleanup() {
  local p
  for p in $step "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $step "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  # KEEP keeps the seeded SQLite and the logs; the cluster goes whatever KEEP says.
  [[ $BACKEND != postgres ]] || "$root/scripts/pg-cluster" stop "$tmp/pg" || true
  if [[ -n ${KEEP:-} ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

admin=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

server_args=(--threads "$THREADS" --poll-seconds "$POLL_SECONDS" --bulk-cap 1000000)

servers_text=
((SERVERS == 1)) || servers_text=", $SERVERS servers behind nginx"
echo "posfleet fleet simulation: $N terminals on $BACKEND$servers_text, mode $MODE, poll every ${POLL_SECONDS}s, soak ${SOAK}s, security deadline ${DEADLINE}s, bound ${MAX_SECONDS}s"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
report_box_busy

# --- seed: posfleetd creates the database, stops, the fleet goes straight in ---
start_posfleetd posfleetd-seed --data-dir "$tmp/data" "${server_args[@]}"
kill -TERM "$pf_pid"; wait "$pf_pid" 2>/dev/null || true
pids=()
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$FLEET_SIM" seed --db "$tmp/data/posfleet.db" --terminals "$N" --secret "$secret" ${FLEET_ARGS:-} ||
  die "seeding failed"
echo "seeded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s"

# --- PostgreSQL: the seeded installation moves there with the product's own tool ---
database=()
if [[ $BACKEND == postgres ]]; then
  start_pg "$tmp/pg"
  t0=$(date +%s.%N)
  interruptible timeout 1800 "$POSFLEETD" migrate --from-data-dir "$tmp/data" --to "$conninfo" \
    >"$tmp/migrate.log" 2>&1 || die "posfleetd migrate failed: $(tail -20 "$tmp/migrate.log")"
  echo "posfleetd migrate to PostgreSQL in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s:" \
    "$(grep -E '^(migrated|audit chain)' "$tmp/migrate.log" | paste -sd ';' - | sed 's/;/; /g')"
  database=(--database "$conninfo")
fi

# --- posfleetd (the rollout engine ticks every second where it has the flag) ---
if "$POSFLEETD" --help 2>/dev/null | grep -q -- --rollout-tick-ms; then server_args+=(--rollout-tick-ms 1000); fi
if ((SERVERS == 1)); then
  start_servers 1 "${database[@]}" "${server_args[@]}"
else
  # The balancer's port first: every server's links name it (--external-url).
  lb_port=$(free_port)
  start_servers "$SERVERS" "${database[@]}" "${server_args[@]}" --external-url "http://127.0.0.1:$lb_port"
  start_lb "$tmp/lb" "$THREADS" "$lb_port" "${srv_urls[@]}"
  pf_url=$lb_url
fi

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
# One server: the simulator reads its CPU and RSS itself. On PostgreSQL or with
# several servers a request also costs the database and the balancer: counted
# here, around the simulator's run.
measure=()
((SERVERS > 1)) || measure=(--server-pid "${srv_pids[0]}")
server_side() {
  echo "${srv_pids[@]}"
  [[ $BACKEND != postgres ]] || pg_pids
  [[ -z ${lb_pid:-} ]] || echo "$lb_pid" $(pgrep -P "$lb_pid")
}
# shellcheck disable=SC2046 # a list of pids
c0=$(cpu_each $(server_side)); m0=$(machine_ticks); t0=$(date +%s.%N)
rc=0
# shellcheck disable=SC2086
POSFLEET_TOKEN=$admin interruptible "$FLEET_SIM" run --server "$pf_url" --terminals "$N" --secret "$secret" ${FLEET_ARGS:-} \
  --mode "$MODE" --release 2.0.0 "${security[@]}" \
  --soak-seconds "$SOAK" --max-seconds "$MAX_SECONDS" "${measure[@]}" \
  --connections "$CONNECTIONS" --start-spread-seconds "$POLL_SECONDS" "$@" || rc=$?
# shellcheck disable=SC2046
c1=$(cpu_each $(server_side)); m1=$(machine_ticks)
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
echo "box busy during the simulation: $(busy_percent "$m0" "$m1")% ($secs s; the simulator shares the box)"
if [[ $BACKEND == postgres ]] || ((SERVERS > 1)); then
  what="posfleetd"
  ((SERVERS == 1)) || what="$SERVERS posfleetd"
  [[ $BACKEND != postgres ]] || what+=" + PostgreSQL"
  ((SERVERS == 1)) || what+=" + nginx (balancer)"
  echo "server side CPU ($what): $(cpu_cores "$c0" "$c1" "$secs") cores over $secs s"
  for k in "${!srv_pids[@]}"; do
    p=${srv_pids[k]}
    echo "posfleetd $((k + 1)): CPU $(cpu_cores "$c0" "$(grep "^$p " <<<"$c1")" "$secs") cores," \
      "RSS $(($(mem_kib "$p") / 1024)) MiB (peak $(($(mem_kib "$p" VmHWM) / 1024)) MiB)"
  done
fi
exit "$rc"
