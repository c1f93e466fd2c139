# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # it sets variables its callers read, and reads theirs
# What the benchmarks share (sourced by bench/*/run.sh): errors, free
# loopback ports, CPU accounting, a throwaway PostgreSQL, posfleetd servers
# (one, or several on one database) and nginx — as the yardstick and as the
# load balancer in front of several servers — run from a temporary folder.
#
# The caller sets root (the repository), tmp (its temp dir, removed on exit),
# pids (an array: what cleanup() stops), admin (the bootstrap API token),
# POSFLEETD and NGINX before calling these.

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# BACKEND [sqlite] and SERVERS [1] from the environment, checked: several
# servers share a PostgreSQL database; a SQLite file belongs to one server.
backend_and_servers() {
  BACKEND=${BACKEND:-sqlite}
  case $BACKEND in sqlite | postgres) ;; *) echo "run.sh: BACKEND is sqlite or postgres" >&2; exit 2 ;; esac
  SERVERS=${SERVERS:-1}
  [[ $SERVERS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: SERVERS is a number of servers, 1 or more" >&2; exit 2; }
  if ((SERVERS > 1)) && [[ $BACKEND != postgres ]]; then
    echo "run.sh: SERVERS=$SERVERS needs BACKEND=postgres: servers share a PostgreSQL database, a SQLite file belongs to one server" >&2
    exit 2
  fi
}

# A port the kernel just handed out and released; nginx cannot take port 0
# and tell us which one it got, posfleetd can.
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- CPU ------------------------------------------------------------------------
# Busy and total jiffies of the whole machine, from the first line of /proc/stat.
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
# busy_percent BEFORE AFTER: how busy the machine was between two machine_ticks.
busy_percent() { awk -v a="$1" -v b="$2" 'BEGIN{split(a,x," "); split(b,y," "); printf "%.0f", 100*(y[1]-x[1])/(y[2]-x[2])}'; }
# Anything else running (a build, another benchmark) skews the figures, so
# measure how idle the box is first and say so; sets pre_busy.
report_box_busy() {
  local m0 m1
  m0=$(machine_ticks); sleep 1; m1=$(machine_ticks)
  pre_busy=$(busy_percent "$m0" "$m1")
  echo "box busy before the run: $pre_busy%"
  ((pre_busy <= 10)) || echo "WARNING: the machine is not idle; these figures will be noisy" >&2
}

# cpu_each PIDS...: "pid ticks" lines, ticks = user+system CPU so far; to tell
# whether a server was CPU-bound during the run without needing perf.
cpu_each() {
  local p f
  for p in "$@"; do
    # Fields after the ")" of comm: utime and stime are the 12th and 13th.
    read -ra f < <(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    echo "$p $((f[11] + f[12]))"
  done
}
# cpu_cores BEFORE AFTER SECONDS: the cores (1.00 = one core fully busy) the
# processes of AFTER (cpu_each output) used since BEFORE. A process missing
# from BEFORE started in between (a PostgreSQL backend, say), so all its ticks
# count.
cpu_cores() {
  awk -v s="$3" -v hz="$(getconf CLK_TCK)" 'FNR == NR { t0[$1] = $2; next } { t += $2 - t0[$1] }
    END { printf "%.2f", t / hz / s }' <(echo "$1") <(echo "$2")
}

# --- PostgreSQL -----------------------------------------------------------------
# start_pg DIR: a throwaway cluster (scripts/pg-cluster) under DIR with the
# durable settings a production server has (fsync, WAL flushes); sets conninfo.
# The caller's cleanup stops it with `scripts/pg-cluster stop DIR`.
start_pg() {
  pg_dir=$1
  conninfo=$(PG_CLUSTER_DURABLE=1 "$root/scripts/pg-cluster" start "$pg_dir") || die "PostgreSQL did not start"
}
# The cluster's processes as they are now: the postmaster and its children
# (one backend per posfleetd connection), whose CPU a request also costs.
pg_pids() {
  local pm
  pm=$(head -1 "$(cat "$pg_dir/cluster")/data/postmaster.pid")
  echo "$pm" $(pgrep -P "$pm")
}

# --- posfleetd ------------------------------------------------------------------
# start_posfleetd NAME ARGS...: posfleetd ARGS on a free loopback port, output
# in $tmp/NAME.log, $admin as the administrator's token on a first start;
# waits until it listens. Sets pf_pid and pf_url and adds it to pids.
start_posfleetd() {
  local name=$1
  shift
  # The log exists before the wait below reads it: the background child may
  # not have opened it yet, and a failing sed would end the script (set -e).
  : >"$tmp/$name.log"
  POSFLEET_BOOTSTRAP_TOKEN=${admin:?} "$POSFLEETD" --listen 127.0.0.1:0 --log-level warn "$@" \
    >"$tmp/$name.log" 2>&1 &
  pf_pid=$!
  pids+=("$pf_pid")
  pf_url=
  # A minute: a first start on PostgreSQL creates the schema, on a box that may be busy.
  for _ in $(seq 600); do
    pf_url=$(sed -n 's/^posfleetd listening on \(http:[^ ]*\).*/\1/p' "$tmp/$name.log")
    [[ -n $pf_url ]] && return 0
    kill -0 "$pf_pid" 2>/dev/null || die "$name exited: $(cat "$tmp/$name.log")"
    sleep 0.1
  done
  die "$name did not start within 60s: $(cat "$tmp/$name.log")"
}

# start_servers COUNT ARGS...: COUNT posfleetd with ARGS (with COUNT > 1, a
# --database they share). What the database does not hold they share as
# tests/e2e/scale_out_test.py does: the first keeps secret.key, the device CA
# and the artifacts in $tmp/data (made there at its first start, or there
# already from a migrated SQLite installation) and the others are pointed at
# them; each has a data dir of its own, which posfleetd locks. They start one
# after another, so only the first creates keys and the administrator. Sets
# srv_pids and srv_urls.
start_servers() {
  local count=$1 k
  shift
  srv_pids=()
  srv_urls=()
  for ((k = 1; k <= count; k++)); do
    local own=(--data-dir "$tmp/data")
    ((k == 1)) || own=(--data-dir "$tmp/data$k" --secret-key "$tmp/data/secret.key"
      --artifact-dir "$tmp/data/artifacts" --device-ca-cert "$tmp/data/device-ca.crt"
      --device-ca-key "$tmp/data/device-ca.key")
    start_posfleetd "posfleetd$k" "${own[@]}" "$@"
    srv_pids+=("$pf_pid")
    srv_urls+=("$pf_url")
  done
}

# mem_kib PID [VmRSS|VmHWM]: a process's resident memory now (or its peak) in KiB.
mem_kib() { sed -n "s/^${2:-VmRSS}:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }

# --- nginx ----------------------------------------------------------------------
# start_nginx DIR WORKERS PORT SERVER_BODY [HTTP_BODY]: nginx under DIR
# (config, logs, temp files) listening on 127.0.0.1:PORT with SERVER_BODY
# inside its server block and HTTP_BODY (an upstream) before it; its pid goes
# into the caller's `pids` and `ng_pid`.
# keepalive_requests: nginx closes a keep-alive connection after 1000 requests
# by default, posfleetd never does; lift it so both keep their connections.
start_nginx() {
  local dir=$1 workers=$2 port=$3 body=$4 http=${5:-}
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<CONF
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  server_tokens off;
  keepalive_requests 100000000;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
$http
  server {
    listen 127.0.0.1:$port;
$body
  }
}
CONF
  "$NGINX" -p "$dir/" -e "$dir/logs/error.log" -c "$dir/nginx.conf" >"$dir/stdout" 2>&1 &
  ng_pid=$!
  pids+=("$ng_pid")
}

# start_lb DIR WORKERS PORT URL...: nginx on 127.0.0.1:PORT as the load
# balancer in front of the posfleetd at URL... (round-robin), configured as
# tests/e2e/harness.py's Nginx, plus keep-alive connections to the servers (a
# new TCP connection per request would cost more than the poll). Waits until
# it answers; sets lb_pid and lb_url.
start_lb() {
  local dir=$1 workers=$2 port=$3 u servers=
  shift 3
  for u in "$@"; do servers+="    server ${u#http://};"$'\n'; done
  # keepalive: idle connections each worker keeps per upstream block, more than
  # the benchmarks' 64 clients can have in flight, so none is closed and
  # reopened; keepalive_requests/timeout: never retire a busy one; proxy_read_timeout: a
  # deployment to the whole fleet answers after minutes (docs/operations.md).
  start_nginx "$dir" "$workers" "$port" "    client_max_body_size 0;
    location / {
      proxy_pass http://posfleet;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host \$http_host;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 2s;
      proxy_read_timeout 900s;
    }" "  upstream posfleet {
$servers    keepalive 128;
    keepalive_requests 100000000;
    keepalive_timeout 600s;
  }"
  lb_pid=$ng_pid
  lb_url=http://127.0.0.1:$port
  # Up when a request reaches a server through it (any answer but 502).
  for _ in $(seq 100); do
    /usr/bin/python3 - "$lb_url/api/v1/openapi.json" 2>/dev/null <<'PY' && return 0
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2).read()
except urllib.error.HTTPError as e:
    sys.exit(e.code == 502)
PY
    kill -0 "$lb_pid" 2>/dev/null || die "nginx (load balancer) exited: $(cat "$dir/stdout" "$dir/logs/error.log" 2>/dev/null)"
    sleep 0.1
  done
  die "nginx (load balancer) did not answer within 10s: $(cat "$dir/logs/error.log" 2>/dev/null)"
}

# Run a long step in the background and wait for it: bash defers traps until
# a foreground child exits, but `wait` returns at once on a signal, so an
# interrupt stops the run now and the caller's cleanup() kills $step as well.
interruptible() {
  "$@" &
  step=$!
  local rc=0
  wait "$step" || rc=$?
  step=
  return "$rc"
}
