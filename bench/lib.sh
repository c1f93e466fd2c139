# What the benchmarks share (sourced by bench/*/run.sh): errors, free
# loopback ports, and nginx as the yardstick, run from a temporary folder.

die() { echo "run.sh: $*" >&2; exit 1; }

# A port the kernel just handed out and released; nginx cannot take port 0
# and tell us which one it got, posfleetd can.
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_nginx DIR WORKERS PORT SERVER_BODY: nginx under DIR (config, logs,
# temp files) listening on 127.0.0.1:PORT with SERVER_BODY inside its
# server block; its pid goes into the caller's `pids` and `ng_pid`.
# keepalive_requests: nginx closes a keep-alive connection after 1000 requests
# by default, posfleetd never does; lift it so both keep their connections.
start_nginx() {
  local dir=$1 workers=$2 port=$3 body=$4
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
