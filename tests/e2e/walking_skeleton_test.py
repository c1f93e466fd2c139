"""End to end, with real processes on loopback: a release signed offline with
the posfleet CLI is published to posfleetd, assigned to a terminal, and
installed by posfleet-agent into the inactive slot of a simulated A/B device;
the operator sees the outcome. Also: an interrupted download resumes with
Range, and the agent refuses, reports and survives every kind of bad release.
"""
import glob
import hashlib
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, Cli, Server, TamperingProxy, Workspace, wait_until  # noqa: E402

# posfleet error codes (core/result.h); they travel in DDI feedback.
CODES = {"bad_signature": 10, "unknown_key": 11, "expired": 13, "downgrade": 14, "wrong_model": 15,
         "hash_mismatch": 16, "length_mismatch": 17}


class WalkingSkeletonTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self.id().split(".")[-1])
        self.server = Server(self.ws.path)
        self.cli = Cli(self.server, self.ws.path)
        self.cli.run("key", "generate", "--out", "keys/release")
        # The fleet default protects business hours (22:00-06:00); these tests
        # install at any hour, as an operator would allow for a test fleet.
        self.cli.run("policy", "set", "--window", "00:00-00:00", "--reason", "test fleet installs at any hour")
        self.agents = []
        self.proxy = None

    def tearDown(self):
        failed = any(e for _, e in (self._outcome.result.errors + self._outcome.result.failures)
                     if _ is self) if hasattr(self._outcome, "result") else False
        for a in self.agents:
            a.stop()
            if failed:
                print(f"--- agent {a.config['terminal']} log ---\n{a.output()}", file=sys.stderr)
        if self.proxy:
            self.proxy.stop()
        self.server.stop()
        if failed:
            print("--- posfleetd log ---\n" + self.server.output(), file=sys.stderr)
        self.ws.cleanup()

    # helpers ---------------------------------------------------------------

    def write(self, name, data):
        path = os.path.join(self.ws.path, name)
        with open(path, "wb") as f:
            f.write(data)
        return name

    def make_release(self, version, models=("A920",), key="keys/release.key", components=None, extra=()):
        components = components or {"os": os.urandom(200_000), "payment-app": b"pay-app-" + version.encode()}
        args = ["release", "create", "--dir", f"rel-{version}", "--version", version,
                "--notes-zh", f"版本 {version}", "--notes-en", f"Version {version}"]
        for m in models:
            args += ["--model", m]
        for name, data in components.items():
            args += ["--component", f"{name}={self.write(f'{name}-{version}.bin', data)}"]
        self.cli.run(*args, *extra)
        self.cli.run("release", "sign", "--dir", f"rel-{version}", "--key", key)
        return f"rel-{version}"

    def terminal(self, serial, model="A920", **agent_config):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", model)
        agent = Agent(self.ws.path, self.proxy.url if self.proxy else self.server.url, serial, reg["token"], model,
                      [os.path.join(self.ws.path, "keys/release.pub")], **agent_config)
        self.agents.append(agent)
        return agent

    def deploy(self, version, serial):
        return self.cli.json("deploy", "--release", version, "--terminal", serial)["id"]

    def wait_finished(self, deployment_id, timeout=30):
        def finished():
            d = self.cli.json("deployment", "show", str(deployment_id))
            return d if d["status"] == "finished" else None
        return wait_until(f"deployment {deployment_id} to finish", finished, timeout=timeout)

    # the walking skeleton ---------------------------------------------------

    def test_signed_release_travels_to_the_inactive_slot_and_is_reported(self):
        os_image = os.urandom(300_000)
        rel = self.make_release("2.1.0", components={"os": os_image, "payment-app": b"app 5.0.1"})
        out = self.cli.run("release", "publish", "--dir", rel).stdout
        self.assertIn("published release 2.1.0", out)
        releases = self.cli.json("release", "list")["releases"]
        self.assertEqual([r["version"] for r in releases], ["2.1.0"])
        self.assertEqual(releases[0]["notes"], {"zh-CN": "版本 2.1.0", "en": "Version 2.1.0"})

        agent = self.terminal("PF0001")
        before = agent.status()
        self.assertEqual((before["version"], before["slot"]), ("1.0.0", "a"))
        dep = self.deploy("2.1.0", "PF0001")
        agent.start()
        d = self.wait_finished(dep)

        self.assertEqual(d["result"], "success", d)
        executions = [(h["execution"], h["result"]) for h in d["history"]]
        self.assertEqual(executions[-1], ("closed", "success"))
        self.assertIn(("proceeding", "none"), executions[:-1])
        self.assertEqual(self.cli.json("terminal", "show", "PF0001")["installed_version"], "2.1.0")
        api = self.server.api("GET", f"/api/v1/deployments/{dep}")
        self.assertEqual((api["status"], api["result"]), ("finished", "success"))

        st = agent.status()
        self.assertEqual(st["version"], "2.1.0")
        self.assertEqual((st["slot"], st["booted"]), ("b", "b"))
        self.assertEqual(st["slots"]["a"]["version"], "1.0.0")  # the old slot stays for a later rollback
        self.assertEqual(st["last_update"]["result"], "success")
        with open(os.path.join(agent.device_dir, "slots/b", os.path.basename("os-2.1.0.bin")), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(os_image).hexdigest())
        text = agent.status_text()
        self.assertIn("2.1.0 (slot b)", text)
        self.assertIn("last update  success", text)

    def test_interrupted_download_resumes_with_range(self):
        big = os.urandom(3_000_000)
        self.cli.run("release", "publish", "--dir", self.make_release("2.2.0", components={"os": big}))
        # 300 kB/s: the 3 MB download takes ~10 s, so the agent is killed mid-way.
        agent = self.terminal("PF0002", download_rate_limit=300_000)
        dep = self.deploy("2.2.0", "PF0002")
        agent.start()
        part = os.path.join(agent.device_dir, "download", hashlib.sha256(big).hexdigest() + ".part")
        wait_until("part of the download", lambda: os.path.exists(part) and os.path.getsize(part) > 400_000)
        agent.kill()
        have = os.path.getsize(part)
        self.assertLess(have, len(big))
        self.assertEqual(agent.status()["update_state"], "download")

        agent.write_config(download_rate_limit=0)
        agent.start()
        d = self.wait_finished(dep)
        self.assertEqual(d["result"], "success", d)
        last = agent.status()["last_update"]
        self.assertGreaterEqual(last["resumed_from"], have)
        self.assertIn("resumed from byte", agent.output())
        self.assertEqual(agent.status()["version"], "2.2.0")

    def test_operator_cancels_a_download_and_the_terminal_stays_put(self):
        big = os.urandom(3_000_000)
        self.cli.run("release", "publish", "--dir", self.make_release("2.3.0", components={"os": big}))
        agent = self.terminal("PF0003", download_rate_limit=100_000)  # ~30 s: time to cancel
        dep = self.deploy("2.3.0", "PF0003")
        agent.start()
        wait_until("the download to start", lambda: agent.status()["update_state"] == "download")
        self.assertEqual(self.cli.json("deployment", "cancel", str(dep))["status"], "canceling")
        # The agent keeps polling at the server's interval while it downloads.

        def canceled():
            d = self.cli.json("deployment", "show", str(dep))
            return d if d["status"] != "canceling" else None
        d = wait_until("the terminal to answer the cancel", canceled)
        self.assertEqual(d["status"], "canceled", d)
        st = agent.status()
        self.assertEqual((st["version"], st["slot"], st["pending"]), ("1.0.0", "a", ""))
        self.assertEqual(st["last_update"]["result"], "canceled")
        # A canceled action offers nothing more; the next one installs.
        self.cli.run("release", "publish", "--dir", self.make_release("2.3.1", components={"os": b"small"}))
        self.assertEqual(self.wait_finished(self.deploy("2.3.1", "PF0003"))["result"], "success")
        # Who registered, deployed and canceled is in the audit log.
        actions = [(e["action"], e["target"]) for e in self.server.api("GET", "/api/v1/audit")["entries"]]
        for entry in (("terminal.register", "terminal:PF0003"), ("deployment.create", "terminal:PF0003"),
                      ("deployment.cancel", f"deployment:{dep}")):
            self.assertIn(entry, actions)

    # every rejection ---------------------------------------------------------

    def assert_rejected(self, agent, dep, code_name, reason_fragment):
        d = self.wait_finished(dep)
        self.assertEqual(d["result"], "failure", d)
        closed = d["history"][-1]
        self.assertEqual((closed["execution"], closed["result"]), ("closed", "failure"))
        self.assertEqual(closed["code"], CODES[code_name], closed)
        self.assertIn(reason_fragment, " ".join(closed["details"]))
        st = agent.status()
        self.assertEqual((st["version"], st["slot"], st["booted"], st["pending"]), ("1.0.0", "a", "a", ""))
        self.assertEqual(st["last_update"]["result"], "failure")
        # Still the version it reported before the refused release.
        self.assertEqual(self.cli.json("terminal", "show", agent.config["terminal"])["installed_version"], "1.0.0")

    def test_rejects_a_manifest_altered_after_signing(self):
        rel = self.make_release("3.0.0")
        path = os.path.join(self.ws.path, rel, "manifest.json")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("Version 3.0.0", "Version 3.0.0 (trust me)"))
        self.cli.run("release", "publish", "--dir", rel)
        agent = self.terminal("REJ-SIG")
        dep = self.deploy("3.0.0", "REJ-SIG")
        agent.start()
        self.assert_rejected(agent, dep, "bad_signature", "does not match")

    def test_rejects_a_release_signed_by_an_unknown_key(self):
        self.cli.run("key", "generate", "--out", "keys/rogue")
        self.cli.run("release", "publish", "--dir", self.make_release("3.0.1", key="keys/rogue.key"))
        agent = self.terminal("REJ-KEY")
        dep = self.deploy("3.0.1", "REJ-KEY")
        agent.start()
        self.assert_rejected(agent, dep, "unknown_key", "not signed by any key this terminal trusts")

    def test_rejects_an_expired_manifest(self):
        rel = self.make_release("3.0.2", extra=("--expires", "2020-01-01T00:00:00Z"))
        self.cli.run("release", "publish", "--dir", rel)
        agent = self.terminal("REJ-EXP")
        dep = self.deploy("3.0.2", "REJ-EXP")
        agent.start()
        self.assert_rejected(agent, dep, "expired", "expired at 2020-01-01T00:00:00Z")

    def test_rejects_a_version_older_than_the_installed_one(self):
        self.cli.run("release", "publish", "--dir", self.make_release("0.9.0"))
        agent = self.terminal("REJ-OLD")
        dep = self.deploy("0.9.0", "REJ-OLD")
        agent.start()
        self.assert_rejected(agent, dep, "downgrade", "older than the installed 1.0.0")

    def test_rejects_a_release_for_another_model(self):
        self.cli.run("release", "publish", "--dir", self.make_release("3.0.3", models=("S300",)))
        agent = self.terminal("REJ-MODEL")
        dep = self.deploy("3.0.3", "REJ-MODEL")
        agent.start()
        self.assert_rejected(agent, dep, "wrong_model", "not for model A920")

    def test_rejects_an_artifact_whose_hash_differs(self):
        data = os.urandom(50_000)
        self.cli.run("release", "publish", "--dir", self.make_release("3.0.4", components={"os": data}))
        # The server's disk is tampered with: same length, one byte changed.
        stored = glob.glob(os.path.join(self.server.data_dir, "artifacts", "*", hashlib.sha256(data).hexdigest()))
        self.assertEqual(len(stored), 1)
        with open(stored[0], "r+b") as f:
            f.seek(1000)
            f.write(bytes([data[1000] ^ 0xFF]))
        agent = self.terminal("REJ-HASH")
        dep = self.deploy("3.0.4", "REJ-HASH")
        agent.start()
        self.assert_rejected(agent, dep, "hash_mismatch", "does not match the signed manifest's SHA-256")

    def test_rejects_a_server_that_sends_more_bytes_than_the_manifest_says(self):
        self.cli.run("release", "publish", "--dir", self.make_release("3.0.5", components={"os": os.urandom(20_000)}))
        self.proxy = TamperingProxy(self.server.url, extra=4096)
        agent = self.terminal("REJ-LEN")
        dep = self.deploy("3.0.5", "REJ-LEN")
        agent.start()
        self.assert_rejected(agent, dep, "length_mismatch", "more than the 20000 bytes")


if __name__ == "__main__":
    unittest.main(verbosity=2)
