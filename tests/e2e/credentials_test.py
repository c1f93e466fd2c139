"""End to end, with real processes on loopback: credentials end when they are
told to. A retired terminal's next poll is refused (401) and its open
deployment canceled; a revoked API token is refused on the very next call; a
rotated DDI token replaces the old one at once and the agent works on with
the new one written into its config. Every step is in the audit log, and no
token ever is."""
import json
import os
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BOOTSTRAP_TOKEN, Agent, FleetTestCase, wait_until  # noqa: E402


class CredentialsTest(FleetTestCase, unittest.TestCase):
    def call(self, method, path, token, body=None, scheme="Bearer"):
        """(status, JSON answer) of one request with the given credential."""
        req = urllib.request.Request(self.server.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"{scheme} {token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def poll(self, serial, token):
        return self.call("GET", f"/DEFAULT/controller/v1/{serial}", token, scheme="TargetToken")[0]

    def agent(self, serial):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        a = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                  [os.path.join(self.ws.path, "keys/release.pub")])
        self.agents.append(a)
        return a, reg["token"]

    def audit(self, action):
        entries = self.server.api("GET", "/api/v1/audit?limit=500")["entries"]
        return [e for e in entries if e["action"] == action]

    def publish(self, version):
        with open(os.path.join(self.ws.path, "os.bin"), "wb") as f:
            f.write(os.urandom(50_000))
        self.cli.run("release", "create", "--dir", "rel", "--version", version, "--model", "A920",
                     "--notes-zh", "测试", "--notes-en", "test", "--component", "os=os.bin")
        self.cli.run("release", "sign", "--dir", "rel", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", "rel")

    def last_seen(self, serial):
        return self.server.api("GET", f"/api/v1/terminals/{serial}")["last_seen"]

    def test_retired_terminal_is_refused_on_its_next_poll(self):
        agent, token = self.agent("CRED0001")
        agent.start()
        wait_until("the agent's first poll", lambda: self.last_seen("CRED0001"))
        # An update the merchant must confirm stays open until retirement.
        self.cli.run("policy", "set", "--terminal", "CRED0001", "--mode", "manual", "--reason", "hold it open")
        self.publish("2.0.0")
        deployment = self.cli.json("deploy", "--release", "2.0.0", "--terminal", "CRED0001")["id"]

        before = len(agent.output())
        out = self.cli.run("terminal", "retire", "CRED0001", "--reason", "stolen from the shop").stdout
        self.assertIn("CRED0001", out)
        self.assertEqual(self.poll("CRED0001", token), 401)
        wait_until("the agent's poll to be refused", lambda: "poll failed" in agent.output()[before:])
        self.assertEqual(self.cli.json("deployment", "show", str(deployment))["status"], "canceled")
        page = self.server.api("GET", "/api/v1/terminals/CRED0001")
        self.assertIsNotNone(page["retired"])
        self.assertEqual(page["retired_reason"], "stolen from the shop")
        self.assertFalse(page["online"])
        self.assertIn("RETIRED", self.cli.run("terminal", "show", "CRED0001").stdout)
        self.assertIn("retired", self.cli.run("terminal", "list").stdout)
        listed = self.server.api("GET", "/api/v1/terminals?retired=true")["terminals"]
        self.assertEqual([t["serial"] for t in listed], ["CRED0001"])
        overview = self.server.api("GET", "/api/v1/overview")
        self.assertEqual((overview["online"], overview["offline"]), (0, 0))  # counted nowhere
        # No new deployment, no second retirement, and the audit entry says why.
        p = self.cli.run("deploy", "--release", "2.0.0", "--terminal", "CRED0001", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("retired", p.stdout + p.stderr)
        entries = self.audit("terminal.retire")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0]["reason"], "stolen from the shop")
        self.assertIn(f"deployment {deployment} canceled", entries[0]["after"])

    def test_revoked_api_token_is_refused_on_the_next_call(self):
        made = self.cli.json("token", "create", "--name", "ci-deploy", "--role", "release_manager")
        token = made["token"]
        self.assertEqual(self.call("GET", "/api/v1/releases", token)[0], 200)
        listed = self.cli.json("token", "list")["tokens"]
        mine = [t for t in listed if t["name"] == "ci-deploy"][0]
        self.assertNotIn("token", mine)
        self.assertNotIn("token_hash", mine)
        self.assertIsNotNone(mine["last_used"])
        text = self.cli.run("token", "list").stdout
        self.assertIn("ci-deploy", text)
        self.assertNotIn(token, text)

        self.cli.run("token", "revoke", str(mine["id"]), "--reason", "laptop lost")
        status, answer = self.call("GET", "/api/v1/releases", token)
        self.assertEqual(status, 401)
        self.assertIn("revoked", answer["error"]["message"])
        self.assertIsNotNone([t for t in self.cli.json("token", "list")["tokens"] if t["id"] == mine["id"]][0]["revoked"])
        again = self.cli.run("token", "revoke", str(mine["id"]), check=False)
        self.assertNotEqual(again.returncode, 0)
        entries = self.audit("token.revoke")
        self.assertEqual((len(entries), entries[0]["reason"]), (1, "laptop lost"))
        self.assertEqual(len(self.audit("token.create")), 1)
        # The administrator's own token still works, and no token is in the log.
        self.assertEqual(self.call("GET", "/api/v1/tokens", BOOTSTRAP_TOKEN)[0], 200)
        self.assertNotIn(token, json.dumps(self.server.api("GET", "/api/v1/audit?limit=500")))

    def test_rotated_terminal_token_replaces_the_old_one_at_once(self):
        agent, old = self.agent("CRED0002")
        agent.start()
        wait_until("the agent's first poll", lambda: self.last_seen("CRED0002"))
        before = len(agent.output())
        new = self.cli.json("terminal", "rotate-token", "CRED0002", "--reason", "token seen in a log")["token"]
        self.assertNotEqual(new, old)
        self.assertEqual(self.poll("CRED0002", old), 401)
        self.assertEqual(self.poll("CRED0002", new), 200)
        # As docs/security.md says: the new token into the agent's config, then restart.
        wait_until("the agent's poll to be refused", lambda: "poll failed" in agent.output()[before:])
        agent.stop()
        agent.write_config(token=new)
        agent.start()
        seen = self.last_seen("CRED0002")
        wait_until("a poll with the new token", lambda: self.last_seen("CRED0002") != seen)
        entries = self.audit("terminal.token_rotate")
        self.assertEqual((len(entries), entries[0]["target"]), (1, "terminal:CRED0002"))
        self.assertNotIn(new, json.dumps(self.server.api("GET", "/api/v1/audit?limit=500")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
