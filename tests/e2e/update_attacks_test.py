"""End to end, real processes: a terminal against a hostile update server.

posfleet-agent runs against hostile_ddi.py, a DDI controller on 127.0.0.1 that
offers properly signed releases but serves them badly: a link that answers
404 for good, an artifact shorter than its signed length, a trickle of 2 bytes
a second; a second, different release under a version already installed; the
replay of an action already installed; and signed manifests whose file names
would write outside the slot. The terminal must give up within its bounds,
keep polling and obey a cancel meanwhile, report each failure with its stable
code, and never change its slots for any of them.
"""
import hashlib
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, Cli, Workspace, wait_until  # noqa: E402
from hostile_ddi import HostileDdi, sign_manifest  # noqa: E402

# core/result.h
NOT_FOUND, PARSE, DOWNGRADE, SERVER, TOO_SLOW, VERSION_REUSED = 2, 4, 14, 21, 34, 35


class _Offline:
    url = "http://127.0.0.1:9"  # the CLI's offline commands never use it


class UpdateAttacksTest(unittest.TestCase):

    def setUp(self):
        self.ws = Workspace(self.id().split(".")[-1][5:])
        self.cli = Cli(_Offline(), self.ws.path)
        self.cli.run("key", "generate", "--out", "keys/release")
        self.ddi = HostileDdi("PF-X")
        self.agent = None

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        failed = result and any(t is self for t, _ in result.errors + result.failures)
        if self.agent:
            self.agent.stop()
            if failed:
                print(f"--- agent ---\n{self.agent.output()[-6000:]}", file=sys.stderr)
        self.ddi.stop()
        self.ws.cleanup()

    # helpers ---------------------------------------------------------------

    def release(self, version, size=20_000, name="os", component_version=None, content=None):
        path = os.path.join(self.ws.path, f"{name}-{version}-{len(os.listdir(self.ws.path))}.img")
        with open(path, "wb") as f:
            f.write(content if content is not None else os.urandom(size))
        spec = f"{name}={path}" + (f"@{component_version}" if component_version else "")
        folder = f"rel-{version}-{len(os.listdir(self.ws.path))}"
        self.cli.run("release", "create", "--dir", folder, "--version", version, "--model", "A920",
                     "--component", spec)
        self.cli.run("release", "sign", "--dir", folder, "--key", "keys/release.key")
        with open(os.path.join(self.ws.path, folder, "manifest.json")) as f:
            manifest = json.load(f)
        files = {}
        for c in manifest["signed"]["components"]:
            with open(os.path.join(self.ws.path, folder, c["filename"]), "rb") as f:
                files[c["filename"]] = f.read()
        return manifest, files

    def start_agent(self, **config):
        config.setdefault("precheck_retry_seconds", 1)
        config.setdefault("download_retry_seconds", 1)
        self.agent = Agent(self.ws.path, self.ddi.url, "PF-X", "token-x", "A920",
                           [os.path.join(self.ws.path, "keys/release.pub")], **config)
        return self.agent.start()

    def wait_closed(self, action_id, kind="deployment", timeout=60):
        return wait_until(f"action {action_id} to be closed ({kind})", lambda: self.ddi.closed(action_id, kind),
                          timeout=timeout)

    def record(self):
        try:
            with open(os.path.join(self.agent.device_dir, "state", "update.json")) as f:
                return json.load(f)
        except FileNotFoundError:  # before the first update
            return {}

    def wait_idle(self):
        return wait_until("the agent to be idle", lambda: (lambda s: s if s["update_state"] == "idle" else None)(
            self.agent.status()))

    # 9: downloads that can never succeed -----------------------------------

    def test_an_artifact_answering_404_for_good_is_given_up_and_reported(self):
        manifest, files = self.release("2.1.0")
        self.ddi.offer(1, manifest, files, mode="404")
        self.start_agent(download_max_failures=3)
        status = self.wait_closed(1)
        self.assertEqual(status["result"]["finished"], "failure", status)
        self.assertEqual(status.get("code"), NOT_FOUND, status)
        self.assertIn("404", " ".join(status["details"]))
        self.assertEqual(len(self.ddi.downloads_of(1)), 3)
        st = self.wait_idle()
        self.assertEqual(st["last_update"]["result"], "failure")
        self.assertEqual(st["last_update"]["code"], NOT_FOUND)
        self.assertEqual(st["version"], "1.0.0")

    def test_the_failure_count_survives_a_restart(self):
        manifest, files = self.release("2.1.0")
        self.ddi.offer(1, manifest, files, mode="404")
        self.start_agent(download_max_failures=3, download_retry_seconds=5)
        wait_until("two failed attempts on record", lambda: self.record().get("download_failures") == 2)
        self.agent.kill()
        self.agent.start()
        status = self.wait_closed(1)
        self.assertEqual(status.get("code"), NOT_FOUND, status)
        self.assertEqual(len(self.ddi.downloads_of(1)), 3)  # not three more after the restart

    def test_a_cancel_is_obeyed_while_a_failing_download_backs_off(self):
        manifest, files = self.release("2.1.0")
        self.ddi.offer(1, manifest, files, mode="404")
        self.start_agent(download_max_failures=100)
        # The merchant sees that it retries; the server hears of each attempt.
        st = wait_until("the terminal to show it retries", lambda: (
            lambda s: s if (s.get("waiting") or {}).get("reason", "").startswith("download_retry") else None)(
            self.agent.status()))
        self.assertTrue(st["waiting"]["zh-CN"] and st["waiting"]["en"])
        wait_until("an attempt reported", lambda: any("attempt" in d for d in self.ddi.details(1)))
        polls = self.ddi.polls
        wait_until("polls while it retries", lambda: self.ddi.polls > polls + 1)
        self.ddi.cancel()
        status = self.wait_closed(1, kind="cancel", timeout=30)
        self.assertEqual(status["result"]["finished"], "success", status)
        st = self.wait_idle()
        self.assertEqual(st["last_update"]["result"], "canceled")
        self.assertEqual(st["version"], "1.0.0")

    def test_an_artifact_shorter_than_signed_is_given_up_and_reported(self):
        manifest, files = self.release("2.1.0")
        (name, data), = files.items()
        self.ddi.offer(1, manifest, {name: data[:len(data) // 2]}, mode="short")
        self.start_agent(download_max_failures=3)
        status = self.wait_closed(1)
        self.assertEqual(status["result"]["finished"], "failure", status)
        self.assertEqual(status.get("code"), SERVER, status)
        self.assertIn("416", " ".join(status["details"]))
        self.assertEqual(self.wait_idle()["version"], "1.0.0")

    # 10: slow retrieval ------------------------------------------------------

    def test_a_server_trickling_2_bytes_a_second_is_cut_off_and_reported(self):
        manifest, files = self.release("2.1.0", size=50_000)
        self.ddi.offer(1, manifest, files, mode="trickle")
        self.start_agent(download_max_failures=2, download_min_rate=1024, download_rate_window_seconds=2)
        status = self.wait_closed(1, timeout=60)
        self.assertEqual(status["result"]["finished"], "failure", status)
        self.assertEqual(status.get("code"), TOO_SLOW, status)
        self.assertEqual(len(self.ddi.downloads_of(1)), 2)
        self.assertEqual(self.wait_idle()["last_update"]["code"], TOO_SLOW)

    # 11: same version, different bytes; replay -------------------------------

    def slots(self):
        with open(os.path.join(self.agent.device_dir, "boot.json")) as f:
            return json.load(f)

    def test_an_installed_version_is_never_replaced_by_other_bytes_nor_reinstalled(self):
        first, files = self.release("2.1.0")
        self.ddi.offer(1, first, files)
        self.start_agent()
        self.assertEqual(self.wait_closed(1)["result"]["finished"], "success")
        st = self.wait_idle()
        self.assertEqual(st["version"], "2.1.0")
        slots = self.slots()

        other, other_files = self.release("2.1.0")  # trusted-signed, same version, other content
        self.ddi.offer(2, other, other_files)
        status = self.wait_closed(2)
        self.assertEqual(status["result"]["finished"], "failure", status)
        self.assertEqual(status.get("code"), VERSION_REUSED, status)
        self.assertEqual(self.ddi.downloads_of(2), [])
        self.assertEqual(self.slots(), slots)

        downloads = len(self.ddi.downloads_of(1))
        self.ddi.feedback.clear()
        self.ddi.offer(1, first, files)  # the replay of the action that installed 2.1.0
        status = self.wait_closed(1)
        self.assertEqual(status["result"]["finished"], "success", status)
        self.assertIn("already installed", " ".join(status["details"]))
        self.assertEqual(len(self.ddi.downloads_of(1)), downloads)
        self.assertEqual(self.slots(), slots)  # no slot flip
        self.assertEqual(self.wait_idle()["version"], "2.1.0")

        older_os, older_files = self.release("2.2.0", component_version="2.0.0")
        self.ddi.offer(3, older_os, older_files)
        status = self.wait_closed(3)
        self.assertEqual(status.get("code"), DOWNGRADE, status)
        self.assertEqual(self.slots(), slots)

    # 12: file names ----------------------------------------------------------

    def forged(self, filename, data):
        signed = {"type": "posfleet-release", "schema": 1, "version": "2.1.0", "expires": "2099-01-01T00:00:00Z",
                  "models": ["A920"], "notes": {"zh-CN": "", "en": ""}, "security": False, "rollback": False,
                  "components": [{"name": "os", "version": "2.1.0", "filename": filename,
                                  "sha256": hashlib.sha256(data).hexdigest(), "length": len(data)}]}
        return sign_manifest(signed, os.path.join(self.ws.path, "keys", "release.key"))

    def test_signed_file_names_that_are_not_plain_names_are_refused_before_download(self):
        data = os.urandom(5_000)
        self.start_agent()
        for action_id, filename in enumerate(["os\0.img", "..", ".", "x" * 200, "slot.json", "a b.img"], start=1):
            with self.subTest(filename=filename):
                self.ddi.offer(action_id, self.forged(filename, data), {filename: data})
                status = self.wait_closed(action_id)
                self.assertEqual(status["result"]["finished"], "failure", status)
                self.assertEqual(status.get("code"), PARSE, status)
                self.assertEqual(self.ddi.downloads_of(action_id), [])
        st = self.wait_idle()
        self.assertEqual(st["version"], "1.0.0")
        self.assertEqual(self.slots()["good"], "a")

    def test_the_cli_refuses_such_names_when_creating_and_signing(self):
        bad = os.path.join(self.ws.path, "bad name!.img")
        with open(bad, "wb") as f:
            f.write(b"x" * 100)
        p = self.cli.run("release", "create", "--dir", "rel-bad", "--version", "2.1.0", "--model", "A920",
                         "--component", f"os={bad}", check=False)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("bad name!.img", p.stderr)
        self.release("2.1.0")
        folder = next(d for d in os.listdir(self.ws.path) if d.startswith("rel-2.1.0"))
        path = os.path.join(self.ws.path, folder, "manifest.json")
        with open(path) as f:
            m = json.load(f)
        m["signed"]["components"][0]["filename"] = "../escape.img"
        with open(path, "w") as f:
            json.dump(m, f)
        p = self.cli.run("release", "sign", "--dir", folder, "--key", "keys/release.key", check=False)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("escape.img", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
