"""End to end, real processes: terminals' health (issue 16, docs/health.md).

A real agent on a simulated device — battery at 9 % off mains, a weak cellular signal, storage
nearly full — sends its health with its polls; posfleetd keeps the latest report and a history.
The terminal's health (CLI `terminal health`, the API) shows battery, storage, network, uptime,
the versions it runs and the time of its last sale (`pay`), and the fleet's filters find it
(low battery, weak signal, low storage) while a healthy terminal and a silent one stay out; a
terminal never seen is found by "not seen for N days". Charged and moved to wifi, the agent
says so at once (a condition ended), and the filters drop it. Both backends (e2e_health_pg).
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, FleetTestCase, binary, wait_until  # noqa: E402


def write_hw(agent, name, value):
    d = os.path.join(agent.device_dir, "hw")
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.replace(tmp, os.path.join(d, name))


class HealthTest(FleetTestCase, unittest.TestCase):
    # Terminals send their health at every poll and every report makes a history row here; the
    # defaults are 15 minutes and an hour.
    SERVER_ARGS = ("--health-every-seconds", "1", "--health-history-seconds", "1")

    def agent(self, serial):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")])
        self.agents.append(agent)
        return agent

    def health(self, serial, days=7):
        return self.cli.json("terminal", "health", serial, "--days", str(days))

    def listed(self, *filters):
        args = [a for f in filters for a in ("--filter", f)]
        return sorted(t["serial"] for t in self.cli.json("terminal", "list", *args)["terminals"])

    def test_health_is_reported_kept_shown_and_filtered(self):
        sick = self.agent("HEALTH-1")
        write_hw(sick, "battery.json", {"percent": 9, "mains": False})
        write_hw(sick, "network.json", {"kind": "cellular", "signal": 12})
        write_hw(sick, "storage.json", {"free_bytes": 200 << 20, "total_bytes": 8 << 30})
        sick.start()
        sale = subprocess.run([binary("POSFLEET_AGENT"), "-c", sick.config_path, "pay", "--amount",
                               "990", "--id", "T-HEALTH-1"], capture_output=True, text=True, timeout=60)
        self.assertEqual(sale.returncode, 0, sale.stderr)
        well = self.agent("HEALTH-2")
        well.start()
        self.agent("HEALTH-3")  # registered, never polls

        latest = wait_until("HEALTH-1's health with its last sale",
                            lambda: (h := self.health("HEALTH-1")["latest"]) and "last_sale" in h and h,
                            timeout=60)
        self.assertEqual((latest["battery"], latest["charging"]), (9, False))
        self.assertEqual((latest["network"], latest["signal"]), ("cellular", 12))
        self.assertEqual((latest["storage_free"], latest["storage_total"]), (200 << 20, 8 << 30))
        self.assertEqual(latest["apps"], {"release": "1.0.0"})  # the factory image
        self.assertGreater(latest["uptime"], 0)
        self.assertEqual((latest["low_battery"], latest["weak_signal"], latest["low_storage"]),
                         (True, True, True))
        wait_until("HEALTH-2's health", lambda: self.health("HEALTH-2")["latest"], timeout=60)

        self.assertEqual(self.listed("health=low_battery"), ["HEALTH-1"])
        self.assertEqual(self.listed("health=weak_signal"), ["HEALTH-1"])
        self.assertEqual(self.listed("health=low_storage"), ["HEALTH-1"])
        self.assertEqual(self.listed("not_seen_days=1"), ["HEALTH-3"])
        bad = self.cli.run("terminal", "list", "--filter", "health=broken", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("health must be low_storage, weak_signal or low_battery", bad.stderr)
        # The person's reading, in English here.
        text = self.cli.run("terminal", "health", "HEALTH-1").stdout
        self.assertIn("battery: 9%", text)
        self.assertIn("conditions: low battery, low storage, weak signal", text)
        self.assertIn("release 1.0.0", text)

        # Charged and on wifi: a condition ended, so the next poll says so, and the filters drop it.
        write_hw(sick, "battery.json", {"percent": 64, "mains": True})
        write_hw(sick, "network.json", {"kind": "wifi", "signal": 90})
        write_hw(sick, "storage.json", {"free_bytes": 3 << 30, "total_bytes": 8 << 30})
        wait_until("the healthy report", lambda: self.health("HEALTH-1")["latest"]["battery"] == 64, timeout=60)
        self.assertEqual(self.listed("health=low_battery"), [])
        self.assertEqual(self.listed("health=weak_signal"), [])
        self.assertEqual(self.listed("health=low_storage"), [])
        history = self.health("HEALTH-1")["history"]
        self.assertGreaterEqual(len(history), 2)
        self.assertEqual(history[0]["battery"], 9, "oldest first")
        self.assertEqual(history[-1]["battery"], 64)
        self.assertEqual(self.health("HEALTH-3")["latest"], None)


if __name__ == "__main__":
    unittest.main()
