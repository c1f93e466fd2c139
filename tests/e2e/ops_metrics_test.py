"""End to end, real processes on loopback: the operations kit (issue "Ready for
production", metrics, systemd, logs).

- GET /metrics in the Prometheus text format shows polls, requests by route
  pattern and status class, latency histograms, downloads, deployments, the
  database and the process; it is closed to addresses outside --metrics-allow
  (also behind a trusted proxy on loopback) and, with --metrics-token-file,
  to scrapers without the token.
- posfleetd and posfleet-agent tell systemd READY=1 over $NOTIFY_SOCKET (a
  unix datagram socket this test binds): posfleetd only once its port answers,
  and STOPPING=1 when SIGTERM starts the drain.
- --log-format json writes one JSON object per line on stderr; under journald
  (JOURNAL_STREAM naming stderr) lines carry a <priority> and no timestamp.
- The unit files pass `systemd-analyze verify` and keep their hardening.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BOOTSTRAP_TOKEN, ADMIN_PASSWORD, Agent, FleetTestCase, Server,  # noqa: E402
                     Workspace, binary, wait_until)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNITS = os.path.join(ROOT, "packaging", "systemd")


def get(url, headers=None):
    """(status, body) of a GET, errors included."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def read(path):
    with open(path) as f:
        return f.read()


def samples(text):
    """{'name{labels}': value} of a Prometheus text exposition, checking each line's shape."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.fullmatch(r"# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+", line), line
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)', line)
        assert m, line
        out[m.group(1)] = float(m.group(2))
    return out


class NotifySocket:
    """A unix datagram socket standing in for systemd's notification socket."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)

    def receive(self, timeout):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(4096).decode()
        except socket.timeout:
            return None

    def close(self):
        self.sock.close()


class MetricsTest(FleetTestCase, unittest.TestCase):
    WORKSPACE = "metrics"

    def metrics(self):
        status, body = get(self.server.url + "/metrics")
        self.assertEqual(status, 200, body)
        return samples(body)

    def test_metrics_show_polls_requests_latency_deployments_and_process(self):
        publish = __import__("harness").publish_release
        publish(self.cli, self.ws.path, "2.0.0")
        token = self.cli.json("terminal", "register", "--serial", "PM0001", "--model", "A920")["token"]
        self.cli.run("deploy", "--release", "2.0.0", "--terminal", "PM0001")
        pub = os.path.join(self.ws.path, "keys", "release.pub")
        agent = Agent(self.ws.path, self.server.url, "PM0001", token, "A920", [pub])
        self.agents.append(agent)
        agent.start()
        wait_until("the agent to install 2.0.0",
                   lambda: self.metrics().get('posfleet_deployments{status="finished",result="success"}') == 1,
                   timeout=90)
        m = self.metrics()
        self.assertGreaterEqual(m['posfleet_ddi_polls_total{status="2xx"}'], 1)
        base = 'method="GET",route="/{tenant}/controller/v1/{controllerId}"'
        self.assertEqual(m['posfleet_http_requests_total{%s,status="2xx"}' % base],
                         m['posfleet_ddi_polls_total{status="2xx"}'])
        self.assertEqual(m['posfleet_http_request_duration_seconds_bucket{%s,le="+Inf"}' % base],
                         m['posfleet_http_request_duration_seconds_count{%s}' % base])
        download = 'method="GET",route="/{tenant}/controller/v1/{controllerId}/softwaremodules/' \
                   '{softwareModuleId}/artifacts/{fileName}"'
        self.assertGreaterEqual(m['posfleet_http_requests_total{%s,status="2xx"}' % download], 1)
        self.assertEqual(m["posfleet_downloads_active"], 0)
        self.assertEqual(m["posfleet_downloads_refused_total"], 0)
        self.assertEqual(m['posfleet_rollout_terminals{release="2.0.0",state="success"}'], 1)
        self.assertEqual(m['posfleet_rollout_terminals{release="2.0.0",state="running"}'], 0)
        self.assertEqual(m["posfleet_store_up"], 1)
        self.assertGreater(m['posfleet_database_size_bytes{file="database"}'], 0)
        self.assertGreater(m["process_open_fds"], 3)
        self.assertGreater(m["process_resident_memory_bytes"], 1_000_000)
        # The serial is in the paths the agent used, never in a label.
        status, body = get(self.server.url + "/metrics")
        self.assertNotIn("PM0001", body)
        with urllib.request.urlopen(self.server.url + "/metrics", timeout=10) as r:
            self.assertEqual(r.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")


class MetricsAccessTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("metrics-access")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.ws.cleanup()

    def start(self, name, *args):
        os.makedirs(os.path.join(self.ws.path, name))
        s = Server(os.path.join(self.ws.path, name), extra_args=args)
        self.servers.append(s)
        return s

    def test_only_allowed_addresses_and_the_token_holder_may_scrape(self):
        closed = self.start("closed", "--metrics-allow", "10.0.0.0/8,fd00::/8")
        status, body = get(closed.url + "/metrics")
        self.assertEqual(status, 403, body)
        self.assertEqual(json.loads(body)["error"]["code"], "forbidden")
        self.assertIn("--metrics-allow", json.loads(body)["error"]["message"])

        # nginx on loopback in front: the client X-Forwarded-For names is the one checked.
        proxied = self.start("proxied", "--trusted-proxy", "127.0.0.1")
        self.assertEqual(get(proxied.url + "/metrics", {"X-Forwarded-For": "203.0.113.9"})[0], 403)
        self.assertEqual(get(proxied.url + "/metrics")[0], 200)

        token_file = os.path.join(self.ws.path, "metrics.token")
        with open(token_file, "w") as f:
            f.write("scrape-" + os.urandom(16).hex() + "\n")
        with open(token_file) as f:
            token = f.read().strip()
        locked = self.start("locked", "--metrics-token-file", token_file)
        status, body = get(locked.url + "/metrics")
        self.assertEqual(status, 401, body)
        self.assertIn("--metrics-token-file", json.loads(body)["error"]["message"])
        self.assertEqual(get(locked.url + "/metrics", {"Authorization": "Bearer " + token[:-1] + "x"})[0], 401)
        status, body = get(locked.url + "/metrics", {"Authorization": "Bearer " + token})
        self.assertEqual(status, 200, body)
        self.assertIn("posfleet_uptime_seconds", body)

    def test_a_bad_setting_stops_posfleetd_with_a_clear_message(self):
        for args, words in ((("--metrics-allow", "10.0.0.0/33"), "is not an address or CIDR block"),
                            (("--metrics-token-file", "/nonexistent/token"), "/nonexistent/token")):
            p = subprocess.run([binary("POSFLEETD"), "--data-dir", os.path.join(self.ws.path, "bad"),
                                "--listen", "127.0.0.1:0", *args], capture_output=True, text=True, timeout=30,
                               env=dict(os.environ, POSFLEET_BOOTSTRAP_TOKEN=BOOTSTRAP_TOKEN,
                                        POSFLEET_ADMIN_PASSWORD=ADMIN_PASSWORD))
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(words, p.stderr)


class SystemdTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("systemd")
        self.procs, self.files = [], []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for f in self.files:
            f.close()
        self.ws.cleanup()

    def posfleetd(self, *args, env=None, stderr=subprocess.STDOUT, name="server"):
        data = os.path.join(self.ws.path, name)
        log = open(os.path.join(self.ws.path, name + ".out"), "w+")
        self.files.append(log)
        p = subprocess.Popen([binary("POSFLEETD"), "--data-dir", data, *args],
                             stdout=log, stderr=stderr,
                             env=dict(os.environ, POSFLEET_BOOTSTRAP_TOKEN=BOOTSTRAP_TOKEN,
                                      POSFLEET_ADMIN_PASSWORD=ADMIN_PASSWORD, **(env or {})))
        self.procs.append(p)
        return p

    def test_posfleetd_is_ready_only_once_its_port_answers_and_says_when_it_drains(self):
        notify = NotifySocket(self.ws.path)
        try:
            p = self.posfleetd("--listen", "127.0.0.1:0", env={"NOTIFY_SOCKET": notify.path})
            ready = notify.receive(timeout=30)
            self.assertIsNotNone(ready, "no READY=1 within 30 s")
            self.assertIn("READY=1", ready.split("\n"))
            url = re.search(r"STATUS=serving on (http://127\.0\.0\.1:\d+)", ready).group(1)
            # At once, no retry: READY=1 promises the port answers.
            status, body = get(url + "/metrics")
            self.assertEqual(status, 200, body)
            p.send_signal(signal.SIGTERM)
            stopping = notify.receive(timeout=30)
            self.assertIsNotNone(stopping, "no STOPPING=1 after SIGTERM")
            self.assertIn("STOPPING=1", stopping.split("\n"))
            self.assertEqual(p.wait(timeout=30), 0)
        finally:
            notify.close()

    def test_the_agent_is_ready_once_its_daemon_runs_and_logs_json(self):
        server = Server(self.ws.path)
        notify = NotifySocket(self.ws.path)
        try:
            cli = __import__("harness").Cli(server, self.ws.path)
            token = cli.json("terminal", "register", "--serial", "PS0001", "--model", "A920")["token"]
            cli.run("key", "generate", "--out", "keys/release")
            agent = Agent(self.ws.path, server.url, "PS0001", token, "A920",
                          [os.path.join(self.ws.path, "keys", "release.pub")])
            err_path = os.path.join(self.ws.path, "agent-stderr.jsonl")
            with open(err_path, "w") as err:
                p = subprocess.Popen([binary("POSFLEET_AGENT"), "-c", agent.config_path, "run", "--log-format", "json"],
                                     stdout=subprocess.DEVNULL, stderr=err,
                                     env=dict(os.environ, NOTIFY_SOCKET=notify.path))
                self.procs.append(p)
                ready = notify.receive(timeout=30)
                self.assertIsNotNone(ready, "the agent sent no READY=1:\n" + read(err_path))
                self.assertIn("READY=1", ready.split("\n"))
                self.assertIn("STATUS=polling " + server.url, ready)
                # Ready means its local socket (the menu's) answers too.
                self.assertTrue(agent.call({"cmd": "status"}, timeout=10).get("ok"))
                p.send_signal(signal.SIGTERM)
                self.assertIn("STOPPING=1", (notify.receive(timeout=30) or "").split("\n"))
                self.assertEqual(p.wait(timeout=30), 0)
            lines = read(err_path).splitlines()
            self.assertTrue(lines)
            for line in lines:
                entry = json.loads(line)
                self.assertEqual(set(entry), {"time", "level", "message", "fields"}, line)
                self.assertEqual(entry["fields"]["program"], "posfleet-agent")
            self.assertTrue(any("terminal PS0001 (A920) running" in json.loads(l)["message"] for l in lines), lines)
        finally:
            notify.close()
            server.stop()

    def test_json_logs_are_one_object_per_line(self):
        err_path = os.path.join(self.ws.path, "stderr.jsonl")
        with open(err_path, "w") as err:
            p = self.posfleetd("--listen", "127.0.0.1:0", "--log-format", "json", stderr=err)
            wait_until("posfleetd to listen", lambda: "listening on" in read(err_path), timeout=20)
            url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", read(err_path)).group(1)
            self.assertEqual(get(url + "/metrics")[0], 200)
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=30), 0)
        with open(err_path, "rb") as f:
            raw = f.read()
        raw.decode("utf-8")  # valid UTF-8 throughout
        lines = raw.decode().splitlines()
        self.assertGreaterEqual(len(lines), 3, raw)
        messages = []
        for line in lines:
            entry = json.loads(line)
            self.assertEqual(set(entry), {"time", "level", "message", "fields"}, line)
            self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(entry["level"], ("trace", "debug", "info", "warn", "error", "critical"))
            self.assertEqual(entry["fields"]["program"], "posfleetd")
            self.assertEqual(entry["fields"]["pid"], p.pid)
            messages.append(entry["message"])
        self.assertTrue(any(m.startswith("posfleetd listening on http://127.0.0.1:") for m in messages), messages)
        self.assertTrue(any("draining" in m for m in messages), messages)
        self.assertIn("posfleetd stopped", messages)

    def test_under_journald_lines_have_a_priority_and_no_timestamp(self):
        err_path = os.path.join(self.ws.path, "journal-stream")
        with open(err_path, "w") as err:
            st = os.fstat(err.fileno())
            p = self.posfleetd("--listen", "127.0.0.1:0", stderr=err,
                               env={"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
            wait_until("posfleetd to listen",
                       lambda: "listening on" in read(os.path.join(self.ws.path, "server.out")), timeout=20)
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=30), 0)
        with open(err_path) as f:
            lines = f.read().splitlines()
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[0-7]>[^\[]", "a priority, then the message, no timestamp")
        self.assertTrue(any(l.startswith("<6>signal 15 received: draining") for l in lines), lines)

    def test_unit_files_verify_and_keep_their_hardening(self):
        required = {
            "Type": "notify", "NotifyAccess": "main", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
            "ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "", "Restart": "on-failure",
        }
        for unit, program, state in (("posfleetd.service", "posfleetd", "posfleetd"),
                                     ("posfleet-agent.service", "posfleet-agent", "posfleet-agent")):
            with open(os.path.join(UNITS, unit)) as f:
                text = f.read()
            keys = {}
            for line in text.splitlines():
                if "=" in line and not line.startswith("#"):
                    k, v = line.split("=", 1)
                    keys.setdefault(k.strip(), []).append(v.strip())
            for k, v in required.items():
                self.assertIn(v, keys.get(k, []), f"{unit}: {k}={v} missing")
            self.assertIn("@system-service", keys["SystemCallFilter"], unit)
            self.assertEqual(keys["StateDirectory"], [state], unit)
            self.assertTrue(keys.get("User") or keys.get("DynamicUser"), unit)
            self.assertTrue(keys["ExecStart"][0].startswith(f"/usr/bin/{program} "), unit)

        analyze = shutil.which("systemd-analyze")
        if not analyze:
            self.skipTest("systemd-analyze is not installed (Debian package systemd)")
        # The units as installed, with ExecStart pointing at the built programs.
        d = tempfile.mkdtemp(prefix="pf-units-")
        try:
            for unit, program in (("posfleetd.service", "POSFLEETD"), ("posfleet-agent.service", "POSFLEET_AGENT")):
                with open(os.path.join(UNITS, unit)) as f:
                    text = f.read()
                name = os.path.basename(binary(program))
                with open(os.path.join(d, unit), "w") as f:
                    f.write(text.replace(f"/usr/bin/{name}", os.path.abspath(binary(program))))
                p = subprocess.run([analyze, "verify", os.path.join(d, unit)], capture_output=True, text=True,
                                   timeout=60)
                complaints = [l for l in (p.stdout + p.stderr).splitlines() if unit in l]
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertEqual(complaints, [], "systemd-analyze verify complains")
                p = subprocess.run([analyze, "security", "--offline=true", os.path.join(d, unit)],
                                   capture_output=True, text=True, timeout=60)
                m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", p.stdout + p.stderr)
                self.assertTrue(m, p.stdout + p.stderr)
                self.assertLessEqual(float(m.group(1)), 2.0, f"{unit} exposure: " + m.group(0))
        finally:
            shutil.rmtree(d)


if __name__ == "__main__":
    unittest.main()
