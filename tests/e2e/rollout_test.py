"""End to end: what the fleet knows of each terminal's version and how a
release reaches a group, with real agents.

- A terminal's installed version is what it reports (configData) from its
  first poll on — not "unknown" until posfleet has updated it once.
- A group deployment skips the terminals already running the release and says
  so; a newer release replaces an open deployment that has not started
  installing (the old one is canceled and audited); open deployments of a
  release are canceled in bulk.
"""
import os
import sys
import unittest
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, FleetTestCase, publish_release, wait_until  # noqa: E402


class RolloutTest(FleetTestCase, unittest.TestCase):

    def release(self, version):
        publish_release(self.cli, self.ws.path, version)

    def terminal(self, serial, group=None):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        if group:
            self.cli.run("terminal", "group", serial, "--group", group)
        agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")], precheck_retry_seconds=1)
        self.agents.append(agent)
        agent.start()
        return agent

    def installed(self, serial):
        return self.server.api("GET", f"/api/v1/terminals/{serial}")["installed_version"]

    def wait_installed(self, serial, version):
        wait_until(f"{serial} to be known to run {version}", lambda: self.installed(serial) == version)

    def deployment(self, dep_id):
        return self.server.api("GET", f"/api/v1/deployments/{dep_id}")

    def wait_status(self, dep_id, *statuses):
        return wait_until(f"deployment {dep_id} to be {statuses}",
                          lambda: self.deployment(dep_id)["status"] in statuses and self.deployment(dep_id))

    # scenarios -------------------------------------------------------------

    def test_the_version_is_known_from_the_first_poll(self):
        self.terminal("PF-V1")
        self.terminal("PF-V2")
        self.wait_installed("PF-V1", "1.0.0")
        self.wait_installed("PF-V2", "1.0.0")
        listed = self.server.api("GET", "/api/v1/terminals?q=PF-V")["terminals"]
        self.assertEqual(sorted(t["installed_version"] for t in listed), ["1.0.0", "1.0.0"])

    def test_a_group_deployment_skips_replaces_and_cancels_in_bulk(self):
        self.release("2.0.0")
        self.release("2.1.0")
        self.terminal("PF-G1", "shop")
        self.terminal("PF-G2", "shop")
        # PF-G2 waits for the merchant's confirmation, so its deployments stay open.
        self.cli.run("policy", "set", "--terminal", "PF-G2", "--mode", "manual", "--reason", "merchant confirms")
        first = self.server.api("POST", "/api/v1/deployments", {"release": "2.0.0", "terminal": "PF-G1"})
        self.wait_status(first["id"], "finished")
        self.wait_installed("PF-G1", "2.0.0")

        # PF-G1 already runs 2.0.0: it is skipped, and the answer says so and why.
        out = self.server.api("POST", "/api/v1/deployments", {"release": "2.0.0", "group": "shop"})
        self.assertEqual(out["created"], 1, out)
        self.assertEqual(out["skipped"]["already_installed"], 1, out)
        self.assertIn("already run this release", out["summary"])
        open_old = out["deployments"][0]
        self.wait_status(open_old, "running")  # PF-G2 fetched it and waits for its merchant

        # A newer release replaces PF-G2's open one, which had not started installing.
        out = self.server.api("POST", "/api/v1/deployments", {"release": "2.1.0", "group": "shop"})
        self.assertEqual((out["created"], out["replaced"]), (2, 1), out)
        old = self.deployment(open_old)
        self.assertEqual(old["status"], "canceled", old)
        self.assertIn("replaced by release 2.1.0", old["message"])
        entries = self.server.api("GET", "/api/v1/audit?limit=5000")["entries"]
        self.assertTrue(any(e["action"] == "deployment.replace" and e["target"] == f"deployment:{open_old}"
                            for e in entries), entries[-5:])
        self.wait_installed("PF-G1", "2.1.0")

        # Bulk cancel: every open deployment of 2.1.0 (PF-G2's; PF-G1's has ended).
        out = self.server.api("POST", "/api/v1/deployments/cancel", {"release": "2.1.0", "reason": "recalled"})
        self.assertEqual(out["canceled"], 1, out)
        wait_until("PF-G2's deployment to be canceled",
                   lambda: all(self.deployment(d)["status"] == "canceled" for d in out["deployments"]))
        self.assertEqual(self.installed("PF-G2"), "1.0.0")

    def test_bulk_cancel_needs_a_target(self):
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.server.api("POST", "/api/v1/deployments/cancel", {})
        self.assertEqual(e.exception.code, 400)


if __name__ == "__main__":
    unittest.main()
