"""End to end: the staged-rollout engine with real agents — a two-wave rollout over three
terminals starts its first wave (one terminal), advances by itself when that wave succeeded and
finishes once every terminal runs the release; the kill switch then refuses the release.
(The full scenarios — pause by threshold, approvals, freezes, restarts — are in rollouts_test.py.)
"""
import os
import sys
import unittest
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, FleetTestCase, publish_release, wait_until  # noqa: E402


class RolloutEngineTest(FleetTestCase, unittest.TestCase):
    SERVER_ARGS = ("--rollout-tick-ms", "200")

    def terminal(self, serial):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")], precheck_retry_seconds=1)
        self.agents.append(agent)
        agent.start()
        return agent

    def rollout(self, rid):
        return self.server.api("GET", f"/api/v1/rollouts/{rid}")

    def test_two_waves_advance_by_themselves_and_finish(self):
        publish_release(self.cli, self.ws.path, "2.0.0")
        serials = ["PF-R1", "PF-R2", "PF-R3"]
        for s in serials:
            self.terminal(s)
        wait_until("every terminal to have polled", lambda: all(
            self.server.api("GET", f"/api/v1/terminals/{s}")["last_seen"] for s in serials))
        body = {"release": "2.0.0", "target": {"serials": serials}, "name": "smoke",
                "waves": [{"percent": 1, "soak_seconds": 0}, {"percent": 100, "soak_seconds": 0}],
                "reason": "smoke test"}
        preview = self.server.api("POST", "/api/v1/rollouts/preview", body)
        self.assertEqual(preview["total"], 3, preview)
        self.assertEqual([w["terminals"] for w in preview["waves"]], [1, 2], preview)
        created = self.server.api("POST", "/api/v1/rollouts", dict(body, start=True))
        rid = created["id"]
        self.assertEqual(created["state"], "running", created)
        self.assertEqual(created["waves"][0]["terminals"], 1, created)
        done = wait_until("the rollout to finish", lambda: self.rollout(rid)["state"] == "finished"
                          and self.rollout(rid), timeout=120)
        self.assertEqual([w["state"] for w in done["waves"]], ["done", "done"], done)
        self.assertEqual(done["progress"], {"total": 3, "success": 3, "failed": 0}, done)
        for s in serials:
            self.assertEqual(self.server.api("GET", f"/api/v1/terminals/{s}")["installed_version"], "2.0.0")
        history = self.server.api("GET", f"/api/v1/rollouts/{rid}/history")["samples"]
        self.assertTrue(history, "the chart has samples")

        # The kill switch: the release is refused until an administrator lifts the stop.
        publish_release(self.cli, self.ws.path, "2.1.0")
        stop = self.server.api("POST", "/api/v1/releases/2.1.0/stop", {"reason": "smoke test stop"})
        self.assertEqual(stop["rollouts_stopped"], 0, stop)
        with self.assertRaises(urllib.error.HTTPError) as refused:
            self.server.api("POST", "/api/v1/deployments", {"release": "2.1.0", "terminal": "PF-R1"})
        self.assertEqual(refused.exception.code, 409)
        overview = self.server.api("GET", "/api/v1/overview")
        self.assertEqual([s["version"] for s in overview["stopped_releases"]], ["2.1.0"])


if __name__ == "__main__":
    unittest.main()
