"""End to end, real processes: remote diagnostics and control (issue 16).

Staff ask a real agent for its logs with a reason: at its next poll it gathers a bundle — its
status, its state, the payment app's log (into which the simulated payment app wrote a card
number and a resident ID, as careless apps do) and its own recent lines —, scrubs it and uploads
it; the bundle staff download has no card number or ID in it. Staff reboot it remotely: it
reports the action, restarts (a new process) and polls again. Every request and the download
are audited. Both backends (e2e_diagnostics_pg).
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, FleetTestCase, binary, wait_until  # noqa: E402

PAN = "6222021234567890128"
GROUPED_PAN = "4111 1111 1111 1111"
RESIDENT_ID = "11010519491231002X"


class DiagnosticsTest(FleetTestCase, unittest.TestCase):

    def action(self, serial, action_id):
        for a in self.cli.json("terminal", "actions", serial)["actions"]:
            if a["id"] == action_id:
                return a
        return None

    def test_log_bundle_without_card_numbers_and_a_remote_reboot(self):
        reg = self.cli.json("terminal", "register", "--serial", "DIAG-1", "--model", "A920")
        agent = Agent(self.ws.path, self.server.url, "DIAG-1", reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")])
        self.agents.append(agent)
        agent.start()
        sale = subprocess.run([binary("POSFLEET_AGENT"), "-c", agent.config_path, "pay", "--amount", "1250",
                               "--id", "T-DIAG-1", "--card", PAN], capture_output=True, text=True, timeout=60)
        self.assertEqual(sale.returncode, 0, sale.stderr)
        with open(os.path.join(agent.device_dir, "logs", "payment.log"), "a") as f:
            f.write(f"refund T-DIAG-0 card {GROUPED_PAN} holder id {RESIDENT_ID}\n")

        refused = self.cli.run("terminal", "logs", "DIAG-1", "--reason", "", check=False)
        self.assertNotEqual(refused.returncode, 0)
        asked = self.cli.json("terminal", "logs", "DIAG-1", "--reason", "商户反映打印异常")
        done = wait_until("the terminal to upload its logs",
                          lambda: (a := self.action("DIAG-1", asked["id"])) and a["state"] == "done" and a,
                          timeout=60)
        self.assertGreater(done["bundle_size"], 0)
        path = os.path.join(self.ws.path, "bundle.txt")
        self.cli.run("terminal", "bundle", "DIAG-1", str(asked["id"]), "--out", path)
        with open(path, encoding="utf-8") as f:
            bundle = f.read()
        self.assertIn("posfleet log bundle: terminal DIAG-1", bundle)
        self.assertIn("=== logs/payment.log ===", bundle)
        self.assertIn("sale T-DIAG-1 amount 1250 card [card]", bundle)
        self.assertIn("holder id [id]", bundle)
        self.assertIn("=== posfleet-agent (recent lines) ===", bundle)
        for secret in (PAN, GROUPED_PAN, RESIDENT_ID, GROUPED_PAN.replace(" ", "")):
            self.assertNotIn(secret, bundle)

        started = agent.call({"cmd": "status"})["started"]
        asked = self.cli.json("terminal", "reboot", "DIAG-1", "--reason", "远程重启排查")
        wait_until("the reboot to be reported",
                   lambda: (self.action("DIAG-1", asked["id"]) or {}).get("state") == "done", timeout=60)
        wait_until("the agent to come back as a new process",
                   lambda: self._started(agent) not in (None, started), timeout=90)
        entries = self.cli.json("audit", "list")["entries"]
        actions = [e["action"] for e in entries]
        for a in ("terminal.action.logs", "terminal.action.reboot", "terminal.bundle.download"):
            self.assertIn(a, actions)
        self.assertNotIn(PAN, json.dumps(entries))

    def _started(self, agent):
        try:
            return agent.call({"cmd": "status"}, timeout=5).get("started")
        except (OSError, ValueError):
            return None


if __name__ == "__main__":
    unittest.main()
