#!/usr/bin/env bash
# Opt-in benchmark of what a poll's last_seen write costs PostgreSQL: the store's
# statement (sql_store.cc touch_terminals: chunks of 256 terminals, locked in id order,
# then updated), run over ROUNDS chunks of terminals chosen at random, as polls arrive,
# and then in id order (a chunk's terminals side by side in the table), on the schema as
# posfleetd makes it (no index on last_seen, fillfactor 85: migration 25) and again with
# the index and full pages the schema had before (the reference). Prints per setting the
# time per written terminal and the share of heap-only updates (pg_stat_user_tables).
#
# Environment (defaults in brackets):
#   N [400000]      terminals seeded (bench/poll/seed.py, one COPY)
#   ROUNDS [390]    chunks of 256 terminals per measurement (each chunk its own transaction)
#   POSFLEETD [build/bin/posfleetd]
#
# A throwaway durable cluster (scripts/pg-cluster) on 127.0.0.1 in a temp dir, removed on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"

N=${N:-400000}
ROUNDS=${ROUNDS:-390}
POSFLEETD=${POSFLEETD:-$root/build/bin/posfleetd}
[[ $N =~ ^[0-9]+$ && $ROUNDS =~ ^[0-9]+$ ]] || die "N and ROUNDS must be numbers"
((N >= 256 * 2)) || die "N must be at least 512"
for tool in "$POSFLEETD" psql /usr/bin/python3; do
  command -v "$tool" >/dev/null || die "$tool not found (build posfleetd with: ninja -C build posfleetd)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/posfleet-bench-last-seen.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  "$root/scripts/pg-cluster" stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "posfleet last_seen write benchmark: $N terminals on PostgreSQL, $ROUNDS chunks of 256 per measurement"
report_box_busy
start_pg "$tmp/pg"
admin=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
start_posfleetd posfleetd --data-dir "$tmp/data" --database "$conninfo"  # creates the schema
kill -TERM "$pf_pid"; wait "$pf_pid" 2>/dev/null || true; pids=()
timeout 1800 /usr/bin/python3 "$here/seed.py" postgres "$conninfo" 0 "$N" "$tmp/terminals.txt" >/dev/null ||
  die "seeding failed"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$conninfo" "$@"; }

# measure NAME PICK: ROUNDS chunks whose ids PICK chooses (SQL over i, the round); prints a row.
measure() {
  local name=$1 pick=$2
  sql -c "VACUUM ANALYZE terminals" >/dev/null
  local before t0 t1 after
  before=$(sql -c "SELECT pg_stat_force_next_flush()" -c "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'terminals'" | tail -1)
  t0=$(date +%s.%N)
  sql >/dev/null <<SQL
DO \$\$
DECLARE i int; seen bigint := (SELECT max(last_seen) FROM terminals) + 1;
BEGIN
  FOR i IN 0 .. $ROUNDS - 1 LOOP
    WITH v AS (SELECT DISTINCT g::bigint AS id, seen FROM ($pick) p(g)),
    locked AS MATERIALIZED (SELECT t.id, v.seen FROM terminals t JOIN v ON v.id = t.id
                            WHERE t.last_seen < v.seen ORDER BY t.id FOR UPDATE OF t)
    UPDATE terminals SET last_seen = locked.seen FROM locked
    WHERE terminals.id = locked.id AND terminals.last_seen < locked.seen;
    COMMIT;
  END LOOP;
END\$\$;
SELECT pg_stat_force_next_flush();
SQL
  t1=$(date +%s.%N)
  # The statistics reach pg_stat_user_tables once the backend has flushed them.
  local tries=0
  while :; do
    after=$(sql -c "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'terminals'")
    [[ ${after%%|*} != "${before%%|*}" ]] && break
    ((++tries < 100)) || die "the statistics did not arrive"
    sleep 0.1
  done
  awk -v name="$name" -v a="$before" -v b="$after" -v t0="$t0" -v t1="$t1" 'BEGIN {
    split(a, x, "|"); split(b, y, "|"); n = y[1] - x[1]; hot = y[2] - x[2];
    printf "%-46s %9d %10.1f %8.0f%%\n", name, n, (t1 - t0) * 1e6 / n, 100 * hot / n }'
}

random_ids="SELECT 1 + floor(random() * $N) FROM generate_series(1, 256)"
in_order="SELECT g FROM generate_series(i * 256 % ($N - 256) + 1, i * 256 % ($N - 256) + 256) g"
printf "%-46s %9s %10s %9s\n" "schema / chunk" "written" "us/terminal" "heap-only"
measure "now (no index on last_seen, fillfactor 85), random" "$random_ids"
measure "now, in id order" "$in_order"
sql -c "CREATE INDEX terminals_last_seen ON terminals(last_seen, retired)" \
  -c "ALTER TABLE terminals SET (fillfactor = 100)" -c "VACUUM FULL terminals" >/dev/null
measure "before (index on last_seen, full pages), random" "$random_ids"
measure "before, in id order" "$in_order"
echo "each chunk is its own transaction, on a durable cluster sharing the box's CPUs"
