"""End to end, real processes on loopback: a fleet under load (issue "Safe
updates", server status).

posfleetd streams at most two downloads at once (--max-downloads 2); ten
terminals get the same deployment at the same moment and download slowly, so
most are turned away with 429 + Retry-After. Every terminal must still finish
with success within a bounded time, no more than two downloads may ever run
together, some terminals must have been turned away, none may come back before
its Retry-After ran out (no stampede), and the poll interval must stretch
while the server is busy.
"""
import json
import os
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import FleetTestCase, Agent, wait_until  # noqa: E402

TERMINALS = 10
MAX_DOWNLOADS = 2
ARTIFACT_BYTES = 1_500_000
RATE = 500_000  # bytes/s per agent: each download takes ~3 s, so they overlap
DEADLINE = 150  # seconds for the whole fleet


class LoadTest(FleetTestCase, unittest.TestCase):
    SERVER_ARGS = ("--max-downloads", str(MAX_DOWNLOADS))
    WORKSPACE = "load"

    def publish(self, version):
        path = os.path.join(self.ws.path, f"os-{version}.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(ARTIFACT_BYTES))
        self.cli.run("release", "create", "--dir", f"rel-{version}", "--version", version, "--model", "A920",
                     "--component", f"os={path}", "--notes-zh", f"版本 {version}", "--notes-en", f"Version {version}")
        self.cli.run("release", "sign", "--dir", f"rel-{version}", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", f"rel-{version}")

    def ddi_poll_sleep(self, serial, token):
        req = urllib.request.Request(f"{self.server.url}/DEFAULT/controller/v1/{serial}",
                                     headers={"Authorization": "TargetToken " + token})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())["config"]["polling"]["sleep"]

    def test_busy_server_turns_downloads_away_and_the_fleet_waits_its_turn(self):
        self.publish("2.1.0")
        tokens = {}
        for i in range(1, TERMINALS + 1):
            serial = f"PL{i:04d}"
            tokens[serial] = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")["token"]
        self.assertEqual(self.server.api("GET", "/api/v1/status")["downloads"],
                         {"active": 0, "max": MAX_DOWNLOADS, "peak": 0, "refused": 0, "refused_recently": 0,
                          "busy": False})
        self.assertEqual(self.ddi_poll_sleep("PL0001", tokens["PL0001"]), "00:00:01")

        # Deploy before the agents start, so that all ten see it on their first poll.
        deployments = [self.cli.json("deploy", "--release", "2.1.0", "--terminal", s)["id"] for s in tokens]
        for serial, token in tokens.items():
            agent = Agent(self.ws.path, self.server.url, serial, token, "A920",
                          [os.path.join(self.ws.path, "keys/release.pub")], download_rate_limit=RATE)
            self.agents.append(agent)
        started = time.monotonic()
        for a in self.agents:
            a.start()

        seen = {"sleep": set(), "peak_active": 0}

        def all_finished():
            status = self.server.api("GET", "/api/v1/status")
            seen["peak_active"] = max(seen["peak_active"], status["downloads"]["active"])
            if status["downloads"]["busy"]:
                seen["sleep"].add(self.ddi_poll_sleep("PL0001", tokens["PL0001"]))
            states = [self.server.api("GET", f"/api/v1/deployments/{d}") for d in deployments]
            done = [(s["status"], s["result"]) for s in states if s["status"] == "finished"]
            return done if len(done) == TERMINALS else None

        done = wait_until("every terminal to finish its update", all_finished, timeout=DEADLINE, interval=0.5)
        elapsed = time.monotonic() - started
        print(f"load test: {TERMINALS} terminals updated in {elapsed:.1f} s", file=sys.stderr)
        self.assertEqual(done, [("finished", "success")] * TERMINALS)

        status = self.server.api("GET", "/api/v1/status")
        print(f"load test: status {status}; poll sleeps seen while busy {sorted(seen['sleep'])}", file=sys.stderr)
        downloads = status["downloads"]
        self.assertLessEqual(downloads["peak"], MAX_DOWNLOADS)
        self.assertLessEqual(seen["peak_active"], MAX_DOWNLOADS)
        self.assertEqual(downloads["max"], MAX_DOWNLOADS)
        self.assertEqual(downloads["active"], 0)
        self.assertGreater(downloads["refused"], 0, "the cap was never reached; the test proves nothing")
        self.assertEqual(status["early_retries"], 0, "a terminal came back before its Retry-After")
        # While busy the poll interval stretches (2x or 4x the configured 1 s).
        self.assertTrue(seen["sleep"] & {"00:00:02", "00:00:04"}, seen["sleep"])
        self.assertEqual(status["polling"]["configured_seconds"], 1)

        # The agents said why they waited, in their own words.
        waited = [a for a in self.agents if "the server is busy (HTTP 429)" in a.output()]
        self.assertTrue(waited)
        for a in self.agents:
            self.assertEqual(a.status()["version"], "2.1.0")


if __name__ == "__main__":
    unittest.main()
