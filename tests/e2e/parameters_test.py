"""End to end, real processes: parameters (参数下发, issue 16).

The acquirer's administrator defines the payment app's template with the CLI. Values are set at
a reseller, overridden at a merchant below it, and one field is locked at the reseller so the
merchant's value no longer counts and cannot be set again. Two real agents (one of the merchant,
one of another reseller) fetch their sets with the poll, write them for the payment app and
acknowledge them; the server shows each terminal in step. The merchant's menu (the local socket
参数查看 reads) shows the values with the sensitive one masked, and the file holds it for the app.
A reseller's user sets values in its subtree only. Both backends (e2e_parameters_pg).
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ADMIN_PASSWORD, Agent, Browser, FleetTestCase, wait_until  # noqa: E402

PASSWORD = "a-long-enough-password"
TEMPLATE = {
    "app": "payment",
    "name": "支付应用",
    "fields": [
        {"key": "merchant_no", "type": "string", "pattern": "[0-9]{15}", "max_length": 15,
         "label": {"zh-CN": "商户号", "en": "Merchant number"}},
        {"key": "mcc", "type": "enum", "values": ["5411", "5812", "5999"], "default": "5999",
         "label": {"zh-CN": "商户类别码", "en": "MCC"}},
        {"key": "timeout", "type": "integer", "min": 10, "max": 120, "default": 60},
        {"key": "tips", "type": "boolean", "default": False},
        {"key": "tmk", "type": "string", "sensitive": True, "label": {"zh-CN": "主密钥", "en": "Master key"}},
    ],
}
SECRET = "0123456789ABCDEF0123456789ABCDEF"


class ParametersTest(FleetTestCase, unittest.TestCase):

    def terminal(self, serial, org):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        self.cli.json("terminal", "move", serial, "--org", str(org["id"]), "--reason", "签约")
        agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")])
        self.agents.append(agent)
        return agent.start()

    def applied(self, agent):
        path = os.path.join(agent.device_dir, "parameters", "payment.json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def in_step(self, serial):
        sets = self.cli.json("param", "terminal", serial)["apps"]
        return sets[0] if sets and sets[0]["in_sync"] else None

    def test_set_at_a_reseller_overridden_below_locked_above_and_acknowledged(self):
        with open(os.path.join(self.ws.path, "template.json"), "w") as f:
            json.dump(TEMPLATE, f, ensure_ascii=False)
        tpl = self.cli.json("param", "template", "add", "template.json")
        self.assertEqual([x["key"] for x in tpl["fields"]], ["merchant_no", "mcc", "timeout", "tips", "tmk"])
        east = self.cli.json("org", "add", "华东代理", "--kind", "reseller")
        west = self.cli.json("org", "add", "西部代理", "--kind", "reseller")
        shop = self.cli.json("org", "add", "西湖茶馆", "--kind", "merchant", "--parent", str(east["id"]))

        # A bad value is refused by name, before anything is saved.
        bad = self.cli.run("param", "set", "payment", "timeout=500", "--org", str(east["id"]), check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("timeout must be from 10 to 120", bad.stderr + bad.stdout)
        bad = self.cli.run("param", "set", "payment", "merchant_no=12AB", "--org", str(east["id"]), check=False)
        self.assertIn("merchant_no does not match its pattern", bad.stderr + bad.stdout)

        self.cli.json("param", "set", "payment", "mcc=5812", "timeout=45", "--org", str(east["id"]),
                      "--reason", "华东统一")
        self.cli.json("param", "set", "payment", "merchant_no=123456789012345", "mcc=5411",
                      f"tmk={SECRET}", "--org", str(shop["id"]), "--reason", "开户")
        shop_terminal = self.terminal("PARAM-SHOP-1", shop)
        west_terminal = self.terminal("PARAM-WEST-1", west)

        got = wait_until("the merchant's terminal to apply and acknowledge its set",
                         lambda: self.in_step("PARAM-SHOP-1"), timeout=60)
        values = {v["key"]: v for v in got["values"]}
        self.assertEqual(values["mcc"]["value"], "5411", "the merchant's value overrides the reseller's")
        self.assertEqual(values["mcc"]["source"], f"org:{shop['id']}")
        self.assertEqual(values["timeout"]["value"], 45)
        self.assertEqual(values["tips"]["source"], "default")
        self.assertIsNone(values["tmk"]["value"], "a sensitive value is never shown")
        self.assertTrue(values["tmk"]["set"])
        on_device = self.applied(shop_terminal)
        fields = {f["key"]: f["value"] for f in on_device["fields"]}
        self.assertEqual(fields["tmk"], SECRET, "the payment app gets the key")
        self.assertEqual(fields["mcc"], "5411")
        self.assertEqual(on_device["version"], got["version"])
        self.assertEqual(os.stat(os.path.join(shop_terminal.device_dir, "parameters", "payment.json")).st_mode
                         & 0o777, 0o600)
        west_set = wait_until("the other reseller's terminal to acknowledge",
                              lambda: self.in_step("PARAM-WEST-1"), timeout=60)
        self.assertEqual({v["key"]: v["value"] for v in west_set["values"]}["mcc"], "5999",
                         "another reseller's values do not reach it")

        # 参数查看 (the menu reads the daemon's answer): values, sensitive masked.
        menu = shop_terminal.call({"cmd": "parameters"})
        shown = {f["key"]: f["value"] for f in menu["apps"][0]["fields"]}
        self.assertEqual(shown["tmk"], "******")
        self.assertNotIn(SECRET, json.dumps(menu))

        # The reseller locks mcc: the merchant's value stops counting, and cannot be set again.
        self.cli.json("param", "set", "payment", "--lock", "mcc", "--org", str(east["id"]), "--reason", "统一类别码")
        refused = self.cli.run("param", "set", "payment", "mcc=5999", "--org", str(shop["id"]), check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn(f"mcc is locked at org:{east['id']}", refused.stderr + refused.stdout)
        got = wait_until("the locked value to reach the terminal",
                         lambda: (s := self.in_step("PARAM-SHOP-1")) and
                         {v["key"]: v["value"] for v in s["values"]}["mcc"] == "5812" and s, timeout=60)
        self.assertEqual({v["key"]: v for v in got["values"]}["mcc"]["locked_by"], f"org:{east['id']}")
        self.assertEqual({f["key"]: f for f in self.applied(shop_terminal)["fields"]}["mcc"]["locked"], True)

        # The preview shows a change's effect on one terminal without saving it.
        preview = self.cli.json("param", "preview", "payment", "timeout=90", "--org", str(shop["id"]),
                                "--for", "PARAM-SHOP-1")
        after = {v["key"]: v["value"] for v in preview["after"]["values"]}
        self.assertEqual(after["timeout"], 90)
        self.assertNotEqual(preview["before"]["version"], preview["after"]["version"])
        self.assertEqual({v["key"]: v["value"] for v in self.in_step("PARAM-SHOP-1")["values"]}["timeout"], 45)

        # A reseller's user: within its subtree only; the other's level is as missing.
        admin = Browser(self.server.url)
        self.assertEqual(admin.log_in("admin", ADMIN_PASSWORD)[0], 200)
        _, east_user = admin.user_in(east["id"], "east-ops", "release_manager", PASSWORD)
        change = {"level": "org", "organisation": shop["id"], "changes": [{"key": "timeout", "value": 30}]}
        status, body, _ = east_user.request("PUT", "/api/v1/parameters/values/payment", change)
        self.assertEqual(status, 200, body)
        status, body, _ = east_user.request("PUT", "/api/v1/parameters/values/payment",
                                            dict(change, organisation=west["id"]))
        self.assertEqual(status, 404, body)
        self.assertNotIn("西部", json.dumps(body, ensure_ascii=False))
        status, body, _ = east_user.request("GET", "/api/v1/terminals/PARAM-WEST-1/parameters")
        self.assertEqual(status, 404, body)
        status, body, _ = east_user.request("PUT", "/api/v1/parameters/values/payment",
                                            {"level": "org", "organisation": shop["id"],
                                             "changes": [{"key": "timeout", "locked": True}]})
        self.assertEqual(status, 403, body)
        self.assertIn("administrator", body["error"]["message"])
        wait_until("the reseller user's change to reach the terminal",
                   lambda: (s := self.in_step("PARAM-SHOP-1")) and
                   {v["key"]: v["value"] for v in s["values"]}["timeout"] == 30, timeout=60)

        # Every change audited with before and after; the key never in the log.
        entries = self.cli.json("audit", "list")["entries"]
        changes = [e for e in entries if e["action"] == "parameters.set"]
        self.assertGreaterEqual(len(changes), 4)
        self.assertTrue(any("mcc=5812" in e["after"] and "timeout=45" in e["after"] for e in changes), changes)
        self.assertNotIn(SECRET, json.dumps(entries))
        self.assertTrue(any("tmk=(sealed)" in e["after"] for e in changes))
        self.assertIn("parameters.template.create", [e["action"] for e in entries])


if __name__ == "__main__":
    unittest.main()
