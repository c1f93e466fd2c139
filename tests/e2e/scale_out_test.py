"""End to end: several posfleetd servers on one PostgreSQL serve one fleet
(docs/operations.md, PostgreSQL). Three servers share a fresh database in the
test cluster (POSFLEET_TEST_PG_DIR, scripts/pg-cluster), an artifact
directory, the secret key and the device CA; Debian's nginx on loopback
balances them round-robin.

- What one server does, another sees: a terminal registered on server 2 polls
  server 3 and gets the deployment made on server 2, reads its deployment from
  server 1 and downloads the artifact from server 2, byte for byte; a console
  session made on server 1 works on server 3 and, logged out on server 2, on
  none.
- A staged rollout through nginx with real agents and a stock swupdate client:
  mid-rollout the server that advances it (the holder of the `rollouts`
  lease) is killed with SIGKILL; another takes the lease, the rollout
  finishes, every terminal runs the release once, each has one deployment of
  it, and the audit chain is whole.
- Limits hold across servers: five wrong passwords for one name spread over
  the three servers lock it on every one (the right password too), and the
  public routes' 60 a minute per address count the requests made to all three.
"""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
sys.dont_write_bytecode = True
from harness import (ADMIN_PASSWORD, Agent, Browser, Cli, Nginx, Server, Workspace, free_port,  # noqa: E402
                     new_postgres_database, publish_release, wait_until)


class Front:
    """What Cli needs of a server: the URL it talks to (nginx's)."""

    def __init__(self, url):
        self.url, self.tls = url, None


class ScaleOutTest(unittest.TestCase):

    def setUp(self):
        self.ws = Workspace(self.id().split(".")[-1][5:])
        self.servers, self.agents, self.nginx = [], [], None
        database = new_postgres_database()
        shared = os.path.join(self.ws.path, "shared")
        os.makedirs(shared)
        port = free_port()
        common = ("--artifact-dir", os.path.join(shared, "artifacts"), "--secret-key", os.path.join(shared, "secret.key"),
                  "--external-url", f"http://127.0.0.1:{port}", "--rollout-tick-ms", "200")
        first = Server(self.ws.path, name="server1", database=database, extra_args=common)
        self.servers.append(first)
        ca = ("--device-ca-cert", os.path.join(first.data_dir, "device-ca.crt"),
              "--device-ca-key", os.path.join(first.data_dir, "device-ca.key"))
        for n in (2, 3):
            self.servers.append(Server(self.ws.path, name=f"server{n}", database=database, extra_args=common + ca))
        self.nginx = Nginx(self.ws.path, [s.url for s in self.servers], port)
        self.cli = Cli(Front(self.nginx.url), self.ws.path)
        self.cli.run("policy", "set", "--window", "00:00-00:00", "--reason", "test fleet installs at any hour")
        self.cli.run("key", "generate", "--out", "keys/release")

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        failed = result and any(t is self for t, _ in result.errors + result.failures)
        for a in self.agents:
            a.stop()
            if failed:
                print(f"--- agent {a.config['terminal']} ---\n{a.output()[-4000:]}", file=sys.stderr)
        if self.nginx:
            self.nginx.stop()
        for s in self.servers:
            s.stop()
            if failed:
                print(f"--- {os.path.basename(s.dir)} ---\n{s.output()[-6000:]}", file=sys.stderr)
        self.ws.cleanup()

    def on(self, server):
        return Cli(server, self.ws.path)

    def test_what_one_server_does_the_others_see(self):
        s1, s2, s3 = self.servers
        publish_release(self.cli, self.ws.path, "2.0.0")
        token = self.on(s2).json("terminal", "register", "--serial", "PF-S1", "--model", "A920")["token"]
        self.on(s2).run("deploy", "--release", "2.0.0", "--terminal", "PF-S1", "--reason", "made on server 2")
        auth = {"Authorization": "TargetToken " + token}

        def get(server, path_or_url):
            url = path_or_url if path_or_url.startswith("http") else server.url + path_or_url
            url = re.sub(r"^http://127\.0\.0\.1:\d+", server.url, url)  # this server, whatever the link says
            with urllib.request.urlopen(urllib.request.Request(url, headers=auth), timeout=30) as r:
                return r.read()

        import json
        poll = json.loads(get(s3, "/DEFAULT/controller/v1/PF-S1"))
        base = poll["_links"]["deploymentBase"]["href"]
        deployment = json.loads(get(s1, base))
        artifact = deployment["deployment"]["chunks"][0]["artifacts"][0]
        data = get(s2, artifact["_links"]["download-http"]["href"])
        self.assertEqual(hashlib.sha256(data).hexdigest(), artifact["hashes"]["sha256"])
        self.assertEqual(len(data), artifact["size"])

        b = Browser(s1.url)
        self.assertEqual(b.log_in("admin", ADMIN_PASSWORD)[0], 200)
        b.port = s3.port
        status, me, _ = b.request("GET", "/api/v1/session")
        self.assertEqual((status, me["name"]), (200, "admin"))
        b.port = s2.port
        self.assertEqual(b.request("DELETE", "/api/v1/session")[0], 200)
        for s in (s1, s3):
            b.port = s.port
            self.assertEqual(b.request("GET", "/api/v1/session")[0], 401)

    def test_a_rollout_survives_losing_the_server_that_advances_it(self):
        from swupdate_test import CYCLE_DONE, HERE as INTEROP, HWREV, MODEL, Proc
        swupdate = shutil.which("swupdate")
        if not swupdate:
            self.fail("swupdate is not installed; run scripts/install-deps.sh")
        serials = [f"PF-R{i}" for i in range(1, 7)]
        for serial in serials:
            reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
            agent = Agent(self.ws.path, self.nginx.url, serial, reg["token"], "A920",
                          [os.path.join(self.ws.path, "keys/release.pub")], precheck_retry_seconds=1)
            self.agents.append(agent)
            agent.start()
        publish_release(self.cli, self.ws.path, "2.0.0")

        # A stock swupdate client through nginx: its own release (its model), its own rollout.
        swu_dir = os.path.join(self.ws.path, "swu")
        subprocess.run(["sh", os.path.join(INTEROP, "make_swu.sh"), swu_dir], check=True, capture_output=True,
                       timeout=60)
        self.cli.run("release", "create", "--dir", "rel-swu", "--version", "5.0.0", "--model", MODEL,
                     "--component", "firmware=" + os.path.join(swu_dir, "test.swu"), "--notes-zh", "测试",
                     "--notes-en", "test")
        self.cli.run("release", "sign", "--dir", "rel-swu", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", "rel-swu")
        sw_token = self.cli.json("terminal", "register", "--serial", "SWU-S1", "--model", MODEL)["token"]
        procs = []

        def run_swupdate(confirm=None):
            tmp = os.path.join(self.ws.path, f"sw{len(procs)}")
            os.makedirs(tmp)
            cfg = os.path.join(tmp, "swupdate.cfg")
            with open(cfg, "w") as f:
                f.write("globals : { };\n")
            suricatta = f"-t DEFAULT -u {self.nginx.url} -i SWU-S1 -p 1 -k {sw_token}"
            if confirm:
                suricatta += f" -c {confirm}"
            p = Proc(f"swupdate#{len(procs)}", [swupdate, "-v", "-n", "-f", cfg, "-k",
                                                os.path.join(swu_dir, "cert.pem"), "-H", HWREV, "-u", suricatta],
                     dict(os.environ, TMPDIR=tmp))
            procs.append(p)
            return p

        try:
            sw = run_swupdate()
            wait_until("swupdate to poll", lambda: self.cli.json("terminal", "show", "SWU-S1").get("last_seen"))
            sw_rollout = self.cli.json("rollout", "create", "--release", "5.0.0", "--serials", "SWU-S1",
                                       "--waves", "100", "--soak", "0", "--start", "--reason", "stock client")["id"]
            rid = self.cli.json("rollout", "create", "--release", "2.0.0", "--serials", ",".join(serials),
                                "--waves", "34,67,100", "--soak", "5", "--start", "--reason", "three servers")["id"]

            def rollout(r):
                return self.cli.json("rollout", "show", str(r))

            # Once the first wave is through (3 of 6: waves round up) and while it soaks, kill the
            # server that advances rollouts.
            wait_until("wave 1 to finish", lambda: rollout(rid)["waves"][0]["counts"].get("success", 0) == 3,
                       timeout=120)
            holder = self.servers[0].sql("SELECT owner FROM leases WHERE name = 'rollouts'")[0][0]
            pid = int(holder.split(":")[1])
            victim = next(s for s in self.servers if s.proc.pid == pid)
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait()
            survivor = next(s for s in self.servers if s is not victim)
            self.assertNotEqual(rollout(rid)["state"], "finished", "the server was killed after the rollout ended")

            self.assertIsNotNone(sw.wait_for_line(re.escape(CYCLE_DONE), 90), sw.text()[-3000:])
            sw.stop()
            sw = run_swupdate(confirm=2)  # "after the reboot": closed/success
            r = wait_until("the rollout to finish", lambda: (lambda r: r if r["state"] == "finished" else None)(
                rollout(rid)), timeout=180)
            self.assertEqual(sum(w["counts"].get("success", 0) for w in r["waves"]), 6, r)
            sw_r = wait_until("the swupdate rollout to finish",
                              lambda: (lambda r: r if r["state"] == "finished" else None)(rollout(sw_rollout)),
                              timeout=90)
            self.assertEqual(sw_r["waves"][0]["counts"]["success"], 1, sw_r)
        except AssertionError:
            for p in procs:
                print(f"--- {p.name} ---\n{p.text()[-3000:]}", file=sys.stderr)
            raise
        finally:
            for p in procs:
                p.stop()

        new_holder = survivor.sql("SELECT owner FROM leases WHERE name = 'rollouts'")[0][0]
        self.assertNotEqual(int(new_holder.split(":")[1]), pid)
        for serial in serials:
            self.assertEqual(self.cli.json("terminal", "show", serial)["installed_version"], "2.0.0")
        counts = survivor.sql("SELECT d.terminal_id, COUNT(*) FROM deployments d JOIN releases r ON r.id = d.release_id"
                              " WHERE r.version = '2.0.0' GROUP BY d.terminal_id")
        self.assertEqual(len(counts), 6, counts)
        self.assertTrue(all(n == "1" for _, n in counts), counts)
        self.assertIn("audit log intact", self.cli.run("audit", "verify").stdout)

    def test_limits_count_on_every_server(self):
        browsers = [Browser(s.url) for s in self.servers]
        for i in range(5):  # wrong passwords, spread over the servers
            status, body, _ = browsers[i % 3].log_in("admin", "not-the-password")
            self.assertEqual(status, 401, body)
        for b in browsers:  # the name is locked everywhere, even with its right password
            status, body, _ = b.log_in("admin", ADMIN_PASSWORD)
            self.assertEqual(status, 429, body)
            self.assertIn("too many failed log-ins", body["error"]["message"])
        answers = [browsers[i % 3].request("POST", "/api/v1/public/applications/status",
                                           {"number": "PA0", "phone": "13800138000"})[0] for i in range(61)]
        self.assertEqual((answers[:60].count(404), answers[60]), (60, 429))
        self.assertEqual(self.servers[0].sql("SELECT COUNT(*) FROM limit_events WHERE key = 'public:127.0.0.1'")[0][0],
                         "60")


if __name__ == "__main__":
    unittest.main(verbosity=2)
