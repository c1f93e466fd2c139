#!/usr/bin/env bash
# Opt-in benchmark of the DDI base poll (GET /DEFAULT/controller/v1/{serial}):
# posfleetd against nginx returning a fixed body of the same size, measured
# with the same wrk command. nginx is the yardstick for "what the machine and
# the loopback stack can do at all", so the ratio is what to read, not the
# absolute req/s. Not part of the test suite.
#
# Environment (defaults in brackets):
#   N [10000]           terminals to spread the polls over: the first 100 registered
#                       through the API, the rest written straight into the database
#                       (seed.py), so N=1000000 takes seconds, not an hour
#   BACKEND [sqlite]    sqlite (posfleetd --data-dir) or postgres (a throwaway cluster
#                       from scripts/pg-cluster, durable settings, posfleetd --database)
#   SERVERS [1]         posfleetd servers on the one PostgreSQL (BACKEND=postgres only),
#                       more than one behind nginx as a round-robin load balancer
#                       (worker_processes THREADS) that wrk polls; their server CPU
#                       counts every posfleetd, PostgreSQL and the balancer
#   THREADS [2]         posfleetd --threads (each server) and nginx worker_processes
#   DURATION [10]       seconds each measured wrk run lasts
#   WARMUP [2]          seconds of unmeasured wrk before each measured run
#   CONNECTIONS [64]    wrk -c
#   WRK_THREADS [2]     wrk -t
#   ORDER [serial]      the order each wrk thread polls its terminals in: serial (the order
#                       they were registered, neighbours in the database one after another)
#                       or random (shuffled once, as a fleet's polls arrive)
#   POSFLEETD [build/bin/posfleetd]   NGINX [/usr/sbin/nginx]
#   SEEN_AGO [3600]     seconds since the seeded terminals were last seen: an hour makes
#                       each one's first poll record last_seen; 0 is a fleet that has just
#                       polled, whose polls within the step (note_poll) record nothing
#   POSFLEETD_ARGS []   more posfleetd flags for every server, split on spaces
#                       (e.g. "--poll-cache-terminals 0" to measure without the cache)
#   PERF_DATA []        a file: `perf record -g` samples the servers through the measured
#                       run into it (read it with perf report -i FILE); perf's own CPU
#                       is not counted, but it slows the servers a little
#
# Everything listens on 127.0.0.1 only and lives in one temp dir that is
# removed on exit, whatever the exit path.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

N=${N:-10000}
read -ra posfleetd_args <<<"${POSFLEETD_ARGS:-}"
backend_and_servers
THREADS=${THREADS:-2}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
ORDER=${ORDER:-serial}
[[ $ORDER == serial || $ORDER == random ]] || die "ORDER is serial or random, not '$ORDER'"
POSFLEETD=${POSFLEETD:-$root/build/bin/posfleetd}
NGINX=${NGINX:-/usr/sbin/nginx}

for tool in "$POSFLEETD" "$NGINX" wrk /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (build posfleetd with: ninja -C build posfleetd)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/posfleet-bench-poll.XXXXXX")
pids=()
step=  # pid of the wrk or register.py run in progress, if any
cleanup() {
  local p
  for p in $step "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ $BACKEND != postgres ]] || "$root/scripts/pg-cluster" stop "$tmp/pg" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# field LINE KEY: the value of KEY=value in wrk's RESULT line.
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<" $1"; }

ncpu=$(nproc)

# run_wrk NAME URL LIST_PIDS: warm up, then the measured run; fills the
# globals r_rps r_p50 r_p99 r_cpu r_busy (and r_c0 r_c1 r_secs: CPU per
# process). LIST_PIDS is a command printing the server side's processes, run
# when the measured run starts and after it (database backends may come with
# the load).
run_wrk() {
  local name=$1 url=$2 list_pids=$3
  local wrk_cmd=(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" --timeout 5s -s "$here/poll.lua")
  if ((WARMUP > 0)); then
    interruptible timeout $((WARMUP + 300)) "${wrk_cmd[@]}" -d"${WARMUP}s" "$url" -- "$tmp/terminals.txt" "$WRK_THREADS" \
      "$tmp/$name.warmup.ready" "$ORDER" >"$tmp/$name.warmup" 2>&1 || die "$name warm-up failed: $(cat "$tmp/$name.warmup")"
  fi
  local c0 m0 c1 m1 rc=0 ready=$tmp/$name.ready
  timeout $((DURATION + 300)) "${wrk_cmd[@]}" -d"${DURATION}s" "$url" -- "$tmp/terminals.txt" "$WRK_THREADS" "$ready" "$ORDER" \
    >"$tmp/$name.out" 2>&1 &
  step=$!
  # wrk's clock starts once its last thread has built its requests (tens of
  # seconds at a million terminals), which poll.lua marks with $ready; its
  # threads poll from then on, and the server side's CPU counts from then.
  while [[ ! -e $ready ]] && kill -0 "$step" 2>/dev/null; do sleep 0.05; done
  # shellcheck disable=SC2046 # a list of pids
  c0=$(cpu_each $($list_pids)); m0=$(machine_ticks)
  local perf_pid=
  if [[ -n ${PERF_DATA:-} && $name == posfleetd ]]; then
    perf record -q -g -F 999 -o "$PERF_DATA" -p "$(IFS=,; echo "${srv_pids[*]}")" -- sleep "$DURATION" \
      >"$tmp/perf.log" 2>&1 &
    perf_pid=$!
  fi
  wait "$step" || rc=$?
  step=
  [[ -z $perf_pid ]] || wait "$perf_pid" || die "perf record failed: $(cat "$tmp/perf.log")"
  ((rc == 0)) || die "$name wrk failed: $(cat "$tmp/$name.out")"
  # shellcheck disable=SC2046
  c1=$(cpu_each $($list_pids)); m1=$(machine_ticks)
  local line
  line=$(grep '^RESULT ' "$tmp/$name.out") || die "$name: no RESULT line: $(cat "$tmp/$name.out")"
  echo "  $name: ${line#RESULT }"
  local errs=0 k
  for k in errors_connect errors_read errors_write errors_timeout http_errors; do errs=$((errs + $(field "$line" $k))); done
  ((errs == 0)) || die "$name: wrk reported $errs errors; figures would be meaningless"
  r_rps=$(field "$line" rps)
  r_p50=$(field "$line" p50_us)
  r_p99=$(field "$line" p99_us)
  local secs
  secs=$(field "$line" seconds)
  # Server CPU in cores (1.00 = one core fully busy) and machine busy %.
  r_cpu=$(cpu_cores "$c0" "$c1" "$secs")
  r_c0=$c0 r_c1=$c1 r_secs=$secs
  r_busy=$(busy_percent "$m0" "$m1")
}

servers_text=
((SERVERS == 1)) || servers_text=", $SERVERS servers behind nginx"
echo "posfleet poll benchmark: $N terminals on $BACKEND$servers_text, server threads/workers=$THREADS, wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s (warm-up ${WARMUP}s), $ORDER order"
echo "machine: $ncpu CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
# Anything else running (a build, another benchmark) skews both rows differently.
report_box_busy

# --- posfleetd ----------------------------------------------------------------
database=()
if [[ $BACKEND == postgres ]]; then
  start_pg "$tmp/pg"
  database=(--database "$conninfo")
fi
admin=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
if ((SERVERS == 1)); then
  start_servers 1 "${database[@]}" --threads "$THREADS" "${posfleetd_args[@]}"
  pf_url=${srv_urls[0]}
else
  # The balancer's port first: every server's links name it (--external-url),
  # as they would name the public address in the field.
  lb_port=$(free_port)
  start_servers "$SERVERS" "${database[@]}" --threads "$THREADS" --external-url "http://127.0.0.1:$lb_port" \
    "${posfleetd_args[@]}"
  start_lb "$tmp/lb" "$THREADS" "$lb_port" "${srv_urls[@]}"
  pf_url=$lb_url
fi

t0=$(date +%s.%N)
api_n=$((N < 100 ? N : 100))
interruptible timeout 600 /usr/bin/python3 "$here/register.py" "$pf_url" "$admin" "$api_n" "$tmp/terminals.txt" ||
  die "registering terminals failed"
if ((N > api_n)); then
  if [[ $BACKEND == postgres ]]; then target=$conninfo; else target=$tmp/data/posfleet.db; fi
  interruptible timeout 3600 /usr/bin/python3 "$here/seed.py" "$BACKEND" "$target" "$api_n" $((N - api_n)) \
    "$tmp/terminals.txt" || die "seeding terminals failed"
fi
echo "registered $N terminals in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s"
body=$(cat "$tmp/terminals.txt.reply")
echo "poll reply: ${#body} bytes: $body"

# What a poll costs on the server side: every posfleetd, the database's
# processes (listed anew each time: backends come with posfleetd's
# connections) and the balancer's master and workers.
server_side() {
  echo "${srv_pids[@]}"
  [[ $BACKEND != postgres ]] || pg_pids
  [[ -z ${lb_pid:-} ]] || echo "$lb_pid" $(pgrep -P "$lb_pid")
}
echo "running wrk against posfleetd ($pf_url)..."
run_wrk posfleetd "$pf_url" server_side
pf_rps=$r_rps pf_p50=$r_p50 pf_p99=$r_p99 pf_cpu=$r_cpu pf_busy=$r_busy
rss=() hwm=() own_cpu=()
for p in "${srv_pids[@]}"; do
  rss+=("$(mem_kib "$p")")
  hwm+=("$(mem_kib "$p" VmHWM)")
  own_cpu+=("$(cpu_cores "$r_c0" "$(grep "^$p " <<<"$r_c1")" "$r_secs")")
done
# Stop them now so the nginx run has the CPUs to itself, as posfleetd had.
for p in "${pids[@]}"; do kill -TERM "$p"; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

# --- nginx --------------------------------------------------------------------
# The body goes inside a single-quoted nginx string where $ would start a
# variable; JSON from posfleetd never has these, but refuse rather than lie.
[[ $body != *[\'\\\$]* ]] || die "poll reply has characters that need nginx escaping: $body"
ng_port=$(free_port)
start_nginx "$tmp/nginx" "$THREADS" "$ng_port" "    location / {
      default_type application/json;
      return 200 '$body';
    }"
ng_url=http://127.0.0.1:$ng_port
ng_len=
for _ in $(seq 100); do
  ng_len=$(/usr/bin/python3 -c 'import sys,urllib.request; print(len(urllib.request.urlopen(sys.argv[1], timeout=2).read()))' \
    "$ng_url/DEFAULT/controller/v1/x" 2>/dev/null) && break
  kill -0 "$ng_pid" 2>/dev/null || die "nginx exited: $(cat "$tmp/nginx/stdout" "$tmp/nginx/logs/error.log" 2>/dev/null)"
  sleep 0.1
done
[[ $ng_len == "${#body}" ]] || die "nginx body is ${ng_len:-?} bytes, posfleetd's ${#body}"

echo "running wrk against nginx ($ng_url)..."
# Master plus workers: the master is idle, the workers do the work.
nginx_side() { echo "$ng_pid" $(pgrep -P "$ng_pid"); }
run_wrk nginx "$ng_url" nginx_side
ng_rps=$r_rps ng_p50=$r_p50 ng_p99=$r_p99 ng_cpu=$r_cpu ng_busy=$r_busy

# --- report -------------------------------------------------------------------
ms() { awk -v u="$1" 'BEGIN{printf "%.2f ms", u/1000}'; }
echo
echo "NOTE: wrk and the server share the same $ncpu CPUs; this is a relative measurement"
echo "      (posfleetd vs nginx on the same box), not an absolute capacity figure."
# CPU per request is steadier than req/s here: how the 2 CPUs split between
# wrk and the server varies from run to run, the cost of one reply does not.
us_per_req() { awk -v c="$1" -v r="$2" 'BEGIN{printf "%.1f us", 1e6*c/r}'; }
row() { printf '%-10s %10s %10s %10s %12s %14s %10s\n' "$@"; }
row server "req/s" p50 p99 "server CPU" "CPU/request" "box busy"
row posfleetd "$pf_rps" "$(ms "$pf_p50")" "$(ms "$pf_p99")" "$pf_cpu cores" "$(us_per_req "$pf_cpu" "$pf_rps")" "$pf_busy%"
row nginx "$ng_rps" "$(ms "$ng_p50")" "$(ms "$ng_p99")" "$ng_cpu cores" "$(us_per_req "$ng_cpu" "$ng_rps")" "$ng_busy%"
echo "ratio posfleetd/nginx (req/s): $(awk -v a="$pf_rps" -v b="$ng_rps" 'BEGIN{printf "%.2f", a/b}')"
[[ $BACKEND == sqlite ]] || echo "posfleetd's server CPU includes PostgreSQL's processes (same box)"
((SERVERS == 1)) || echo "posfleetd's server CPU is all $SERVERS servers' and the balancer's (nginx, $THREADS workers)"
for k in "${!rss[@]}"; do
  ((SERVERS == 1)) && who=posfleetd || who="posfleetd $((k + 1))"
  echo "$who RSS after the run: $((rss[k] / 1024)) MiB (peak $((hwm[k] / 1024)) MiB);" \
    "$(awk -v k="${rss[k]}" -v n="$N" 'BEGIN{printf "%.0f", k*1024/n}') bytes per terminal; CPU ${own_cpu[k]} cores"
done
