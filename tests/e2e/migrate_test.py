"""End to end, real processes on loopback: `posfleetd migrate` moves an installation on SQLite
to PostgreSQL (docs/operations.md, "Moving from SQLite").

posfleetd runs on SQLite and gets a fleet through the CLI and the API: terminals, a published
release, a deployment, a user, their audit entries; 12,000 more terminals are written straight
into the stopped server's file so that the copy reports its progress. migrate copies it into a
new PostgreSQL database and prints the row counts and the audit chain; run again it changes
nothing. posfleetd started on the PostgreSQL database with the files the summary names shows the
same fleet: the terminal, the releases, an intact audit chain, a terminal's token that still
polls and sees its deployment, and a new terminal registered after the copied ones (the id
sequences moved). Refusals: a target holding other data, a missing or garbled data directory,
and a row PostgreSQL cannot take, which leaves the target as it was.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (SQLITE, Cli, Server, Workspace, binary, new_postgres_database,  # noqa: E402
                     publish_release, wait_until)

BULK = 12000  # terminals written behind the server's back: more than one progress step


def posfleetd(*args):
    return subprocess.run([binary("POSFLEETD"), *args], capture_output=True, text=True, timeout=600)


def poll(server, serial, token):
    req = urllib.request.Request(f"{server.url}/DEFAULT/controller/v1/{serial}",
                                 headers={"Authorization": "TargetToken " + token})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def psql(url, statement):
    p = subprocess.run(["psql", url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", statement],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    return p.stdout.strip()


# Rows where terminals_seen (PostgreSQL's count of terminals last seen per second, kept by
# triggers) and the terminals themselves disagree: none when it is exact.
SEEN_DIFFERS = """SELECT count(*) FROM (
  (SELECT last_seen, CASE WHEN retired = 0 THEN 0 ELSE 1 END, count(*) FROM terminals GROUP BY 1, 2
   EXCEPT SELECT second, retired, n FROM terminals_seen)
  UNION ALL
  (SELECT second, retired, n FROM terminals_seen
   EXCEPT SELECT last_seen, CASE WHEN retired = 0 THEN 0 ELSE 1 END, count(*) FROM terminals GROUP BY 1, 2)) x"""


class MigrateTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("migrate")
        self.servers = []

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        failed = result and any(t is self for t, _ in result.errors + result.failures)
        for s in self.servers:
            s.stop()
            if failed:
                print(f"--- posfleetd {s.dir} ---\n" + s.output()[-6000:], file=sys.stderr)
        self.ws.cleanup()

    def start(self, **kw):
        s = Server(self.ws.path, **kw)
        self.servers.append(s)
        return s

    def sqlite_fleet(self):
        """A stopped posfleetd on SQLite with a fleet; returns (server, its CLI, tokens, views)."""
        lite = self.start(name="sqlite", database=SQLITE)
        cli = Cli(lite, self.ws.path)
        cli.run("policy", "set", "--window", "00:00-00:00", "--reason", "migration test")
        cli.run("key", "generate", "--out", "keys/release")
        publish_release(cli, self.ws.path, "2.0.0")
        tokens = {s: cli.json("terminal", "register", "--serial", s, "--model", "A920")["token"]
                  for s in ("MIG001", "MIG002", "MIG003")}
        cli.json("deploy", "--release", "2.0.0", "--terminal", "MIG001")
        lite.api("POST", "/api/v1/users", {"name": "olga", "role": "auditor", "password": "olga-password-1"})
        self.assertIn("deploymentBase", poll(lite, "MIG001", tokens["MIG001"])["_links"])
        views = {"terminal": cli.json("terminal", "show", "MIG001"), "releases": cli.json("release", "list")}
        self.assertIn("audit log intact", cli.run("audit", "verify").stdout)
        lite.stop()
        lite.sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                 "INSERT INTO terminals (tenant, serial, model, token_hash, created) "
                 "SELECT 'DEFAULT', printf('BULK%05d', i), 'A920', 'bulk-' || i, 0 FROM n", (BULK,))
        return lite, tokens, views

    def test_moves_a_sqlite_fleet_to_postgres(self):
        lite, tokens, views = self.sqlite_fleet()
        terminals = BULK + 3
        audit_entries = int(lite.sql("SELECT count(*) FROM audit_log")[0][0])
        url = new_postgres_database()

        # A row PostgreSQL cannot take (text that is not UTF-8, which SQLite stores as given):
        # the copy fails and leaves the target as it was.
        broken = os.path.join(self.ws.path, "broken")
        shutil.copytree(lite.data_dir, broken)
        with_bad_row = new_postgres_database()
        with sqlite3.connect(os.path.join(broken, "posfleet.db")) as db:
            db.execute("UPDATE terminals SET attributes = CAST(x'7bff7d' AS TEXT) WHERE serial = 'MIG003'")
        p = posfleetd("migrate", "--from-data-dir", broken, "--to", with_bad_row)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("PostgreSQL refused a row", p.stderr)
        self.assertIn("correct that row in SQLite", p.stderr)
        self.assertEqual(psql(with_bad_row, "SELECT count(*) FROM terminals"), "0")
        self.assertEqual(psql(with_bad_row, "SELECT count(*) FROM audit_log"), "0")

        p = posfleetd("migrate", "--from-data-dir", lite.data_dir, "--to", url)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        out = p.stdout
        self.assertIn(f"copying terminals: 10000 of {terminals} rows", out)
        self.assertIn(f"copied terminals: {terminals} rows", out)
        self.assertRegex(out, rf"\n  terminals +{terminals} +{terminals}\n")
        self.assertRegex(out, rf"\n  audit_log +{audit_entries} +{audit_entries}\n")
        self.assertIn(f"audit chain intact: {audit_entries} entries", out)
        self.assertNotIn("posfleet_schema", out)
        # Copied with the triggers off, counted again after.
        self.assertEqual(psql(url, SEEN_DIFFERS), "0")
        self.assertEqual(psql(url, "SELECT sum(n) FROM terminals_seen"), str(terminals))
        for flag in ("--secret-key", "--artifact-dir", "--device-ca-cert", "--device-ca-key"):
            self.assertIn(flag, out)

        again = posfleetd("migrate", "--from-data-dir", lite.data_dir, "--to", url)
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        self.assertIn("already holds this data", again.stdout)
        self.assertIn("nothing was changed", again.stdout)
        self.assertIn("audit chain intact", again.stdout)

        d = lite.data_dir
        pg = self.start(name="pg", database=url, extra_args=(
            "--secret-key", f"{d}/secret.key", "--artifact-dir", f"{d}/artifacts",
            "--device-ca-cert", f"{d}/device-ca.crt", "--device-ca-key", f"{d}/device-ca.key"))
        cli = Cli(pg, self.ws.path)
        shown = cli.json("terminal", "show", "MIG001")
        for key in ("serial", "model", "group", "deployments", "installed_version"):
            if key in views["terminal"]:
                self.assertEqual(shown[key], views["terminal"][key], key)
        self.assertEqual(cli.json("release", "list"), views["releases"])
        self.assertIn("audit log intact", cli.run("audit", "verify").stdout)
        self.assertTrue(pg.api("GET", "/api/v1/audit/verify")["ok"])
        self.assertIn("deploymentBase", poll(pg, "MIG001", tokens["MIG001"])["_links"])
        poll(pg, "MIG002", tokens["MIG002"])
        new = cli.json("terminal", "register", "--serial", "MIG004", "--model", "A920")
        self.assertTrue(new["token"])
        poll(pg, "MIG004", new["token"])
        self.assertEqual(pg.sql("SELECT count(*) FROM terminals")[0][0], str(terminals + 1))
        # The polls' last_seen, written in a batch within a second, moved them in terminals_seen.
        wait_until("MIG004's last_seen written",
                   lambda: psql(url, "SELECT last_seen FROM terminals WHERE serial = 'MIG004'") != "0")
        self.assertEqual(psql(url, SEEN_DIFFERS), "0")
        online = pg.api("GET", "/api/v1/overview")["online"]
        self.assertGreaterEqual(online, 3)
        self.assertEqual(pg.api("GET", "/api/v1/terminals?online=true&retired=false&limit=1")["total"], online)

        # The target now holds more than the source: refused, nothing changed.
        refused = posfleetd("migrate", "--from-data-dir", lite.data_dir, "--to", url)
        self.assertEqual(refused.returncode, 1, refused.stdout + refused.stderr)
        self.assertIn("already holds other posfleet data", refused.stderr)
        self.assertIn("nothing was changed", refused.stderr)
        self.assertEqual(pg.sql("SELECT count(*) FROM terminals")[0][0], str(terminals + 1))

    def test_a_missing_or_garbled_data_dir_is_refused(self):
        url = new_postgres_database()
        missing = os.path.join(self.ws.path, "nowhere")
        p = posfleetd("migrate", "--from-data-dir", missing, "--to", url)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no data directory at " + missing, p.stderr)
        self.assertFalse(os.path.exists(missing))

        empty = os.path.join(self.ws.path, "empty")
        os.makedirs(empty)
        p = posfleetd("migrate", "--from-data-dir", empty, "--to", url)
        self.assertEqual(p.returncode, 1)
        self.assertIn("holds no posfleet.db", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(empty, "posfleet.db")))

        garbled = os.path.join(self.ws.path, "garbled")
        os.makedirs(garbled)
        junk = os.urandom(8192)
        with open(os.path.join(garbled, "posfleet.db"), "wb") as f:
            f.write(junk)
        p = posfleetd("migrate", "--from-data-dir", garbled, "--to", url)
        self.assertEqual(p.returncode, 1)
        self.assertIn("nothing was changed", p.stderr)
        with open(os.path.join(garbled, "posfleet.db"), "rb") as f:
            self.assertEqual(f.read(), junk)

        p = posfleetd("migrate", "--from-data-dir", empty, "--to", "/tmp/fleet.db")
        self.assertEqual(p.returncode, 1)
        self.assertIn("--to takes a PostgreSQL URL", p.stderr)
        # Nothing reached the database: no schema was made.
        self.assertEqual(psql(url, "SELECT count(*) FROM pg_tables WHERE tablename = 'terminals'"), "0")


if __name__ == "__main__":
    unittest.main()
