"""End to end, real processes: freeze periods (封网期) and terminals' time zones (issue 13).

A freeze covering today holds a deployment on a real agent (it says why and does not install;
once the freeze is removed it installs); a stock DDI client's poll hides the deployment during
the freeze and shows it after; a terminal whose zone's window is closed now waits while one
whose zone's window is open installs (zones picked from the current UTC hour, so the test is
the same at any time of day); bad calendars and zones are refused without echoing them.
"""
import datetime
import json
import os
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import FleetTestCase, Agent, publish_release, wait_until  # noqa: E402


def utc_date(days=0):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)).strftime("%Y-%m-%d")


def etc_zone(offset_hours):
    """The fixed-offset IANA zone of UTC+offset (Etc/GMT-8 is UTC+8: POSIX signs are inverted)."""
    if offset_hours == 0:
        return "Etc/GMT"
    return f"Etc/GMT{'-' if offset_hours > 0 else '+'}{abs(offset_hours)}"


class FreezeTest(FleetTestCase, unittest.TestCase):

    def terminal(self, serial, *register_args, start=True):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920", *register_args)
        agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")])
        agent.token = reg["token"]
        self.agents.append(agent)
        if start:
            agent.start()
        return agent

    def deploy(self, version, serial):
        return self.cli.json("deploy", "--release", version, "--terminal", serial)["id"]

    def deployment(self, dep):
        return self.cli.json("deployment", "show", str(dep))

    def waiting_for(self, agent):
        offer = agent.call({"cmd": "status"}).get("update_available")
        return offer and offer.get("waiting_for")

    def wait_installed(self, agent, dep, version):
        wait_until(f"deployment {dep} to succeed", lambda: self.deployment(dep)["result"] == "success", timeout=60)
        self.assertEqual(agent.status()["version"], version)

    def stock_poll(self, serial, token, posfleet=False):
        """The DDI poll as swupdate sends it (no ?posfleet=1), or as the posfleet agent does."""
        url = f"{self.server.url}/DEFAULT/controller/v1/{serial}" + ("?posfleet=1" if posfleet else "")
        req = urllib.request.Request(url, headers={"Authorization": "TargetToken " + token})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def api_error(self, method, path, body):
        try:
            self.server.api(method, path, body)
        except urllib.error.HTTPError as e:
            body = json.loads(e.read() or b"null")
            return e.code, body.get("error", body) if isinstance(body, dict) else body
        self.fail(f"{method} {path} was accepted: {body}")

    def audit(self, action):
        entries = self.server.api("GET", "/api/v1/audit?limit=500")["entries"]
        return [e for e in entries if e["action"] == action]

    # ------------------------------------------------------------------------

    def test_a_freeze_covering_today_holds_the_install_until_it_is_removed(self):
        agent = self.terminal("PF-FZ")
        stock = self.terminal("PF-STOCK", start=False)
        # Yesterday to tomorrow in UTC covers today's local date in every zone.
        f = self.cli.json("freeze", "add", "--from", utc_date(-1), "--to", utc_date(1), "--reason", "双十一",
                          "--security", "hold")
        self.assertEqual((f["scope"], f["security"], f["reason"]), ("fleet", "hold", "双十一"))
        listed = self.cli.json("freeze", "list")["freezes"]
        self.assertEqual([x["id"] for x in listed], [f["id"]])
        self.assertIn("双十一", self.cli.run("freeze", "list").stdout)

        publish_release(self.cli, self.ws.path, "1.1.0")
        dep = self.deploy("1.1.0", "PF-FZ")
        stock_dep = self.deploy("1.1.0", "PF-STOCK")

        # The agent is told, and says why it waits: the freeze, with its reason and last day.
        wait_until("the agent to wait for the freeze", lambda: self.waiting_for(agent) == "frozen", timeout=30)
        frozen = agent.call({"cmd": "status"})["update_available"]["frozen"]
        self.assertEqual((frozen["reason"], frozen["to"]), ("双十一", utc_date(1)))
        self.assertEqual(agent.call({"cmd": "status"})["policy"]["freezes"][0]["reason"], "双十一")
        self.assertEqual(agent.status()["version"], "1.0.0")
        self.assertEqual(self.deployment(dep)["result"], "none")

        # A stock DDI client is not shown the deployment; posfleet's agent is, with the freeze.
        self.assertNotIn("deploymentBase", self.stock_poll("PF-STOCK", stock.token).get("_links", {}))
        ext = self.stock_poll("PF-STOCK", stock.token, posfleet=True)
        self.assertEqual(ext["posfleet"]["policy"]["freezes"][0]["id"], f["id"])

        # Removing it (with a reason, audited) lets both go on.
        self.cli.run("freeze", "remove", str(f["id"]), "--reason", "sale is over")
        self.wait_installed(agent, dep, "1.1.0")
        self.assertIn("deploymentBase", self.stock_poll("PF-STOCK", stock.token)["_links"])
        self.assertEqual(self.cli.json("freeze", "list")["freezes"], [])
        created, removed = self.audit("freeze.create"), self.audit("freeze.delete")
        self.assertEqual(len(created), 1)
        self.assertEqual(len(removed), 1)
        self.assertEqual(removed[0]["reason"], "sale is over")
        self.assertIsNotNone(stock_dep)

    def test_a_freeze_of_another_group_and_a_security_exception_let_installs_by(self):
        agent = self.terminal("PF-GRP")
        self.cli.run("policy", "set", "--group", "pilot", "--mode", "auto", "--reason", "a pilot group")
        f = self.cli.json("freeze", "add", "--from", utc_date(-1), "--to", utc_date(1), "--group", "pilot",
                          "--reason", "pilot stores stocktaking")
        self.assertEqual((f["scope"], f["group"]), ("group", "pilot"))
        publish_release(self.cli, self.ws.path, "1.2.0")
        dep = self.deploy("1.2.0", "PF-GRP")  # PF-GRP is in no group: the freeze is not its
        self.wait_installed(agent, dep, "1.2.0")

    def test_windows_are_read_in_each_terminals_zone(self):
        hour = datetime.datetime.now(datetime.timezone.utc).hour
        # The window is 12:00-14:00 local. Open: the zone where it is 12:xx now (at least an hour
        # left). Closed: six hours further on (18:xx) or back (06:xx), whichever zone exists.
        open_offset = 12 - hour  # -11 .. 12
        closed_offset = open_offset + 6 if open_offset + 6 <= 14 else open_offset - 6
        open_zone, closed_zone = etc_zone(open_offset), etc_zone(closed_offset)
        self.cli.run("policy", "set", "--window", "12:00-14:00", "--reason", "installs at lunch, local time")

        opened = self.terminal("PF-OPEN", "--time-zone", open_zone)
        closed = self.terminal("PF-CLOSED")
        self.cli.run("terminal", "set-time-zone", "PF-CLOSED", closed_zone, "--reason", "the store is there")
        page = self.server.api("GET", "/api/v1/terminals/PF-CLOSED")
        self.assertEqual((page["time_zone"], page["time_zone_source"]), (closed_zone, "terminal"))
        self.assertEqual(self.audit("terminal.time_zone")[0]["after"], closed_zone)

        publish_release(self.cli, self.ws.path, "1.3.0")
        dep_open = self.deploy("1.3.0", "PF-OPEN")
        dep_closed = self.deploy("1.3.0", "PF-CLOSED")
        self.wait_installed(opened, dep_open, "1.3.0")
        wait_until("the closed terminal to wait for its window",
                   lambda: self.waiting_for(closed) == "window", timeout=30)
        self.assertEqual(closed.call({"cmd": "status"})["time_zone"], closed_zone)
        self.assertEqual(closed.status()["version"], "1.0.0")
        self.assertEqual(self.deployment(dep_closed)["result"], "none")

        # Back to the default zone: the fleet window's (Asia/Shanghai, from the fleet's policy).
        self.cli.run("terminal", "set-time-zone", "PF-CLOSED", "", "--reason", "moved back")
        page = self.server.api("GET", "/api/v1/terminals/PF-CLOSED")
        self.assertEqual(page["time_zone_source"], "fleet")
        # Its merchant's zone comes before the fleet's: a merchant in the open zone, and it installs.
        merchant = self.cli.json("merchant", "create", "--name", "张三", "--phone", "13800138000",
                                 "--resident-id", "110101199003074471")
        self.cli.run("merchant", "link", str(merchant["id"]), "--terminal", "PF-CLOSED")
        out = self.cli.run("merchant", "set-time-zone", str(merchant["id"]), open_zone, "--reason",
                           "the shop's region").stdout
        self.assertIn(open_zone, out)
        self.assertEqual(self.server.api("GET", f"/api/v1/merchants/{merchant['id']}")["time_zone"], open_zone)
        page = self.server.api("GET", "/api/v1/terminals/PF-CLOSED")
        self.assertEqual((page["time_zone"], page["time_zone_source"]), (open_zone, "merchant"))
        self.assertEqual(self.audit("merchant.time_zone")[0]["after"], open_zone)
        self.wait_installed(closed, dep_closed, "1.3.0")

    def test_bad_calendars_and_zones_are_refused_without_echoing_them(self):
        self.terminal("PF-BAD", start=False)
        base = {"from": utc_date(1), "to": utc_date(2), "reason": "r", "security": "hold"}
        cases = [
            ({"to": utc_date(0), "from": utc_date(1)}, "on or before"),
            ({"to": utc_date(100)}, "at most 90 days"),
            ({"reason": " "}, "reason"),
            ({"security": "sometimes"}, "hold, after_deadline or allow"),
            ({"from": "2026-02-30<script>"}, "YYYY-MM-DD"),
            ({"scope": "group", "group": "no-such-group"}, "no group"),
            ({"scope": "galaxy"}, "fleet or group"),
        ]
        for change, words in cases:
            code, body = self.api_error("POST", "/api/v1/freezes", dict(base, **change))
            self.assertIn(code, (400, 404), body)
            self.assertIn(words, body["message"])
            self.assertNotIn("<script>", body["message"])
        for zone in ("Mars/Olympus", "../../etc/passwd", "Asia/Shanghai\u202e", "A" * 300):
            code, body = self.api_error("PUT", "/api/v1/terminals/PF-BAD/time-zone", {"time_zone": zone})
            self.assertEqual(code, 400, body)
            self.assertNotIn(zone, body["message"])
        code, body = self.api_error("POST", "/api/v1/terminals",
                                    {"serial": "PF-BAD2", "model": "A920", "time_zone": "Mars/Olympus"})
        self.assertEqual(code, 400, body)
        code, body = self.api_error("DELETE", "/api/v1/freezes/999", {"reason": "gone"})
        self.assertEqual(code, 404, body)


if __name__ == "__main__":
    unittest.main()
