"""End to end, real processes on loopback: `posfleetd backup` taken while the
server is under load, and `posfleetd restore` (docs/operations.md, "Backup and
restore").

Three agents poll and install a release while four threads register terminals and
move them between groups (each an audited change). A backup is taken in the
middle of it. Every terminal whose registration was answered before the backup
began is in it, none asked for after it ended is, and each terminal in it has
its audit entry (row and entry commit together, so a consistent copy has both
or neither). The backup is restored into a new data directory; restore says
what it does not hold (the artifacts); posfleetd started on it serves, and the
audit chain verifies there (server and CLI). Refusals: a backup over an
existing file without --force, a restore over a database without --force, a
file that is no posfleet database, and a backup whose audit log was edited.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BOOTSTRAP_TOKEN, Agent, Cli, FleetTestCase, Server, Workspace, binary,  # noqa: E402
                     publish_release, wait_until)

PRELOAD = 300  # terminals registered before the load starts, so the copy has some size
AGENTS = 3
REGISTRARS = 3  # threads registering terminals


def posfleetd(*args):
    return subprocess.run([binary("POSFLEETD"), *args], capture_output=True, text=True, timeout=120)


class RestoredServer(Server):
    """posfleetd on a data directory that already exists (workdir/server/var)."""

    def __init__(self, workdir):
        self.preexec = None
        self.tls = None  # plain HTTP on loopback, as the backed-up server
        self.dir = os.path.join(workdir, "server")
        self.log_path = os.path.join(self.dir, "posfleetd.log")
        self.args = ["--data-dir", os.path.join(self.dir, "var"), "--listen", "127.0.0.1:0",
                     "--poll-seconds", "1", "--threads", "2"]
        self.log = open(self.log_path, "w+")
        self._start()


class Load:
    """Threads writing through the API until stopped: registrations (each
    remembered with when it was asked and answered) and group changes."""

    def __init__(self, url):
        self.url, self.stop_flag = url, threading.Event()
        self.registered = []  # (serial, asked, answered), monotonic seconds
        self.group_changes = 0
        self.errors = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._register, args=(f"L{i}",)) for i in range(REGISTRARS)]
        self.threads.append(threading.Thread(target=self._regroup))

    def call(self, method, path, body):
        req = urllib.request.Request(self.url + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + BOOTSTRAP_TOKEN,
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def _register(self, prefix):
        n = 0
        while not self.stop_flag.is_set():
            n += 1
            serial = f"{prefix}{n:05d}"
            asked = time.monotonic()
            try:
                self.call("POST", "/api/v1/terminals", {"serial": serial, "model": "A920"})
            except (urllib.error.URLError, OSError) as e:
                self.errors.append(f"register {serial}: {e}")
                continue
            with self.lock:
                self.registered.append((serial, asked, time.monotonic()))

    def _regroup(self):
        n = 0
        while not self.stop_flag.is_set():
            with self.lock:
                done = [s for s, _, _ in self.registered]
            if not done:
                time.sleep(0.01)  # nothing registered yet: a pause in a load loop, not a wait
                continue
            n += 1
            try:
                self.call("PUT", f"/api/v1/terminals/{done[n % len(done)]}/group", {"group": f"g{n % 7}"})
                self.group_changes += 1
            except (urllib.error.URLError, OSError) as e:
                self.errors.append(f"group: {e}")

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=60)


class BackupTest(FleetTestCase, unittest.TestCase):
    WORKSPACE = "backup"

    def setUp(self):
        super().setUp()
        self.restore_ws = Workspace("restored")
        self.restored = None

    def tearDown(self):
        if self.restored:
            self.restored.stop()
        self.restore_ws.cleanup()
        super().tearDown()

    def audit_export(self, server):
        req = urllib.request.Request(server.url + "/api/v1/audit/export?format=jsonl",
                                     headers={"Authorization": "Bearer " + BOOTSTRAP_TOKEN})
        with urllib.request.urlopen(req, timeout=30) as r:
            return [json.loads(line) for line in r.read().decode().splitlines() if line.strip()]

    def all_terminals(self, server):
        out, offset = [], 0
        while True:
            page = server.api("GET", f"/api/v1/terminals?limit=1000&offset={offset}")
            out += page["terminals"]
            offset += len(page["terminals"])
            if not page["terminals"] or offset >= page["total"]:
                return out

    def test_a_backup_under_load_restores_with_its_audit_chain_and_every_committed_change(self):
        publish_release(self.cli, self.ws.path, "2.0.0")
        for i in range(PRELOAD):
            self.server.api("POST", "/api/v1/terminals", {"serial": f"PRE{i:04d}", "model": "A920"})
        for i in range(AGENTS):
            serial = f"AG{i:03d}"
            token = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")["token"]
            self.agents.append(Agent(self.ws.path, self.server.url, serial, token, "A920",
                                     [os.path.join(self.ws.path, "keys/release.pub")]).start())
            self.cli.run("deploy", "--release", "2.0.0", "--terminal", serial)

        load = Load(self.server.url)
        load.start()
        try:
            wait_until("the load to be writing", lambda: len(load.registered) >= 20 and load.group_changes >= 5)
            backup = os.path.join(self.ws.path, "fleet.db")
            began = time.monotonic()
            made = posfleetd("--data-dir", self.server.data_dir, "backup", "--to", backup)
            ended = time.monotonic()
            wait_until("more writes after the backup", lambda: any(a > ended for _, a, _ in load.registered))
        finally:
            load.stop()
        self.assertEqual(made.returncode, 0, made.stdout + made.stderr)
        self.assertIn("backup written to " + backup, made.stdout)
        self.assertIn("secret.key", made.stdout)  # what it does not hold is said
        self.assertEqual(load.errors, [])
        # Writes were in flight while it ran (four threads write without pause).
        during = [s for s, a, d in load.registered if a < ended and d > began]
        self.assertTrue(during, "no write overlapped the backup: it was not under load")
        print(f"backup: {(ended - began) * 1000:.0f} ms for the whole command, {len(during)} registrations "
              f"overlapped it, {len(load.registered)} in all, {load.group_changes} group changes; "
              + made.stdout.splitlines()[0], file=sys.stderr)
        # The copy stands alone: one file, no -wal beside it.
        self.assertFalse(os.path.exists(backup + "-wal"))
        self.assertFalse(os.path.exists(backup + ".partial"))
        self.assertEqual(os.stat(backup).st_mode & 0o777, 0o600)  # hashes and sealed data: owner only

        # Never over an existing file unless asked.
        again = posfleetd("--data-dir", self.server.data_dir, "backup", "--to", backup)
        self.assertEqual(again.returncode, 1)
        self.assertIn("exists", again.stderr)
        self.assertIn("--force", again.stderr)

        # Restore into a new data directory.
        target = os.path.join(self.restore_ws.path, "server", "var")
        restored = posfleetd("--data-dir", target, "restore", "--from", backup)
        self.assertEqual(restored.returncode, 0, restored.stdout + restored.stderr)
        self.assertIn("audit chain verified", restored.stdout)
        self.assertIn("artifacts the releases need are not in", restored.stdout)
        self.assertEqual(os.stat(os.path.join(target, "posfleet.db")).st_mode & 0o777, 0o600)
        # ... and not over it a second time.
        twice = posfleetd("--data-dir", target, "restore", "--from", backup)
        self.assertEqual(twice.returncode, 1)
        self.assertIn("already holds a database", twice.stderr)

        shutil.copy(os.path.join(self.server.data_dir, "secret.key"), os.path.join(target, "secret.key"))
        shutil.copytree(os.path.join(self.server.data_dir, "artifacts"), os.path.join(target, "artifacts"),
                        dirs_exist_ok=True)
        self.restored = RestoredServer(self.restore_ws.path)

        verify = self.restored.api("GET", "/api/v1/audit/verify")
        self.assertTrue(verify["ok"], verify)
        cli = Cli(self.restored, self.ws.path).run("audit", "verify")
        self.assertEqual(cli.returncode, 0)

        serials = {t["serial"] for t in self.all_terminals(self.restored)}
        before = {s for s, _, d in load.registered if d < began}
        after = {s for s, a, _ in load.registered if a > ended}
        self.assertEqual(before - serials, set(), "answered before the backup began, missing from it")
        self.assertEqual(after & serials, set(), "asked for after the backup ended, yet in it")
        for i in range(PRELOAD):
            self.assertIn(f"PRE{i:04d}", serials)
        # A consistent copy: each terminal with its audit entry, no entry without its terminal.
        registered = {e["target"].split(":", 1)[1] for e in self.audit_export(self.restored)
                      if e["action"] == "terminal.register"}
        self.assertEqual(registered, serials)
        self.assertEqual(verify["entries"] >= len(serials), True)
        # The restored server serves the release and its artifact.
        self.assertEqual([r["version"] for r in self.restored.api("GET", "/api/v1/releases")["releases"]],
                         ["2.0.0"])

    def test_restore_refuses_what_is_not_a_good_posfleet_backup(self):
        self.server.api("POST", "/api/v1/terminals", {"serial": "PF0001", "model": "A920"})
        self.cli.run("policy", "set", "--window", "01:00-05:00", "--reason", "night installs")
        backup = os.path.join(self.ws.path, "fleet.db")
        made = posfleetd("--data-dir", self.server.data_dir, "backup", "--to", backup)
        self.assertEqual(made.returncode, 0, made.stderr)
        target = os.path.join(self.restore_ws.path, "var")

        junk = os.path.join(self.ws.path, "junk.db")
        with open(junk, "wb") as f:
            f.write(os.urandom(8192))
        r = posfleetd("--data-dir", target, "restore", "--from", junk)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not an SQLite database", r.stderr)

        other = os.path.join(self.ws.path, "other.db")
        with sqlite3.connect(other) as db:
            db.execute("CREATE TABLE notes (text TEXT)")
        r = posfleetd("--data-dir", target, "restore", "--from", other)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not posfleet's", r.stderr)

        # A database with a -wal beside it: live, or copied while in use (its main file may be torn).
        live = os.path.join(self.ws.path, "live.db")
        shutil.copy(backup, live)
        with open(live + "-wal", "wb") as f:
            f.write(b"\0" * 4096)
        r = posfleetd("--data-dir", target, "restore", "--from", live)
        self.assertEqual(r.returncode, 1)
        self.assertIn("has a -wal beside it", r.stderr)

        # An audit entry edited in the backup (its append-only trigger dropped first).
        tampered = os.path.join(self.ws.path, "tampered.db")
        shutil.copy(backup, tampered)
        with sqlite3.connect(tampered) as db:
            db.execute("DROP TRIGGER audit_log_no_update")
            first = db.execute("SELECT min(id) FROM audit_log").fetchone()[0]
            db.execute("UPDATE audit_log SET reason = 'nothing happened' WHERE id = ?", (first,))
        r = posfleetd("--data-dir", target, "restore", "--from", tampered)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"audit chain is broken at entry {first}", r.stderr)
        self.assertIn("nothing was changed", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(target, "posfleet.db")))

        # The good one restores; over an existing database only with --force.
        self.assertEqual(posfleetd("--data-dir", target, "restore", "--from", backup).returncode, 0)
        r = posfleetd("--data-dir", target, "restore", "--from", backup, "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("audit chain verified", r.stdout)
        # A running posfleetd's data directory is not restored into.
        r = posfleetd("--data-dir", self.server.data_dir, "restore", "--from", backup, "--force")
        self.assertEqual(r.returncode, 1)
        self.assertIn("another posfleetd uses", r.stderr)


if __name__ == "__main__":
    unittest.main()
