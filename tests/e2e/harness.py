"""Real-process test harness: starts posfleetd, runs the posfleet CLI and
posfleet-agent on 127.0.0.1 with temporary directories, and waits for
conditions with bounded timeouts.

Binary locations come from the environment (set by tests/CMakeLists.txt):
POSFLEETD, POSFLEET_CLI, POSFLEET_AGENT, or else POSFLEET_BIN_DIR/<program>.

The database backend too: POSFLEET_TEST_BACKEND=postgres gives each Server a
fresh database in the PostgreSQL test cluster that POSFLEET_TEST_PG_DIR names
(scripts/pg-cluster; ctest's pg_cluster fixture starts it); otherwise each
Server keeps SQLite in its data dir.
"""
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import threading
import time
import http.client
import urllib.request
from urllib.parse import urlparse

BOOTSTRAP_TOKEN = "e2e-admin-token"
ADMIN_PASSWORD = "e2e-admin-password"


PROGRAMS = {"POSFLEETD": "posfleetd", "POSFLEET_CLI": "posfleet", "POSFLEET_AGENT": "posfleet-agent"}


def binary(name):
    path = os.environ.get(name) or os.path.join(os.environ.get("POSFLEET_BIN_DIR", ""), PROGRAMS[name])
    if not path or not os.path.exists(path):
        raise RuntimeError(f"{name} is not set to a built binary; run the tests through ctest")
    return path


ON_POSTGRES = os.environ.get("POSFLEET_TEST_BACKEND") == "postgres"
SQLITE = "sqlite"  # Server(database=SQLITE): embedded SQLite in its data dir on either backend
_databases = itertools.count()


class DatabaseError(Exception):
    """A statement the database refused (either backend)."""


def new_postgres_database():
    """A fresh database in the test cluster; returns its URL."""
    pg_dir = os.environ.get("POSFLEET_TEST_PG_DIR")
    if not pg_dir:
        raise RuntimeError("POSFLEET_TEST_BACKEND=postgres needs POSFLEET_TEST_PG_DIR (scripts/pg-cluster)")
    with open(os.path.join(pg_dir, "conninfo")) as f:
        base = f.read().strip()
    name = f"e2e_{os.getpid()}_{next(_databases)}"
    subprocess.run(["psql", base, "-q", "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}"],
                   check=True, capture_output=True, timeout=60)
    return base.rsplit("/", 1)[0] + "/" + name


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def wait_until(what, predicate, timeout=30.0, interval=0.1):
    """Polls predicate() until it returns a truthy value; fails after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


def ssl_context(ca_bundle, client_cert=None, client_key=None):
    """A client-side TLS context that trusts only `ca_bundle` (and presents a
    client certificate when given)."""
    ctx = ssl.create_default_context(cafile=ca_bundle)
    if client_cert:
        ctx.load_cert_chain(client_cert, client_key)
    return ctx


def connect(url, rcvbuf=None, ca_bundle=None):
    """A raw socket to the server at `url` (http://127.0.0.1:PORT, or https:// trusting only
    `ca_bundle`), 30 s per read; `rcvbuf` is set before connecting, so the window stays small."""
    scheme, _, hostport = url.partition("://")
    host, port = hostport.split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(30)
    sock.connect((host, int(port)))
    if scheme == "https":
        sock = ssl_context(ca_bundle).wrap_socket(sock, server_hostname=host)
    return sock


def read_head(sock, data=b""):
    """(status, headers, bytes after the head) of the response on sock."""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a response; got {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers, rest


class SlowDownload(threading.Thread):
    """A download in flight for as long as a test needs one (drain, TLS reload): GETs `path`
    from `url` (https:// trusting `ca_bundle`) with a small receive window and reads the body
    at `rate` bytes/s. Afterwards `received`, `hash` (SHA-256), `length`, `status`, `error`;
    `ended` is set when it stops, whole or cut."""

    def __init__(self, url, path, headers, rate, ca_bundle=None):
        super().__init__(daemon=True)
        self.rate = rate
        self.sock = connect(url, rcvbuf=64 * 1024, ca_bundle=ca_bundle)
        head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.sock.sendall(head.encode())
        self.received, self.length, self.status, self.error = 0, None, None, None
        self.hash = hashlib.sha256()
        self.ended = threading.Event()

    def run(self):
        try:
            self.status, headers, rest = read_head(self.sock)
            self.length = int(headers["content-length"])
            self.hash.update(rest)
            self.received = len(rest)
            started = time.monotonic()
            while self.received < self.length:
                chunk = self.sock.recv(16 * 1024)
                if not chunk:
                    break
                self.hash.update(chunk)
                self.received += len(chunk)
                ahead = self.received / self.rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
        except OSError as e:
            self.error = e
        finally:
            self.sock.close()
            self.ended.set()


class Server:
    """posfleetd on a free loopback port, data in its own temp dir; `extra_args`
    are further posfleetd flags, e.g. ("--max-downloads", "2"); `preexec` runs
    in the child before posfleetd starts (e.g. to lower its descriptor limit);
    `listen` may be "0.0.0.0:0" (the url stays on 127.0.0.1).
    `tls` (a test_ca.ServerTls) serves HTTPS: the url is then https://...,
    and api() trusts tls.ca_bundle. `database`: a postgresql:// URL, SQLITE, or None for the
    backend the test runs on."""

    def __init__(self, workdir, poll_seconds=1, extra_args=(), preexec=None, tls=None, listen="127.0.0.1:0",
                 name="server", database=None):
        self.preexec = preexec
        self.tls = tls
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        self.log_path = os.path.join(self.dir, "posfleetd.log")
        self.database = None if database == SQLITE else database or (
            new_postgres_database() if ON_POSTGRES else None)
        self.args = ["--data-dir", os.path.join(self.dir, "var"), "--listen", listen,
                     *(("--database", self.database) if self.database else ()),
                     "--poll-seconds", str(poll_seconds), "--threads", "2",
                     *(tls.args() if tls else ()), *extra_args]
        self.log = open(self.log_path, "w+")
        self._start()

    def _start(self):
        env = dict(os.environ, POSFLEET_BOOTSTRAP_TOKEN=BOOTSTRAP_TOKEN, POSFLEET_ADMIN_PASSWORD=ADMIN_PASSWORD)
        self.started_at = os.path.getsize(self.log_path)
        self.proc = subprocess.Popen([binary("POSFLEETD"), *self.args], stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env, preexec_fn=self.preexec)
        self.url = wait_until("posfleetd to listen", self._listening, timeout=20)

    def restart(self):
        """Stops and starts again on the same data (and a new port)."""
        self.stop()
        self.log = open(self.log_path, "a")
        self._start()

    def offline(self, *args):
        """Runs `posfleetd --data-dir <its data> <args>` (e.g. rotate-secret-key); returns the CompletedProcess."""
        database = ("--database", self.database) if self.database else ()
        return subprocess.run([binary("POSFLEETD"), "--data-dir", self.data_dir, *database, *args],
                              capture_output=True, text=True, timeout=60)

    def sql(self, statement, params=()):
        """Runs one SQL statement on this server's database behind its back (to travel in time
        or to tamper); returns its rows as tuples of strings (PostgreSQL) or values (SQLite).
        `?` placeholders take `params`. Raises DatabaseError if the database refuses it."""
        if not self.database:
            try:
                with sqlite3.connect(os.path.join(self.data_dir, "posfleet.db")) as db:
                    return db.execute(statement, params).fetchall()
            except sqlite3.DatabaseError as e:
                raise DatabaseError(str(e)) from e
        values = iter(params)
        text = re.sub(r"\?", lambda _: sql_literal(next(values)), statement)
        p = subprocess.run(["psql", self.database, "-qAt", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-c", text],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise DatabaseError(p.stderr.strip())
        return [tuple(line.split("\x1f")) for line in p.stdout.splitlines()]

    def database_files(self):
        """Files that hold the database's bytes: SQLite's, or a fresh pg_dump of PostgreSQL's."""
        if not self.database:
            import glob
            return glob.glob(os.path.join(self.data_dir, "posfleet.db*"))
        dump = os.path.join(self.dir, "database.dump")
        subprocess.run(["pg_dump", "-f", dump, self.database], check=True, capture_output=True, timeout=120)
        return [dump]

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError("posfleetd exited early:\n" + self.output())
        m = re.search(r"listening on (https?)://(127\.0\.0\.1|0\.0\.0\.0):(\d+)", self.output()[self.started_at:])
        return m and f"{m.group(1)}://127.0.0.1:{m.group(3)}"  # every address includes loopback

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    @property
    def data_dir(self):
        return os.path.join(self.dir, "var")

    @property
    def port(self):
        return urlparse(self.url).port

    def ssl_context(self, client_cert=None, client_key=None):
        """For a client of this server: trusts its CA (None when it serves plain HTTP)."""
        return ssl_context(self.tls.ca_bundle, client_cert, client_key) if self.tls else None

    def connection(self, timeout=30, **tls_client):
        """An http.client connection to it (HTTPS when it serves TLS)."""
        if self.tls:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                               context=self.ssl_context(**tls_client))
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def reload(self):
        """SIGHUP: posfleetd reads its TLS files again for new connections."""
        self.proc.send_signal(signal.SIGHUP)

    def api(self, method, path, body=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + BOOTSTRAP_TOKEN,
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10, context=self.ssl_context()) as r:
            return json.loads(r.read() or b"null")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Cli:
    """The posfleet operator CLI against one server, working in `cwd`. With a
    TLS server it pins the server's CA (POSFLEET_CA_BUNDLE) unless `ca_bundle`
    names another; `env` adds or overrides environment variables."""

    def __init__(self, server, cwd, ca_bundle=None, env=None):
        self.server, self.cwd = server, cwd
        self.ca_bundle = ca_bundle or (server.tls.ca_bundle if getattr(server, "tls", None) else None)
        self.env = dict(env or {})

    def run(self, *args, check=True, timeout=60):
        # English text whatever the locale of the machine (the CLI follows LANG).
        env = {k: v for k, v in os.environ.items()
               if k not in ("LC_ALL", "LC_MESSAGES", "POSFLEET_CA_BUNDLE", "POSFLEET_ALLOW_PLAIN_HTTP")}
        env.update(POSFLEET_SERVER=self.server.url, POSFLEET_TOKEN=BOOTSTRAP_TOKEN, LANG="C.UTF-8")
        if self.ca_bundle:
            env["POSFLEET_CA_BUNDLE"] = self.ca_bundle
        env.update(self.env)
        p = subprocess.run([binary("POSFLEET_CLI"), *args], cwd=self.cwd, env=env, capture_output=True,
                           text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"posfleet {' '.join(args)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
        return p

    def json(self, *args):
        return json.loads(self.run("--json", *args).stdout)


def publish_release(cli, workdir, version, size=20_000):
    """Creates, signs (keys/release.key) and publishes an A920 release with one
    random `os` component of `size` bytes."""
    path = os.path.join(workdir, f"os-{version}.img")
    with open(path, "wb") as f:
        f.write(os.urandom(size))
    cli.run("release", "create", "--dir", f"rel-{version}", "--version", version, "--model", "A920",
            "--component", f"os={path}", "--notes-zh", "系统更新", "--notes-en", "System update")
    cli.run("release", "sign", "--dir", f"rel-{version}", "--key", "keys/release.key")
    cli.run("release", "publish", "--dir", f"rel-{version}")


class Agent:
    """A simulated terminal: posfleet-agent with its own config and device dir.
    `extra` are further config keys, e.g. ca_bundle=..., client_cert=...,
    client_key=... for a TLS server. Against an http:// server the config
    allows plain HTTP (the agent refuses it otherwise) unless `extra` says."""

    def __init__(self, workdir, server_url, serial, token, model, trusted_keys, **extra):
        self.dir = os.path.join(workdir, "agent-" + serial)
        os.makedirs(self.dir, exist_ok=True)
        self.config_path = os.path.join(self.dir, "agent.json")
        self.config = {"server": server_url, "tenant": "DEFAULT", "terminal": serial, "token": token,
                       "model": model, "device_dir": "device", "trusted_keys": list(trusted_keys),
                       "max_poll_seconds": 1}
        if server_url.startswith("http://"):
            self.config["allow_plain_http"] = True
        self.config.update(extra)
        self.write_config()
        self.proc = None
        self.log_path = os.path.join(self.dir, "agent.log")

    def write_config(self, **changes):
        self.config.update(changes)
        with open(self.config_path, "w") as f:
            json.dump(self.config, f)

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([binary("POSFLEET_AGENT"), "-c", self.config_path, "run"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        # Ready when its local socket is there (a stale one is removed at start).
        wait_until("the agent's local socket", lambda: self.proc.poll() is not None or self._socket_answers(),
                   timeout=20)
        if self.proc.poll() is not None:
            raise AssertionError("posfleet-agent exited at start:\n" + self.output())
        return self

    def _socket_answers(self):
        try:
            return self.call({"cmd": "status"}, timeout=5).get("ok")
        except OSError:
            return False

    def kill(self):
        """SIGKILL: the agent gets no chance to tidy up, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
            self.log.close()

    def output(self):
        if not os.path.exists(self.log_path):
            return ""
        with open(self.log_path) as f:
            return f.read()

    def status(self):
        p = subprocess.run([binary("POSFLEET_AGENT"), "-c", self.config_path, "status", "--json"],
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise AssertionError("posfleet-agent status failed:\n" + p.stderr)
        return json.loads(p.stdout)

    def call(self, request, timeout=30):
        """One request over the daemon's local socket (the menu's protocol)."""
        import socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(os.path.join(self.device_dir, "agent.sock"))
            s.sendall(json.dumps(request).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)

    def status_text(self):
        return subprocess.run([binary("POSFLEET_AGENT"), "-c", self.config_path, "status"],
                              capture_output=True, text=True, timeout=30).stdout

    @property
    def device_dir(self):
        return os.path.join(self.dir, "device")


class Nginx:
    """Debian's nginx on a free loopback port as a round-robin load balancer in front of
    `upstreams` (http://127.0.0.1:PORT URLs); a request a server fails to answer (connection
    refused or reset) goes to the next one. With `static` = (PREFIX, FOLDER) instead it serves
    the files of FOLDER at URL path PREFIX (e.g. "/posfleet/"), as a CDN would posfleetd's
    artifact folder. Stopped with stop()."""

    def __init__(self, workdir, upstreams, port=None, static=None, name="nginx"):
        self.dir = os.path.join(workdir, name)
        os.makedirs(os.path.join(self.dir, "logs"), exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "".join(f"    server {urlparse(u).netloc} max_fails=1 fail_timeout=5s;\n" for u in upstreams)
        if static:
            upstream, location = "", f"""    location {static[0]} {{
      alias {static[1].rstrip("/")}/;
    }}"""
        else:
            upstream = f"""  upstream posfleet {{
{servers}  }}
"""
            location = """    location / {
      proxy_pass http://posfleet;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 2s;
    }"""
        d = self.dir
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(f"""worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
  log_format withauth '"$request" $status $body_bytes_sent authorization="$http_authorization"';
  access_log {d}/logs/access.log withauth;
  client_body_temp_path {d}/client_body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  client_max_body_size 0;
{upstream}  server {{
    listen 127.0.0.1:{self.port};
{location}
  }}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([nginx, "-p", d + "/", "-e", d + "/logs/error.log", "-c", d + "/nginx.conf"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until("nginx to listen", self._listening, timeout=20)

    def _listening(self):
        if self.proc.poll() is not None:
            with open(os.path.join(self.dir, "logs/error.log")) as f:
                raise AssertionError("nginx exited early:\n" + f.read())
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def access_log(self):
        with open(os.path.join(self.dir, "logs/access.log")) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Workspace:
    """A temp dir removed at the end unless POSFLEET_KEEP_TEST_DIRS=1."""

    def __init__(self, name):
        # Short: the agent's Unix socket lives below it, and socket paths end at 107 bytes.
        self.path = tempfile.mkdtemp(prefix=f"pf-{name[:20]}-")

    def cleanup(self):
        if os.environ.get("POSFLEET_KEEP_TEST_DIRS") != "1":
            shutil.rmtree(self.path, ignore_errors=True)


class TamperingProxy:
    """A compromised server in front of posfleetd: forwards every request, but
    appends `extra` bytes to artifact downloads (the Content-Length grows to
    match). Used to prove the agent refuses bytes beyond the signed length.
    posfleetd's links name its own address (--external-url), so the proxy
    rewrites them to its own, as a server in front would."""

    def __init__(self, upstream_url, extra=4096):
        import http.client
        import http.server
        import threading
        from urllib.parse import urlparse
        up = urlparse(upstream_url)
        proxy_url = [""]  # known once bound

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(up.hostname, up.port, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "range"}
                conn.request(self.command, self.path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read().replace(upstream_url.rstrip("/").encode(), proxy_url[0].encode())
                if self.command == "GET" and "/artifacts/" in self.path and not self.path.endswith(".MD5SUM") \
                        and r.status == 200:
                    data += b"\0" * extra
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = _forward

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        proxy_url[0] = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Browser:
    """Just enough of a browser: keeps the session cookie, sends JSON. For an
    https:// url, `ca_bundle` is the CA it trusts."""

    def __init__(self, url, ca_bundle=None):
        self.url, self.ca_bundle = url, ca_bundle
        u = urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.context = ssl_context(ca_bundle) if u.scheme == "https" else None
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, csrf=True):
        if self.context:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=30, context=self.context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if csrf and self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = conn.getresponse()
        data = r.read()
        set_cookie = r.getheader("Set-Cookie")
        conn.close()
        if not data:
            return r.status, None, set_cookie
        if "json" not in (r.getheader("Content-Type") or ""):
            return r.status, data.decode(errors="replace"), set_cookie  # e.g. an audit export
        return r.status, json.loads(data), set_cookie

    def log_in(self, name, password):
        status, body, set_cookie = self.request("POST", "/api/v1/session", {"name": name, "password": password})
        if status == 200:
            self.cookie = set_cookie.split(";")[0]
            self.csrf = body["csrf"]
        return status, body, set_cookie

    def user_in(self, organisation, name, role, password):
        """As an administrator: makes user `name` of `organisation` (an id) with `role`, and
        returns the user as the server made it and a Browser logged in as it."""
        status, made, _ = self.request("POST", "/api/v1/users", {
            "name": name, "role": role, "password": password, "organisation": organisation})
        if status != 201:
            raise AssertionError(f"making user {name}: {status} {made}")
        user = Browser(self.url, self.ca_bundle)
        status, body, _ = user.log_in(name, password)
        if status != 200:
            raise AssertionError(f"logging in as {name}: {status} {body}")
        return made, user


class FleetTestCase:
    """Mixin for unittest.TestCase: a posfleetd with its CLI, a signing key in
    keys/release.{key,pub}, the fleet window open all day (the default
    22:00-06:00 would hold every test install), agents stopped afterwards, and
    their logs and the server's printed when the test failed.

    Subclasses may set SERVER_ARGS (extra posfleetd flags) and WORKSPACE, and
    override server_tls() to serve HTTPS (e.g. with a test_ca.TestCA made in
    self.ws.path)."""

    SERVER_ARGS = ()
    WORKSPACE = None

    def server_tls(self):
        """None (plain HTTP on loopback); a subclass returns a test_ca.ServerTls to serve HTTPS."""
        return None

    def setUp(self):
        self.ws = Workspace(self.WORKSPACE or self.id().split(".")[-1][5:])
        self.server = Server(self.ws.path, extra_args=self.SERVER_ARGS, tls=self.server_tls())
        self.cli = Cli(self.server, self.ws.path)
        self.cli.run("policy", "set", "--window", "00:00-00:00", "--reason", "test fleet installs at any hour")
        self.cli.run("key", "generate", "--out", "keys/release")
        self.agents = []

    def tearDown(self):
        import sys
        result = getattr(self._outcome, "result", None)
        failed = result and any(t is self for t, _ in result.errors + result.failures)
        for a in self.agents:
            a.stop()
            if failed:
                print(f"--- agent {a.config['terminal']} ---\n{a.output()[-6000:]}", file=sys.stderr)
        self.server.stop()
        if failed:
            print("--- posfleetd ---\n" + self.server.output()[-8000:], file=sys.stderr)
        self.ws.cleanup()
