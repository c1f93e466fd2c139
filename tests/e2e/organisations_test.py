"""End to end, real processes: organisations (issue 16, first part).

The acquirer's administrator builds a tree with the CLI (two resellers, a merchant below one),
gives terminals to them, and makes a user in each reseller. Each reseller's user, logged in to
the console's API, sees its own terminals and organisations only; the other's terminal is 404 in
the words of one that does not exist; its overview counts its own terminals; a route not yet
taught to keep to a subtree refuses it rather than answer for the whole fleet. A reseller's
administrator reads its own users and audit log, and deploys the acquirer's release to its
terminals: a real agent of its own installs it, the sibling's is left alone. A policy set at an
organisation reaches a real agent below it, a lock set above the reseller holds against the
reseller and the terminal alike, and the sibling's agent keeps its own. An application given to
a reseller is reviewed by its staff alone; the terminal of its approval, enrolled by a real
agent with its activation code, is the reseller's, and the reseller's support verifies the
merchant and changes its mode, which the agent learns. Both backends (e2e_organisations_pg).
"""
import json
import os
import subprocess
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ADMIN_PASSWORD, Agent, Browser, FleetTestCase, binary, publish_release,  # noqa: E402
                     wait_until)

PASSWORD = "a-long-enough-password"
APPLICANT = {"kind": "individual", "legal_name": "李四", "resident_id": "11010519491231002X",
             "phone": "13700137000", "card": "4111111111111111", "bank": "中国工商银行",
             "address": "浙江省杭州市西湖区北山街 1 号", "model": "M50"}


class OrganisationsTest(FleetTestCase, unittest.TestCase):
    SERVER_ARGS = ("--rollout-tick-ms", "200")

    def agents_in(self, placed, group=""):
        """Registers each serial, gives it to its organisation and starts a real agent for it."""
        agents = {}
        for serial, org in placed:
            reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
            self.cli.json("terminal", "move", serial, "--org", str(org["id"]), "--reason", "签约")
            if group:
                self.cli.run("terminal", "group", serial, "--group", group)
            agents[serial] = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                                   [os.path.join(self.ws.path, "keys/release.pub")])
            self.agents.append(agents[serial])
            agents[serial].start()
        return agents

    def test_each_reseller_sees_its_own_subtree_only(self):
        for serial in ("ORG-EAST-1", "ORG-EAST-2", "ORG-WEST-1", "ORG-HQ-1"):
            self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        east = self.cli.json("org", "add", "华东代理", "--kind", "reseller")
        west = self.cli.json("org", "add", "西部代理", "--kind", "reseller")
        shop = self.cli.json("org", "add", "西湖茶馆", "--kind", "merchant", "--parent", str(east["id"]))
        self.assertEqual((east["kind"], east["parent"], east["depth"]), ("reseller", 1, 1))
        self.assertEqual((shop["parent"], shop["depth"]), (east["id"], 2))
        for serial, org in (("ORG-EAST-1", shop), ("ORG-EAST-2", east), ("ORG-WEST-1", west)):
            moved = self.cli.json("terminal", "move", serial, "--org", str(org["id"]), "--reason", "签约")
            self.assertEqual(moved["organisation"]["id"], org["id"])
            self.assertEqual(moved["from"]["kind"], "acquirer")
        # The list reads as a tree, in English here (the CLI follows LANG).
        text = self.cli.run("org", "list").stdout
        self.assertIn("    西湖茶馆", text, text)
        self.assertIn("reseller", text)
        # A bad id is refused before any request, and an unknown one by the server.
        bad = self.cli.run("terminal", "move", "ORG-HQ-1", "--org", "x1", "--reason", "r", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("positive number", bad.stderr + bad.stdout)
        missing = self.cli.run("org", "show", "99999", check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("no organisation 99999", missing.stderr + missing.stdout)

        admin = Browser(self.server.url)
        self.assertEqual(admin.log_in("admin", ADMIN_PASSWORD)[0], 200)
        users = {}
        for name, org in (("east-ops", east), ("west-ops", west)):
            made, users[name] = admin.user_in(org["id"], name, "release_manager", PASSWORD)
            self.assertEqual(made["organisation"], org["id"])
        east_user, west_user = users["east-ops"], users["west-ops"]

        status, page, _ = east_user.request("GET", "/api/v1/terminals")
        self.assertEqual(status, 200, page)
        self.assertEqual(sorted(t["serial"] for t in page["terminals"]), ["ORG-EAST-1", "ORG-EAST-2"])
        self.assertEqual(page["total"], 2)
        status, page, _ = west_user.request("GET", "/api/v1/terminals")
        self.assertEqual([t["serial"] for t in page["terminals"]], ["ORG-WEST-1"])
        status, page, _ = admin.request("GET", "/api/v1/terminals")
        self.assertEqual(page["total"], 4, "the acquirer sees the whole fleet")

        status, orgs, _ = east_user.request("GET", "/api/v1/organisations")
        self.assertEqual(status, 200, orgs)
        self.assertEqual([o["name"] for o in orgs["organisations"]], ["华东代理", "西湖茶馆"])
        status, orgs, _ = west_user.request("GET", "/api/v1/organisations")
        self.assertNotIn("华东", str(orgs))

        # The other reseller's terminal, by serial: exactly a missing one.
        theirs = east_user.request("GET", "/api/v1/terminals/ORG-WEST-1")
        nobody = east_user.request("GET", "/api/v1/terminals/ORG-NOBODY")
        self.assertEqual((theirs[0], nobody[0]), (404, 404))
        self.assertEqual(theirs[1]["error"]["code"], nobody[1]["error"]["code"])
        self.assertEqual(theirs[1]["error"]["message"], "no terminal with serial ORG-WEST-1")
        status, body, _ = east_user.request("PUT", "/api/v1/terminals/ORG-WEST-1/organisation",
                                             {"organisation": east["id"], "reason": "mine now"})
        self.assertEqual(status, 404, body)
        self.assertEqual(east_user.request("GET", "/api/v1/terminals/ORG-EAST-1")[0], 200)

        # Its overview counts its own two terminals, not the fleet's four.
        status, overview, _ = east_user.request("GET", "/api/v1/overview")
        self.assertEqual(status, 200, overview)
        self.assertEqual(sum(v["count"] for v in overview["versions"]), 2)
        self.assertEqual(overview["online"] + overview["offline"], 2)
        status, overview, _ = admin.request("GET", "/api/v1/overview")
        self.assertEqual(overview["online"] + overview["offline"], 4)
        # Not yet open to a reseller's user: refused, no fleet-wide counts.
        for path in ("/api/v1/webhooks", "/api/v1/freezes"):
            status, body, _ = east_user.request("GET", path)
            self.assertEqual(status, 403, (path, body))
            self.assertNotIn("ORG-", str(body))

        # A reseller's administrator: the users of its subtree, and its subtree's audit log.
        _, boss = admin.user_in(east["id"], "east-boss", "admin", PASSWORD)
        status, users, _ = boss.request("GET", "/api/v1/users")
        self.assertEqual(status, 200, users)
        self.assertEqual(sorted(u["name"] for u in users["users"]), ["east-boss", "east-ops"])
        status, body, _ = boss.request("PUT", "/api/v1/users/west-ops", {"disabled": True})
        self.assertEqual(status, 404, body)
        self.assertEqual(body["error"]["message"], "no user west-ops")
        status, body, _ = boss.request("PUT", "/api/v1/users/east-ops", {"role": "auditor"})
        self.assertEqual(status, 200, body)
        status, log, _ = boss.request("GET", "/api/v1/audit?limit=5000")
        self.assertEqual(status, 200, log)
        seen = {(e["action"], e["target"]) for e in log["entries"]}
        self.assertIn(("terminal.organisation", "terminal:ORG-EAST-1"), seen)  # the acquirer's move
        self.assertIn(("user.create", "user:east-ops"), seen)
        self.assertIn(("login.ok", "user:east-ops"), seen)
        self.assertIn(("user.change", "user:east-ops"), seen)
        self.assertEqual(log["total"], len(log["entries"]))
        self.assertIsNone(log["head"], "the whole log's head is the acquirer's")
        for word in ("ORG-WEST", "ORG-HQ", "west-ops", "西部"):
            self.assertNotIn(word, str(log))
        status, whole, _ = admin.request("GET", "/api/v1/audit?limit=1")
        self.assertGreater(whole["total"], log["total"])

        entries = self.cli.json("audit", "list")["entries"]
        actions = [(e["action"], e["target"]) for e in entries]
        self.assertIn(("organisation.create", f"organisation:{shop['id']}"), actions)
        self.assertIn(("terminal.organisation", "terminal:ORG-WEST-1"), actions)


    def test_a_resellers_deployment_reaches_its_own_terminals_alone(self):
        east = self.cli.json("org", "add", "华东代理", "--kind", "reseller")
        west = self.cli.json("org", "add", "西部代理", "--kind", "reseller")
        self.agents_in((("DEP-EAST-1", east), ("DEP-WEST-1", west)), group="north")
        publish_release(self.cli, self.ws.path, "2.0.0")

        admin = Browser(self.server.url)
        self.assertEqual(admin.log_in("admin", ADMIN_PASSWORD)[0], 200)
        _, boss = admin.user_in(east["id"], "east-admin", "admin", PASSWORD)
        status, releases, _ = boss.request("GET", "/api/v1/releases")
        self.assertEqual([r["version"] for r in releases["releases"]], ["2.0.0"], releases)
        # The sibling's terminal by name is missing; the group "north" holds both, and the
        # reseller's deployment to it reaches its own terminal alone.
        status, body, _ = boss.request("POST", "/api/v1/deployments",
                                       {"release": "2.0.0", "terminal": "DEP-WEST-1"})
        self.assertEqual((status, body["error"]["message"]), (404, "no terminal with serial DEP-WEST-1"))
        status, made, _ = boss.request("POST", "/api/v1/deployments",
                                       {"release": "2.0.0", "group": "north", "reason": "华东升级"})
        self.assertEqual(status, 201, made)
        self.assertEqual(made["created"], 1, made)

        wait_until("the reseller's terminal to run 2.0.0",
                   lambda: self.server.api("GET", "/api/v1/terminals/DEP-EAST-1")["installed_version"] == "2.0.0",
                   timeout=60)
        status, mine, _ = boss.request("GET", "/api/v1/deployments")
        self.assertEqual([(d["terminal"], d["status"], d["result"]) for d in mine["deployments"]],
                         [("DEP-EAST-1", "finished", "success")])
        status, progress, _ = boss.request("GET", "/api/v1/releases/2.0.0/progress")
        self.assertEqual((status, progress["total"], progress["counts"]["success"]), (200, 1, 1), progress)
        self.assertEqual([d["terminal"] for d in progress["deployments"]], ["DEP-EAST-1"])
        self.assertNotIn("bytes", progress)
        # The sibling's agent has polled since and was offered nothing.
        seen = self.server.api("GET", "/api/v1/terminals/DEP-WEST-1")["last_seen"]
        wait_until("the sibling's terminal to poll again",
                   lambda: self.server.api("GET", "/api/v1/terminals/DEP-WEST-1")["last_seen"] != seen, timeout=30)
        self.assertEqual(self.server.api("GET", "/api/v1/deployments?terminal=DEP-WEST-1")["total"], 0)
        self.assertNotEqual(self.server.api("GET", "/api/v1/terminals/DEP-WEST-1")["installed_version"], "2.0.0")
        status, log, _ = boss.request("GET", "/api/v1/audit?limit=5000")
        self.assertIn(("deployment.create", "release:2.0.0"),  # its own act, in its own log
                      {(e["action"], e["target"]) for e in log["entries"]})
        self.assertNotIn("DEP-WEST", str(log))

    def test_a_policy_set_at_an_organisation_holds_down_its_tree(self):
        east = self.cli.json("org", "add", "华东代理", "--kind", "reseller")
        west = self.cli.json("org", "add", "西部代理", "--kind", "reseller")
        shop = self.cli.json("org", "add", "西湖茶馆", "--kind", "merchant", "--parent", str(east["id"]))
        agents = self.agents_in((("POL-SHOP-1", shop), ("POL-WEST-1", west)))
        shop_agent, west_agent = agents["POL-SHOP-1"], agents["POL-WEST-1"]

        def policy_on(agent):
            return agent.call({"cmd": "status"})["policy"]

        admin = Browser(self.server.url)
        self.assertEqual(admin.log_in("admin", ADMIN_PASSWORD)[0], 200)
        _, boss = admin.user_in(east["id"], "east-admin", "admin", PASSWORD)
        # The reseller turns updates to manual for its whole subtree: its merchant's terminal
        # learns it with a poll.
        status, body, _ = boss.request("PUT", "/api/v1/policy",
                                       {"organisation": east["id"], "mode": "manual", "reason": "代理商统一"})
        self.assertEqual((status, body["effective"]["mode"]), (200, "manual"), body)
        wait_until("the merchant's terminal to learn the reseller's mode",
                   lambda: policy_on(shop_agent)["mode"] == "manual", timeout=30)
        status, body, _ = boss.request("GET", f"/api/v1/policy?organisation={west['id']}")
        self.assertEqual((status, body["error"]["message"]),
                         (404, f"no organisation {west['id']}; the organisation list shows those you may use"))

        # The acquirer locks the reseller's organisation with the CLI: the lock reaches the
        # terminal, which refuses its merchant's change, and the reseller cannot change it either.
        self.cli.run("policy", "set", "--organisation", str(east["id"]), "--mode", "never", "--lock",
                     "--lock-reason", "收单机构冻结", "--reason", "审计")
        wait_until("the merchant's terminal to learn the lock",
                   lambda: policy_on(shop_agent)["locked"] and policy_on(shop_agent)["mode"] == "never",
                   timeout=30)
        p = subprocess.run([binary("POSFLEET_AGENT"), "-c", shop_agent.config_path, "set", "update-mode",
                            "auto", "--json"], capture_output=True, text=True, timeout=60)
        answer = json.loads(p.stdout)
        self.assertEqual(answer["error"], "locked", answer)
        self.assertIn("收单机构冻结", answer["message_zh"])
        status, body, _ = boss.request("PUT", "/api/v1/policy",
                                       {"organisation": shop["id"], "mode": "auto", "reason": "商户要求"})
        self.assertEqual((status, body["error"]["code"]), (403, "locked"), body)
        shown = self.cli.json("policy", "show", "--organisation", str(shop["id"]))
        self.assertEqual((shown["scope"], shown["effective"]["mode"], shown["effective"]["locked"]),
                         ("organisation", "never", True))
        self.assertEqual(self.server.api("GET", "/api/v1/terminals?mode=never")["total"], 1)

        # The sibling's terminal keeps the fleet's mode all along.
        seen = self.server.api("GET", "/api/v1/terminals/POL-WEST-1")["last_seen"]
        wait_until("the sibling's terminal to poll again",
                   lambda: self.server.api("GET", "/api/v1/terminals/POL-WEST-1")["last_seen"] != seen, timeout=30)
        self.assertEqual((policy_on(west_agent)["mode"], policy_on(west_agent)["locked"]), ("auto", False))

    def test_a_pilot_release_and_a_resellers_rollout_reach_its_terminals_alone(self):
        east = self.cli.json("org", "add", "华东代理", "--kind", "reseller")
        west = self.cli.json("org", "add", "西部代理", "--kind", "reseller")
        self.agents_in((("PIL-EAST-1", east), ("PIL-WEST-1", west)))
        publish_release(self.cli, self.ws.path, "3.0.0")
        # The acquirer gives the release to the east reseller alone, with the CLI.
        given = self.cli.json("release", "organisation", "3.0.0", "--org", str(east["id"]), "--reason", "华东试点")
        self.assertEqual(given["organisation"], east["id"])

        admin = Browser(self.server.url)
        self.assertEqual(admin.log_in("admin", ADMIN_PASSWORD)[0], 200)
        _, boss = admin.user_in(east["id"], "east-boss", "admin", PASSWORD)
        _, other = admin.user_in(west["id"], "west-boss", "admin", PASSWORD)
        status, body, _ = other.request("GET", "/api/v1/releases")
        self.assertEqual((status, body["releases"]), (200, []), "the west does not see the pilot")
        status, body, _ = other.request("GET", "/api/v1/releases/3.0.0")
        self.assertEqual((status, body["error"]["message"]), (404, "no release 3.0.0"))

        # The east reseller's own rollout of it: one wave over every A920 terminal, which
        # for it means its own terminals.
        status, made, _ = boss.request("POST", "/api/v1/rollouts", {
            "release": "3.0.0", "target": {"filter": {"model": "A920"}}, "waves": [{"percent": 100}],
            "name": "华东试点", "reason": "试点", "start": True})
        self.assertEqual(status, 201, made)
        wait_until("the east's terminal to run the pilot",
                   lambda: self.server.api("GET", "/api/v1/terminals/PIL-EAST-1")["installed_version"] == "3.0.0",
                   timeout=90)
        status, members, _ = boss.request("GET", f"/api/v1/rollouts/{made['id']}/terminals")
        self.assertEqual([m["serial"] for m in members["terminals"]], ["PIL-EAST-1"], members)
        status, body, _ = other.request("GET", f"/api/v1/rollouts/{made['id']}")
        self.assertEqual((status, body["error"]["message"]), (404, f"no rollout {made['id']}"))
        status, body, _ = other.request("GET", "/api/v1/rollouts")
        self.assertEqual((status, body["total"]), (200, 0))
        # Even the acquirer's deployment of the pilot skips the west's terminal.
        skipped = self.server.api("POST", "/api/v1/deployments/preview",
                                  {"release": "3.0.0", "terminals": ["PIL-WEST-1"]})
        self.assertEqual(skipped["skipped"]["other_organisation"], 1, skipped)
        seen = self.server.api("GET", "/api/v1/terminals/PIL-WEST-1")["last_seen"]
        wait_until("the west's terminal to poll again",
                   lambda: self.server.api("GET", "/api/v1/terminals/PIL-WEST-1")["last_seen"] != seen, timeout=30)
        self.assertNotEqual(self.server.api("GET", "/api/v1/terminals/PIL-WEST-1")["installed_version"], "3.0.0")


    def public(self, path, body):
        """A request of the public form, without a log-in."""
        req = urllib.request.Request(self.server.url + path, method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read().decode())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode())

    def sms_to(self, phone):
        with open(os.path.join(self.server.data_dir, "sms-outbox.jsonl")) as f:
            return [json.loads(line)["text"] for line in f if json.loads(line)["to"] == phone]

    def test_an_application_given_to_a_reseller_is_its_own_down_to_the_enrolled_terminal(self):
        east = self.cli.json("org", "add", "华东代理", "--kind", "reseller")
        west = self.cli.json("org", "add", "西部代理", "--kind", "reseller")
        status, code = self.public("/api/v1/public/phone-codes", {"phone": APPLICANT["phone"]})
        self.assertEqual(status, 201, code)
        digits = self.sms_to(APPLICANT["phone"])[-1].split("验证码 ")[1][:6]
        self.assertEqual(self.public(f"/api/v1/public/phone-codes/{code['id']}/confirm", {"code": digits})[0], 200)
        status, submitted = self.public("/api/v1/public/applications", dict(APPLICANT, phone_code_id=code["id"]))
        self.assertEqual(status, 201, submitted)

        admin = Browser(self.server.url)
        self.assertEqual(admin.log_in("admin", ADMIN_PASSWORD)[0], 200)
        _, boss = admin.user_in(east["id"], "east-boss", "admin", PASSWORD)
        _, desk = admin.user_in(east["id"], "east-desk", "support", PASSWORD)
        _, west_boss = admin.user_in(west["id"], "west-boss", "admin", PASSWORD)
        status, apps, _ = admin.request("GET", "/api/v1/applications")
        app = next(a for a in apps["applications"] if a["number"] == submitted["number"])
        self.assertEqual(app["organisation"], 1, "a new application is the acquirer's to review")
        self.assertEqual(west_boss.request("GET", "/api/v1/applications")[1]["applications"], [])
        status, given, _ = admin.request("PUT", f"/api/v1/applications/{app['id']}/organisation",
                                         {"organisation": east["id"], "reason": "华东代理发展的商户"})
        self.assertEqual((status, given["organisation"]), (200, east["id"]), given)

        # The east reviews it; to the west it does not exist.
        status, apps, _ = boss.request("GET", "/api/v1/applications")
        self.assertEqual([a["number"] for a in apps["applications"]], [submitted["number"]])
        status, body, _ = west_boss.request("POST", f"/api/v1/applications/{app['id']}/approve",
                                            {"serials": ["ORG-APP-9"], "reason": "mine?"})
        self.assertEqual((status, body["error"]["message"]), (404, f"no application {app['id']}"))
        status, approved, _ = boss.request("POST", f"/api/v1/applications/{app['id']}/approve",
                                           {"serials": ["ORG-APP-1"], "reason": "资料齐全"})
        self.assertEqual(status, 200, approved)
        activation = approved["activation_codes"][0]["code"]

        # A real agent enrols with the code: the terminal is the east's, and polls as itself.
        agent = Agent(self.ws.path, self.server.url, "ORG-APP-1", "", "M50",
                      [os.path.join(self.ws.path, "keys/release.pub")])
        agent.config.pop("token")
        agent.write_config()
        self.agents.append(agent)
        p = subprocess.run([binary("POSFLEET_AGENT"), "-c", agent.config_path, "enroll", activation],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        agent.start()
        wait_until("the enrolled terminal to poll",
                   lambda: boss.request("GET", "/api/v1/terminals/ORG-APP-1")[1].get("last_seen"), timeout=30)
        self.assertEqual(boss.request("GET", "/api/v1/terminals")[1]["total"], 1)
        self.assertEqual(west_boss.request("GET", "/api/v1/terminals/ORG-APP-1")[0], 404)

        # The east's support verifies the merchant from its terminal and turns updates to manual
        # for it; the agent learns it with a poll. The west's support finds no such merchant.
        status, merchants, _ = desk.request("GET", "/api/v1/merchants?q=" + APPLICANT["phone"])
        self.assertEqual([m["organisation"] for m in merchants["merchants"]], [east["id"]], merchants)
        _, west_desk = admin.user_in(west["id"], "west-desk", "support", PASSWORD)
        self.assertEqual(west_desk.request("GET", "/api/v1/merchants?q=" + APPLICANT["phone"])[1]["merchants"], [])
        status, verification, _ = desk.request("POST", "/api/v1/support/verifications",
                                               {"terminal": "ORG-APP-1", "legal_name": "李四", "id_last4": "002X"})
        self.assertEqual(status, 201, verification)
        digits = self.sms_to(APPLICANT["phone"])[-1].split("验证码 ")[1][:6]
        vid = verification["id"]
        status, body, _ = west_desk.request("POST", f"/api/v1/support/verifications/{vid}/code", {"code": digits})
        self.assertEqual((status, body["error"]["message"]), (404, f"no verification {vid}"))
        self.assertEqual(desk.request("POST", f"/api/v1/support/verifications/{vid}/code", {"code": digits})[0], 200)
        status, changed, _ = desk.request("POST", f"/api/v1/support/verifications/{vid}/policy",
                                          {"mode": "manual", "reason": "商户要求手动更新"})
        self.assertEqual((status, changed["terminals"]), (200, ["ORG-APP-1"]), changed)
        wait_until("the enrolled terminal to learn its merchant's mode",
                   lambda: agent.call({"cmd": "status"})["policy"]["mode"] == "manual", timeout=30)
        log = boss.request("GET", "/api/v1/audit?limit=5000")[1]
        actions = {e["action"] for e in log["entries"]}
        for action in ("application.organisation", "application.approve", "merchant.create",
                       "terminal.enroll", "support.verify.ok"):
            self.assertIn(action, actions)
        self.assertNotIn("application.organisation", str(west_boss.request("GET", "/api/v1/audit?limit=5000")[1]))


if __name__ == "__main__":
    unittest.main()
