#!/usr/bin/env bash
# Opt-in benchmark of the console's reads at fleet scale: a real posfleetd
# whose SQLite holds N terminals (seed.py: merchants, policies, releases,
# deployments with history), asked for the terminal list (first page, a deep
# page, text searches, each filter), a terminal's page and the overview.
# Each request is timed by curl over one keep-alive connection, REQUESTS times
# in a row (a bounded loop, no concurrency: this is latency, not throughput).
# Beside each figure: nginx serving the same bytes as a static file with the
# same curl loop, the floor of what the loopback and HTTP cost. Read the ratio.
#
# Environment (defaults in brackets):
#   N [100000]          terminals to seed
#   REQUESTS [30]       timed requests per endpoint (after 3 untimed)
#   THREADS [2]         posfleetd --threads and nginx worker_processes
#   POSFLEETD [build/bin/posfleetd]   NGINX [/usr/sbin/nginx]
#
# Everything listens on 127.0.0.1 only and lives in one temp dir that is
# removed on exit, whatever the exit path.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${N:-100000}
REQUESTS=${REQUESTS:-30}
THREADS=${THREADS:-2}
POSFLEETD=${POSFLEETD:-$root/build/bin/posfleetd}
NGINX=${NGINX:-/usr/sbin/nginx}

for tool in "$POSFLEETD" "$NGINX" curl /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (build posfleetd with: ninja -C build posfleetd)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/posfleet-bench-console.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

admin=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')

# posfleetd on SQLite in $tmp/data (bench/lib.sh starts it); sets pf_pid and pf_url.
start_one() { start_posfleetd posfleetd --data-dir "$tmp/data" --threads "$THREADS"; }
stop_posfleetd() {
  kill -TERM "$pf_pid"; wait "$pf_pid" 2>/dev/null || true
  pids=()
}

# time_requests URL FILE [curl args...]: REQUESTS timed GETs of URL over one
# connection (3 untimed first); prints "p50_ms p95_ms bytes"; the last body
# goes to FILE.
time_requests() {
  local url=$1 file=$2; shift 2
  local args=() i
  for ((i = 0; i < REQUESTS + 3; i++)); do args+=(-o "$file" "$url"); done
  curl -s --fail -w '%{time_total} %{size_download}\n' "$@" "${args[@]}" >"$tmp/times" ||
    die "GET $url failed"
  tail -n +4 "$tmp/times" | sort -n | awk -v n="$REQUESTS" '
    { t[NR] = $1; b = $2 }
    END { p50 = t[int((n + 1) / 2)]; p95 = t[int(n * 0.95 + 0.999)];
          printf "%.2f %.2f %d\n", p50 * 1000, p95 * 1000, b }'
}

echo "posfleet console benchmark: $N terminals, $REQUESTS sequential requests per endpoint, server threads=$THREADS"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
# Anything else running (a build, another benchmark) skews the figures, so
# measure how idle the box is first and say so.
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
m0=$(machine_ticks); sleep 1; m1=$(machine_ticks)
pre_busy=$(awk -v a="$m0" -v b="$m1" 'BEGIN{split(a,x," "); split(b,y," "); printf "%.0f", 100*(y[1]-x[1])/(y[2]-x[2])}')
echo "box busy before the run: $pre_busy%"
((pre_busy <= 10)) || echo "WARNING: the machine is not idle; these figures will be noisy" >&2

# --- seed ------------------------------------------------------------------------
start_one  # creates and migrates the database
stop_posfleetd
t0=$(date +%s.%N)
/usr/bin/python3 "$here/seed.py" "$tmp/data/posfleet.db" "$N" || die "seeding failed"
echo "seeded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s; db $(du -h "$tmp/data/posfleet.db" | cut -f1)"
start_one

mid=$(printf 'PF%06d' $((N / 2)))
# name|path (percent-encoded where needed)
endpoints=(
  "list, first page|/api/v1/terminals?limit=50"
  "list, deep page|/api/v1/terminals?offset=$((N - 50))&limit=50"
  "search serial prefix|/api/v1/terminals?q=PF0500&limit=50"
  "search merchant name|/api/v1/terminals?q=%E8%8C%B6%E9%A6%86&limit=50"
  "search no match|/api/v1/terminals?q=zzz&limit=50"
  "filter model|/api/v1/terminals?model=A920&limit=50"
  "filter model+version|/api/v1/terminals?model=A920&version=2.1.0&limit=50"
  "filter group|/api/v1/terminals?group=g17&limit=50"
  "filter merchant|/api/v1/terminals?merchant=123&limit=50"
  "filter online|/api/v1/terminals?online=true&limit=50"
  "filter mode never|/api/v1/terminals?mode=never&limit=50"
  "filter state failed|/api/v1/terminals?state=failed&limit=50"
  "filter pending 3.0.0|/api/v1/terminals?pending=3.0.0&limit=50"
  "terminal page|/api/v1/terminals/$mid"
  "overview|/api/v1/overview"
)

mkdir -p "$tmp/www/r"
results=()
i=0
for e in "${endpoints[@]}"; do
  name=${e%%|*} path=${e#*|}
  r=$(time_requests "$pf_url$path" "$tmp/www/r/$i.json" -H "Authorization: Bearer $admin")
  results+=("$r")
  i=$((i + 1))
done
total=$(grep -o '"total":[0-9]*' "$tmp/www/r/0.json" | cut -d: -f2)
[[ $total == "$N" ]] || die "the list counts $total terminals, not $N"
stop_posfleetd

# --- nginx: the same bytes as static files --------------------------------------
# nginx's workers may run as another user (nobody when started as root).
chmod a+x "$tmp"
chmod -R a+rX "$tmp/www"
ng_port=$(free_port)
start_nginx "$tmp/nginx" "$THREADS" "$ng_port" "    root $tmp/www;
    default_type application/json;"
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$ng_port/r/0.json" && break
  sleep 0.1
done

# --- report ------------------------------------------------------------------------
echo
printf '%-24s %10s %10s %10s %12s %12s %8s\n' endpoint "bytes" "p50 ms" "p95 ms" "nginx p50" "nginx p95" "ratio"
i=0
for e in "${endpoints[@]}"; do
  name=${e%%|*}
  read -r p50 p95 bytes <<<"${results[$i]}"
  read -r n50 n95 nbytes <<<"$(time_requests "http://127.0.0.1:$ng_port/r/$i.json" "$tmp/ng.out")"
  [[ $nbytes == "$bytes" ]] || die "nginx sent $nbytes bytes for $name, posfleetd $bytes"
  printf '%-24s %10s %10s %10s %12s %12s %8s\n' "$name" "$bytes" "$p50" "$p95" "$n50" "$n95" \
    "$(awk -v a="$p50" -v b="$n50" 'BEGIN{printf "%.1f", a/b}')"
  i=$((i + 1))
done
echo
echo "ratio = posfleetd p50 / nginx p50 for the same bytes; curl and both servers share the machine."
