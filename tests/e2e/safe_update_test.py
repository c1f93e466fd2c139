"""End to end, real processes: updates that are safe to install (seed §4, §5).

An update installs only inside the maintenance window and on a network the
policy allows; it waits — visibly on the terminal and in the server's history,
never failing — for the charger, for storage, for a sale in progress to end and
for peripherals to be unplugged; and a new version that fails its health check
or never boots is rolled back, the merchant's data restored with every sale
made in the meantime, and reported as a failure with the reason.
"""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import FleetTestCase, Agent, binary, wait_until  # noqa: E402


class SafeUpdateTest(FleetTestCase, unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.versions = 0

    # helpers ---------------------------------------------------------------

    def release(self, size=50_000):
        self.versions += 1
        version = f"3.0.{self.versions}"
        path = os.path.join(self.ws.path, f"os-{version}.img")
        with open(path, "wb") as f:
            f.write(os.urandom(size))
        self.cli.run("release", "create", "--dir", f"rel-{version}", "--version", version, "--model", "A920",
                     "--component", f"os={path}", "--notes-zh", "系统更新", "--notes-en", "System update")
        self.cli.run("release", "sign", "--dir", f"rel-{version}", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", f"rel-{version}")
        return version

    def terminal(self, serial, hw=None, data=True, **config):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        config.setdefault("precheck_retry_seconds", 1)
        agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")], **config)
        self.agents.append(agent)
        for name, content in (hw or {}).items():
            self.set_hw(agent, name, content)
        if data:
            self.pay(agent, "T-before-1")
            self.pay(agent, "T-before-2")
            os.makedirs(os.path.join(agent.device_dir, "data"), exist_ok=True)
            with open(os.path.join(agent.device_dir, "data", "settings.json"), "w") as f:
                json.dump({"receipt": "short", "tips": True}, f)
        agent.start()
        return agent

    def set_hw(self, agent, name, content):
        d = os.path.join(agent.device_dir, "hw")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name + ".json")
        with open(path + ".new", "w") as f:
            json.dump(content, f)
        os.replace(path + ".new", path)

    def pay(self, agent, txn, hold=0, wait=True):
        args = [binary("POSFLEET_AGENT"), "-c", agent.config_path, "pay", "--amount", "1000", "--id", txn,
                "--hold-seconds", str(hold)]
        if wait:
            subprocess.run(args, check=True, capture_output=True, timeout=60)
            return None
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def journal(self, agent):
        with open(os.path.join(agent.device_dir, "data", "journal.jsonl")) as f:
            return [json.loads(line)["id"] for line in f if line.strip()]

    def deploy(self, version, serial):
        return self.cli.json("deploy", "--release", version, "--terminal", serial)["id"]

    def deployment(self, dep):
        return self.cli.json("deployment", "show", str(dep))

    def wait_waiting(self, agent, reason):
        def waiting():
            st = agent.status()
            return st if (st.get("waiting") or {}).get("reason", "").startswith(reason) else None
        return wait_until(f"the update to wait for {reason}", waiting)

    def wait_result(self, dep, result="success", timeout=40):
        return wait_until(f"deployment {dep} to end {result}",
                          lambda: (lambda d: d if d["status"] == "finished" else None)(self.deployment(dep)),
                          timeout=timeout)

    def assert_waits_then_installs(self, agent, dep, version, reason, fix, feedback_word):
        w = self.wait_waiting(agent, reason)
        self.assertTrue(w["waiting"]["zh-CN"] and w["waiting"]["en"])
        time.sleep(2)  # it keeps waiting; it does not fail
        d = self.deployment(dep)
        self.assertEqual(d["status"], "running", d)
        details = " ".join(" ".join(h["details"]) for h in d["history"])
        self.assertIn("waiting: ", details)
        self.assertIn(feedback_word, details)
        self.assertEqual(agent.status()["version"], "1.0.0")
        fix()
        d = self.wait_result(dep)
        self.assertEqual(d["result"], "success", d)
        self.assertEqual(agent.status()["version"], version)
        self.assertIsNone(agent.status()["waiting"])

    # manual choice and confirmation -------------------------------------------

    def test_manual_mode_lets_the_merchant_choose_components_but_not_drop_required_ones(self):
        files = {}
        for name, size in (("os", 30_000), ("payment-app", 20_000), ("fonts", 10_000), ("ads", 5_000)):
            files[name] = os.path.join(self.ws.path, name + ".bin")
            with open(files[name], "wb") as f:
                f.write(os.urandom(size))
        args = ["release", "create", "--dir", "rel-m", "--version", "3.1.0", "--model", "A920",
                "--notes-zh", "新增银联二维码", "--notes-en", "UnionPay QR codes", "--mandatory", "os",
                "--depends", "payment-app=fonts"]
        for name, path in files.items():
            args += ["--component", f"{name}={path}"]
        self.cli.run(*args)
        self.cli.run("release", "sign", "--dir", "rel-m", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", "rel-m")
        agent = self.terminal("PF-M", data=False)
        self.cli.run("policy", "set", "--terminal", "PF-M", "--mode", "manual", "--reason", "merchant installs")
        dep = self.deploy("3.1.0", "PF-M")
        offer = wait_until("the offer", lambda: agent.call({"cmd": "check"})["update_available"])
        self.assertEqual(offer["waiting_for"], "confirmation")
        self.assertEqual(offer["notes"]["zh-CN"], "新增银联二维码")
        comps = {c["name"]: c for c in offer["components"]}
        self.assertEqual(set(comps), {"os", "payment-app", "fonts", "ads"})
        self.assertTrue(comps["os"]["mandatory"])
        self.assertEqual(comps["payment-app"]["depends"], ["fonts"])
        self.assertEqual(comps["ads"]["size"], 5_000)
        time.sleep(2)
        self.assertNotEqual(self.deployment(dep)["status"], "finished")  # nothing without confirmation

        answer = agent.call({"cmd": "install", "components": ["payment-app"]})
        self.assertTrue(answer["ok"], answer)
        self.assertEqual(answer["components"], ["os", "payment-app", "fonts"])
        self.assertIn("os is mandatory", answer["message_en"])
        self.assertIn("fonts is needed by payment-app", answer["message_en"])
        d = self.wait_result(dep)
        self.assertEqual(d["result"], "success", d)
        confirmed = [h for h in d["history"] if h["execution"] == "confirmed"]
        self.assertEqual(len(confirmed), 1, d["history"])
        self.assertIn("components: os, payment-app, fonts", confirmed[0]["details"][0])
        with open(os.path.join(agent.device_dir, "slots", "b", "slot.json")) as f:
            installed = sorted(c["name"] for c in json.load(f)["components"])
        self.assertEqual(installed, ["fonts", "os", "payment-app"])  # ads was left out

    # window and network ----------------------------------------------------

    def test_auto_mode_installs_only_inside_the_maintenance_window(self):
        # A one-minute window twelve hours away from now, in Shanghai time.
        # (The end is computed from the start, so at :59 it rolls into the next hour
        # rather than wrapping round into a 23-hour window that includes now.)
        start = time.gmtime(time.time() + 8 * 3600 + 12 * 3600)
        end = time.gmtime(time.time() + 8 * 3600 + 12 * 3600 + 60)
        window = f"{start.tm_hour:02d}:{start.tm_min:02d}-{end.tm_hour:02d}:{end.tm_min:02d}"
        agent = self.terminal("PF-W", data=False)
        self.cli.run("policy", "set", "--terminal", "PF-W", "--window", window, "--reason", "night only")
        version = self.release()
        dep = self.deploy(version, "PF-W")
        wait_until("the offer to wait for the window",
                   lambda: (agent.call({"cmd": "status"})["update_available"] or {}).get("waiting_for") == "window")
        time.sleep(2)
        self.assertNotEqual(self.deployment(dep)["status"], "finished")
        self.assertEqual(agent.status()["version"], "1.0.0")
        self.cli.run("policy", "set", "--terminal", "PF-W", "--window", "00:00-00:00", "--reason", "now is fine")
        self.assertEqual(self.wait_result(dep)["result"], "success")

    def test_cellular_forbidden_waits_for_wifi(self):
        agent = self.terminal("PF-N", hw={"network": {"kind": "cellular", "signal": 60}}, data=False)
        self.cli.run("policy", "set", "--terminal", "PF-N", "--cellular", "forbidden", "--reason", "data costs")
        time.sleep(1.5)  # let the agent learn the rule before the offer comes
        version = self.release()
        dep = self.deploy(version, "PF-N")
        self.assert_waits_then_installs(agent, dep, version, "cellular",
                                        lambda: self.set_hw(agent, "network", {"kind": "wifi", "signal": 80}),
                                        "cellular")

    def test_cellular_limit_allows_small_updates_only(self):
        agent = self.terminal("PF-N2", hw={"network": {"kind": "cellular"}}, data=False)
        self.cli.run("policy", "set", "--terminal", "PF-N2", "--cellular", "limit", "--cellular-limit-mb", "1",
                     "--reason", "1 MB allowed")
        time.sleep(1.5)
        big = self.release(size=1_500_000)
        dep = self.deploy(big, "PF-N2")
        self.assert_waits_then_installs(agent, dep, big, "cellular_limit",
                                        lambda: self.set_hw(agent, "network", {"kind": "ethernet"}), "larger than")
        small = self.release(size=200_000)
        self.assertEqual(self.wait_result(self.deploy(small, "PF-N2"))["result"], "success")  # still on ethernet
        self.set_hw(agent, "network", {"kind": "cellular"})
        tiny = self.release(size=100_000)
        self.assertEqual(self.wait_result(self.deploy(tiny, "PF-N2"))["result"], "success")

    # pre-checks --------------------------------------------------------------

    def test_low_battery_waits_for_the_charger(self):
        agent = self.terminal("PF-B", hw={"battery": {"percent": 12, "mains": False}})
        version = self.release()
        dep = self.deploy(version, "PF-B")
        self.wait_waiting(agent, "battery")
        # The terminal's menu says what the update waits for, in the merchant's words.
        from menu_test import Menu
        menu = Menu([binary("POSFLEET_AGENT"), "-c", agent.config_path, "menu"], self.ws.path)
        try:
            menu.send("1", "1")  # 设置 → 软件更新
            menu.expect("正在更新：正在做安装前检查", "更新等待中：电量不足（12%），请连接充电器")
        finally:
            menu.close()
        self.assert_waits_then_installs(agent, dep, version, "battery",
                                        lambda: self.set_hw(agent, "battery", {"percent": 12, "mains": True}),
                                        "battery low (12%)")

    def test_turning_updates_off_pauses_an_update_that_waits_in_its_pre_checks(self):
        agent = self.terminal("PF-B2", hw={"battery": {"percent": 5, "mains": False}})
        version = self.release()
        dep = self.deploy(version, "PF-B2")
        self.wait_waiting(agent, "battery")
        self.agent_cmd_set(agent, "never")
        self.wait_waiting(agent, "policy")
        self.set_hw(agent, "battery", {"percent": 90, "mains": True})  # charged, but updates are off
        time.sleep(3)
        self.assertEqual(agent.status()["version"], "1.0.0")
        self.assertNotEqual(self.deployment(dep)["status"], "finished")
        self.agent_cmd_set(agent, "auto")
        self.assertEqual(self.wait_result(dep)["result"], "success")

    def agent_cmd_set(self, agent, mode):
        subprocess.run([binary("POSFLEET_AGENT"), "-c", agent.config_path, "set", "update-mode", mode],
                       check=True, capture_output=True, timeout=60)

    def test_full_storage_waits_for_space(self):
        agent = self.terminal("PF-D", hw={"storage": {"free_bytes": 1000}})
        version = self.release()
        dep = self.deploy(version, "PF-D")
        self.assert_waits_then_installs(agent, dep, version, "storage",
                                        lambda: self.set_hw(agent, "storage", {"free_bytes": 10_000_000}),
                                        "not enough storage")

    def test_connected_peripherals_must_be_unplugged(self):
        agent = self.terminal("PF-U", hw={"peripherals": {"connected": ["usb:barcode-scanner"]}})
        version = self.release()
        dep = self.deploy(version, "PF-U")
        self.assert_waits_then_installs(agent, dep, version, "peripherals",
                                        lambda: self.set_hw(agent, "peripherals", {"connected": []}),
                                        "usb:barcode-scanner")

    def test_a_sale_in_progress_delays_the_install_until_it_is_released(self):
        agent = self.terminal("PF-P")
        sale = self.pay(agent, "T-during", hold=4, wait=False)  # the payment app holds the guard for 4 s
        time.sleep(0.5)
        version = self.release()
        dep = self.deploy(version, "PF-P")
        w = self.wait_waiting(agent, "transaction")
        self.assertIn("payment is in progress", w["waiting"]["en"])
        self.assertEqual(agent.status()["version"], "1.0.0")
        self.assertEqual(sale.wait(timeout=30), 0)  # the sale finished, uninterrupted
        self.assertEqual(self.wait_result(dep)["result"], "success")
        self.assertEqual(self.journal(agent), ["T-before-1", "T-before-2", "T-during"])

    # rollback ----------------------------------------------------------------

    def assert_rolled_back(self, agent, dep, reason):
        d = self.wait_result(dep)
        self.assertEqual(d["result"], "failure", d)
        closed = d["history"][-1]
        self.assertIn(reason, " ".join(closed["details"]))
        self.assertIn("rolled back to slot a", " ".join(closed["details"]))
        st = agent.status()
        self.assertEqual((st["version"], st["slot"], st["booted"], st["pending"]), ("1.0.0", "a", "a", ""))
        with open(os.path.join(agent.device_dir, "data", "settings.json")) as f:
            self.assertEqual(json.load(f), {"receipt": "short", "tips": True})  # restored
        return d

    def test_a_failed_health_check_rolls_back_and_restores_the_data(self):
        agent = self.terminal("PF-H", hw={"faults": {"health_fail": ["b"], "corrupt_settings": ["b"]}})
        version = self.release()
        dep = self.deploy(version, "PF-H")
        d = self.assert_rolled_back(agent, dep, "after the new version started")
        self.assertEqual(d["history"][-1]["code"], 31)  # health_check
        self.assertEqual(self.journal(agent), ["T-before-1", "T-before-2"])
        # The merchant is told in plain words on the terminal (更新通知).
        notice = wait_until("the failure notice", lambda: [
            n for n in agent.call({"cmd": "notifications"})["notifications"] if n["kind"] == "update_failed"])
        self.assertIn("still runs its previous version", notice[0]["text"]["en"])
        self.assertIn("交易记录完好", notice[0]["text"]["zh-CN"])
        # Sales go on after the rollback and are kept.
        self.pay(agent, "T-after")
        self.assertEqual(self.journal(agent), ["T-before-1", "T-before-2", "T-after"])

    def test_a_boot_loop_ends_in_a_rollback(self):
        agent = self.terminal("PF-BL", hw={"faults": {"boot_fail": ["b"]}}, max_boot_attempts=3)
        version = self.release()
        dep = self.deploy(version, "PF-BL")
        d = self.assert_rolled_back(agent, dep, "did not boot")
        self.assertEqual(d["history"][-1]["code"], 32)  # boot_failed
        with open(os.path.join(agent.device_dir, "boot.json")) as f:
            self.assertGreaterEqual(json.load(f)["boots"], 4)  # three tries of slot b, then slot a


if __name__ == "__main__":
    unittest.main(verbosity=2)
