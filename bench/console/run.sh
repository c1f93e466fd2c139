#!/usr/bin/env bash
# Opt-in benchmark of the console's reads at fleet scale: a real posfleetd
# whose database holds N terminals (seed.py: merchants, policies, releases,
# deployments with history), asked for the terminal list (first page, a deep
# page, text searches, each filter), a terminal's page and the overview.
# The terminals are shared among ORGS resellers' merchant organisations
# (docs/organisations.md); the same reads, and the organisation list, are then
# timed as one reseller in the middle sees them (an API token of its own,
# stored by seed.py as the server stores one): its subtree's terminals alone,
# which the run checks (its list's count, another reseller's terminal 404).
# On PostgreSQL (BACKEND=postgres) the fleet is seeded into SQLite all the
# same and moved with `posfleetd migrate`, as an operator would move theirs
# (and as bench/fleet does), into a throwaway durable cluster
# (scripts/pg-cluster), analyzed before the first request.
# Each request is timed by curl over one keep-alive connection, REQUESTS times
# in a row (a bounded loop, no concurrency: this is latency, not throughput).
# Beside each figure: nginx serving the same bytes as a static file with the
# same curl loop, the floor of what the loopback and HTTP cost. Read the ratio.
#
# Environment (defaults in brackets):
#   N [100000]          terminals to seed
#   ORGS []             resellers below the acquirer, each with MERCHANT_ORGS [5] merchant
#                       organisations holding the terminals (seed.py: 2000 from N=100000 up)
#   RESELLER []         which reseller's reads are timed (seed.py: the middle one, ORGS/2)
#   REQUESTS [30]       timed requests per endpoint (after 3 untimed)
#   THREADS [2]         posfleetd --threads and nginx worker_processes
#   BACKEND [sqlite]    or postgres: the same seed moved by `posfleetd migrate`
#                       into a throwaway PostgreSQL 15 cluster (fsync on)
#   POSFLEETD [build/bin/posfleetd]   NGINX [/usr/sbin/nginx]
#   PG_EXPLAIN_MS []    on PostgreSQL: print the plans of statements slower than this
#
# Everything listens on 127.0.0.1 only and lives in one temp dir that is
# removed on exit, whatever the exit path (the PostgreSQL cluster stopped).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"

N=${N:-100000}
REQUESTS=${REQUESTS:-30}
THREADS=${THREADS:-2}
POSFLEETD=${POSFLEETD:-$root/build/bin/posfleetd}
NGINX=${NGINX:-/usr/sbin/nginx}
backend_and_servers
# Latency of one server's reads: several behind a balancer are bench/fleet's business.
((SERVERS == 1)) || { echo "run.sh: the console benchmark times one server; SERVERS must be 1" >&2; exit 2; }

tools=("$POSFLEETD" "$NGINX" curl /usr/bin/python3)
# psql runs the ANALYZE after the migration.
[[ $BACKEND != postgres ]] || tools+=(psql)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (build posfleetd with: ninja -C build posfleetd)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/posfleet-bench-console.XXXXXX")
pids=()
step=  # pid of the migration or the ANALYZE while one runs (lib.sh's interruptible)
cleanup() {
  local p
  for p in $step "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $step "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  # Stopped before the rm: the postmaster would outlive its files otherwise.
  [[ $BACKEND != postgres ]] || "$root/scripts/pg-cluster" stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

admin=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
# The reseller's API token: seed.py stores its hash for the reseller's organisation.
reseller=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')

# posfleetd on SQLite in $tmp/data (bench/lib.sh starts it); sets pf_pid and pf_url.
# `database` is empty until the fleet has moved to PostgreSQL; then it names it
# and $tmp/data only holds the files the database does not (secret.key, the
# device CA, artifacts).
database=()
# A 10-minute poll interval makes the online window 30 minutes: the seeded half seen in the
# last minute stays online through the whole run (a million terminals take minutes to seed and
# move), so the online filter lists the same terminals in every request.
start_one() {
  start_posfleetd posfleetd --data-dir "$tmp/data" "${database[@]}" --threads "$THREADS" --poll-seconds 600
}
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
  # --max-time is per request: bounds the run if a read hangs, far above any figure worth reading.
  curl -s --fail --max-time 300 -w '%{time_total} %{size_download}\n' "$@" "${args[@]}" >"$tmp/times" ||
    die "GET $url failed"
  tail -n +4 "$tmp/times" | sort -n | awk -v n="$REQUESTS" '
    { t[NR] = $1; b = $2 }
    END { p50 = t[int((n + 1) / 2)]; p95 = t[int(n * 0.95 + 0.999)];
          printf "%.2f %.2f %d\n", p50 * 1000, p95 * 1000, b }'
}

echo "posfleet console benchmark: $N terminals on $BACKEND, $REQUESTS sequential requests per endpoint, server threads=$THREADS"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
report_box_busy

# --- seed ------------------------------------------------------------------------
start_one  # creates and migrates the database
stop_posfleetd
t0=$(date +%s.%N)
RESELLER_TOKEN=$reseller /usr/bin/python3 "$here/seed.py" "$tmp/data/posfleet.db" "$N" \
  >"$tmp/seed.out" || die "seeding failed: $(cat "$tmp/seed.out")"
cat "$tmp/seed.out"
# "reseller facts: reseller=1000 org=5996 terminals=500 own_serial=PF… sibling_serial=PF…"
facts=$(sed -n 's/^reseller facts: //p' "$tmp/seed.out")
fact() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" <<<"$facts"; }
r_org=$(fact org) r_terminals=$(fact terminals)
r_serial=$(fact own_serial) r_sibling=$(fact sibling_serial)
[[ $r_terminals =~ ^[0-9]+$ && -n $r_serial && -n $r_sibling ]] ||
  die "seed.py told no reseller facts: $(cat "$tmp/seed.out")"
echo "seeded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s; db $(du -h "$tmp/data/posfleet.db" | cut -f1)"

# --- PostgreSQL: the seeded installation moves there with the product's own tool ---
if [[ $BACKEND == postgres ]]; then
  # The cluster's files in $tmp too (pg-cluster puts them under TMPDIR), so
  # they go with it; its owner, the postgres user, must be able to reach them.
  chmod a+x "$tmp"
  TMPDIR=$tmp start_pg "$tmp/pg"
  t0=$(date +%s.%N)
  interruptible timeout 1800 "$POSFLEETD" migrate --from-data-dir "$tmp/data" --to "$conninfo" \
    >"$tmp/migrate.log" 2>&1 || die "posfleetd migrate failed: $(tail -20 "$tmp/migrate.log")"
  echo "posfleetd migrate to PostgreSQL in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s:" \
    "$(grep -E '^(migrated|audit chain)' "$tmp/migrate.log" | paste -sd ';' - | sed 's/;/; /g')"
  # The migration leaves the planner no statistics (autovacuum would gather
  # them at a time of its choosing, in the middle of the timings): gather
  # them now, as an operator should after a bulk load.
  t0=$(date +%s.%N)
  interruptible timeout 1800 psql -X -q -v ON_ERROR_STOP=1 -d "$conninfo" -c 'VACUUM ANALYZE' \
    >"$tmp/analyze.log" 2>&1 || die "VACUUM ANALYZE failed: $(tail -20 "$tmp/analyze.log")"
  echo "VACUUM ANALYZE in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s;" \
    "db $(psql -X -At -d "$conninfo" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
  database=(--database "$conninfo")
  # PG_EXPLAIN_MS: PostgreSQL logs the plan of every statement slower than that (auto_explain),
  # printed after the report, to see why a read is slow.
  if [[ -n ${PG_EXPLAIN_MS:-} ]]; then
    [[ $PG_EXPLAIN_MS =~ ^[0-9]+$ ]] || die "PG_EXPLAIN_MS must be a number of milliseconds"
    psql -X -q -v ON_ERROR_STOP=1 -d "$conninfo" \
      -c "ALTER DATABASE posfleet SET session_preload_libraries = 'auto_explain'" \
      -c "ALTER DATABASE posfleet SET auto_explain.log_min_duration = '${PG_EXPLAIN_MS}ms'" \
      -c "ALTER DATABASE posfleet SET auto_explain.log_analyze = on" \
      -c "ALTER DATABASE posfleet SET auto_explain.log_buffers = on" >/dev/null ||
      die "auto_explain could not be set"
  fi
fi
start_one

mid=$(printf 'PF%06d' $((N / 2)))
# The reseller's last page of 50 (its first when it holds 50 or fewer).
r_deep=$((r_terminals > 50 ? r_terminals - 50 : 0))
# who|name|path (percent-encoded where needed); who is admin (the acquirer's) or reseller.
endpoints=(
  "admin|list, first page|/api/v1/terminals?limit=50"
  "admin|list, deep page|/api/v1/terminals?offset=$((N - 50))&limit=50"
  "admin|list, middle page|/api/v1/terminals?offset=$((N / 2))&limit=50"
  "admin|list, after a serial|/api/v1/terminals?after=$(printf 'PF%06d' $((N - 51)))&limit=50"
  "admin|search serial prefix|/api/v1/terminals?q=PF0500&limit=50"
  "admin|search merchant name|/api/v1/terminals?q=%E8%8C%B6%E9%A6%86&limit=50"
  "admin|search no match|/api/v1/terminals?q=zzz&limit=50"
  "admin|filter model|/api/v1/terminals?model=A920&limit=50"
  "admin|filter model+version|/api/v1/terminals?model=A920&version=2.1.0&limit=50"
  "admin|filter group|/api/v1/terminals?group=g17&limit=50"
  "admin|filter merchant|/api/v1/terminals?merchant=123&limit=50"
  "admin|filter online|/api/v1/terminals?online=true&limit=50"
  "admin|filter mode never|/api/v1/terminals?mode=never&limit=50"
  "admin|filter state failed|/api/v1/terminals?state=failed&limit=50"
  "admin|filter pending 3.0.0|/api/v1/terminals?pending=3.0.0&limit=50"
  "admin|terminal page|/api/v1/terminals/$mid"
  "admin|overview|/api/v1/overview"
  # The reseller's reads: the first is its list's first page (its count is checked below).
  "reseller|reseller: list, first page|/api/v1/terminals?limit=50"
  "reseller|reseller: list, deep page|/api/v1/terminals?offset=$r_deep&limit=50"
  "reseller|reseller: search serial|/api/v1/terminals?q=${r_serial:0:6}&limit=50"
  "reseller|reseller: search merchant|/api/v1/terminals?q=%E8%8C%B6%E9%A6%86&limit=50"
  "reseller|reseller: search no match|/api/v1/terminals?q=zzz&limit=50"
  "reseller|reseller: filter model|/api/v1/terminals?model=A920&limit=50"
  "reseller|reseller: filter online|/api/v1/terminals?online=true&limit=50"
  "reseller|reseller: terminal page|/api/v1/terminals/$r_serial"
  "reseller|reseller: overview|/api/v1/overview"
  "reseller|reseller: organisations|/api/v1/organisations"
)

mkdir -p "$tmp/www/r"
results=()
i=0
r_first='' r_page=''
for e in "${endpoints[@]}"; do
  who=${e%%|*} e=${e#*|}
  name=${e%%|*} path=${e#*|}
  token=$admin
  if [[ $who == reseller ]]; then
    token=$reseller
    [[ -n $r_first ]] || r_first=$i
    [[ $name != "reseller: terminal page" ]] || r_page=$i
  fi
  r=$(time_requests "$pf_url$path" "$tmp/www/r/$i.json" -H "Authorization: Bearer $token")
  # The bytes of the body nginx will serve (the last one): an answer that changes between
  # requests (a count) may differ by a few bytes from the slowest one's.
  results+=("${r% *} $(stat -c %s "$tmp/www/r/$i.json")")
  i=$((i + 1))
done
total=$(grep -o '"total":[0-9]*' "$tmp/www/r/0.json" | cut -d: -f2)
[[ $total == "$N" ]] || die "the list counts $total terminals, not $N"
# The reseller sees its subtree's terminals alone: as many as seed.py gave its merchants, and
# another reseller's terminal is one that does not exist.
total=$(grep -o '"total":[0-9]*' "$tmp/www/r/$r_first.json" | cut -d: -f2)
[[ $total == "$r_terminals" ]] || die "the reseller's list counts $total terminals, not $r_terminals"
grep -q "\"serial\":\"$r_serial\"" "$tmp/www/r/$r_page.json" ||
  die "the reseller's terminal page does not show $r_serial"
code=$(curl -s -o "$tmp/sibling.json" -w '%{http_code}' --max-time 60 \
  -H "Authorization: Bearer $reseller" "$pf_url/api/v1/terminals/$r_sibling")
[[ $code == 404 ]] ||
  die "another reseller's terminal $r_sibling answered $code to the reseller, not 404"
echo "reseller $(fact reseller) (organisation $r_org): its list counts $total terminals, as seeded;" \
  "another reseller's $r_sibling answers 404"
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
printf '%-32s %10s %10s %10s %12s %12s %8s\n' endpoint "bytes" "p50 ms" "p95 ms" "nginx p50" "nginx p95" "ratio"
i=0
for e in "${endpoints[@]}"; do
  e=${e#*|} name=${e%%|*}
  read -r p50 p95 bytes <<<"${results[$i]}"
  read -r n50 n95 nbytes <<<"$(time_requests "http://127.0.0.1:$ng_port/r/$i.json" "$tmp/ng.out")"
  [[ $nbytes == "$bytes" ]] || die "nginx sent $nbytes bytes for $name, posfleetd $bytes"
  printf '%-32s %10s %10s %10s %12s %12s %8s\n' "$name" "$bytes" "$p50" "$p95" "$n50" "$n95" \
    "$(awk -v a="$p50" -v b="$n50" 'BEGIN{printf "%.1f", a/b}')"
  i=$((i + 1))
done
echo
echo "ratio = posfleetd p50 / nginx p50 for the same bytes; curl and both servers share the machine."
if [[ -n ${PG_EXPLAIN_MS:-} && $BACKEND == postgres ]]; then
  echo
  echo "statements slower than ${PG_EXPLAIN_MS} ms, as PostgreSQL planned and ran them:"
  grep -v -e 'checkpoint' "$(cat "$tmp/pg/cluster")/server.log" | sed -n '/duration: .* plan:/,$p'
fi
