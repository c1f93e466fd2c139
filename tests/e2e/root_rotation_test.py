"""End to end, real processes on loopback: the rotatable root of trust.

A release manager makes root 1 (two root keys, threshold 2, one release key),
publishes it, and a terminal pinned to it installs a sequenced release. Then
the release key is rotated: root 2 lists only a new release key, is signed by
both root keys on "two machines" and published; the terminal walks to it at
its next poll. A release signed by the revoked key (published before the
rotation) is refused by the terminal; posfleetd refuses to publish a new one.
A valid but older manifest (a lower sequence) is refused after a newer one,
also as a rollback release; a rollback signed with a higher sequence installs.
The running slot never changes because of any refusal or of the rotation.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, FleetTestCase, wait_until  # noqa: E402

# core/result.h
UNKNOWN_KEY, ROOT_NOT_NEXT, ROOT_UNTRUSTED, SEQUENCE_REPLAYED = 11, 60, 61, 62


class RootRotationTest(FleetTestCase, unittest.TestCase):

    def path(self, *parts):
        return os.path.join(self.ws.path, *parts)

    def release(self, version, key, sequence, rollback=False, publish=True):
        image = self.path(f"os-{version}-{sequence}.img")
        with open(image, "wb") as f:
            f.write(os.urandom(20_000))
        folder = f"rel-{version}-{sequence}"
        args = ["release", "create", "--dir", folder, "--version", version, "--model", "A920",
                "--component", f"os={image}", "--sequence", str(sequence)]
        self.cli.run(*args, *(["--rollback"] if rollback else []))
        self.cli.run("release", "sign", "--dir", folder, "--key", key)
        if publish:
            return self.cli.run("release", "publish", "--dir", folder, check=False)
        return folder

    def deploy_and_wait(self, version, serial="PF-ROOT"):
        dep = self.cli.json("deploy", "--release", version, "--terminal", serial)["id"]

        def ended():
            d = self.cli.json("deployment", "show", str(dep))
            return d if d["status"] == "finished" else None
        return wait_until(f"deployment of {version} to end", ended, timeout=60)

    def trust(self, agent):
        path = os.path.join(agent.device_dir, "trust.json")
        if not os.path.exists(path):
            return {}
        with open(path) as f:
            return json.load(f)

    def refused_with(self, d, code):
        self.assertEqual(d["result"], "failure", d)
        self.assertEqual(d["history"][-1]["code"], code, d["history"][-1])

    def test_rotation_revokes_a_release_key_and_older_sequences_are_replays(self):
        self.cli.run("root", "init", "--dir", "trust", "--root-keys", "2", "--root-threshold", "2")
        out = self.cli.run("root", "publish", "--file", "trust/root.json").stdout
        self.assertIn("published root version 1", out)
        reg = self.cli.json("terminal", "register", "--serial", "PF-ROOT", "--model", "A920")
        agent = Agent(self.ws.path, self.server.url, "PF-ROOT", reg["token"], "A920", [],
                      root=self.path("trust", "root.json"), precheck_retry_seconds=1)
        self.agents.append(agent)
        agent.start()

        # A sequenced release under root 1 installs; the terminal remembers its sequence.
        self.assertEqual(self.release("2.0.0", "trust/release-key-1.key", 100).returncode, 0)
        self.assertEqual(self.deploy_and_wait("2.0.0")["result"], "success")
        self.assertEqual(self.trust(agent)["sequence"], 100)
        self.assertEqual(agent.status()["version"], "2.0.0")
        # Signed by the soon-revoked key and published while it was still trusted.
        self.assertEqual(self.release("2.1.0", "trust/release-key-1.key", 200).returncode, 0)

        # Rotation: root 2 lists only a new release key.
        self.cli.run("key", "generate", "--out", "trust/release-key-2")
        self.cli.run("root", "next", "--from", "trust/root.json", "--out", "trust/root-2.json",
                     "--release-key", "trust/release-key-2.pub")
        self.cli.run("root", "sign", "--file", "trust/root-2.json", "--key", "trust/root-key-1.key")
        # One of two signatures: refused before it is sent (it would not chain).
        p = self.cli.run("root", "publish", "--file", "trust/root-2.json", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("1 valid signature(s) by its own root keys (root 2); 2 required", p.stderr)
        self.cli.run("root", "sign", "--file", "trust/root-2.json", "--key", "trust/root-key-2.key")
        self.cli.run("root", "publish", "--file", "trust/root-2.json")
        # Replaying root 1, or publishing it again, is refused.
        p = self.cli.run("root", "publish", "--file", "trust/root.json", check=False)
        self.assertIn("root_not_next", p.stderr)

        wait_until("the terminal to walk to root 2",
                   lambda: (self.trust(agent).get("root") or {}).get("signed", {}).get("version") == 2)
        # posfleetd no longer takes a release signed by the revoked key ...
        p = self.release("2.2.0", "trust/release-key-1.key", 300)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unknown_key", p.stderr)
        # ... and the terminal refuses the one published before the rotation.
        self.refused_with(self.deploy_and_wait("2.1.0"), UNKNOWN_KEY)
        self.assertEqual(agent.status()["version"], "2.0.0")

        # A valid release under the new key but with an older sequence is a replay,
        # also when signed as a rollback.
        self.assertEqual(self.release("2.3.0", "trust/release-key-2.key", 50).returncode, 0)
        self.refused_with(self.deploy_and_wait("2.3.0"), SEQUENCE_REPLAYED)
        self.assertEqual(self.release("1.5.0", "trust/release-key-2.key", 60, rollback=True).returncode, 0)
        self.refused_with(self.deploy_and_wait("1.5.0"), SEQUENCE_REPLAYED)
        st = agent.status()
        self.assertEqual((st["version"], st["slot"], st["pending"]), ("2.0.0", "b", ""))

        # A rollback signed with a new, higher sequence is taken; an older one after it is not.
        self.assertEqual(self.release("1.6.0", "trust/release-key-2.key", 400, rollback=True).returncode, 0)
        self.assertEqual(self.deploy_and_wait("1.6.0")["result"], "success")
        self.assertEqual(agent.status()["version"], "1.6.0")
        self.assertEqual(self.trust(agent)["sequence"], 400)
        self.assertEqual(self.release("2.4.0", "trust/release-key-2.key", 399).returncode, 0)
        self.refused_with(self.deploy_and_wait("2.4.0"), SEQUENCE_REPLAYED)
        self.assertEqual(agent.status()["version"], "1.6.0")

    def test_a_terminal_refuses_a_root_the_server_serves_out_of_order(self):
        # posfleetd itself refuses a root that skips a version.
        self.cli.run("root", "init", "--dir", "trust")
        self.cli.run("root", "publish", "--file", "trust/root.json")
        self.cli.run("root", "next", "--from", "trust/root.json", "--out", "trust/root-2.json")
        self.cli.run("root", "next", "--from", "trust/root-2.json", "--out", "trust/root-3.json")
        for f in ("trust/root-2.json", "trust/root-3.json"):
            self.cli.run("root", "sign", "--file", f, "--key", "trust/root-key-1.key")
        p = self.cli.run("root", "publish", "--file", "trust/root-3.json", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("root_not_next", p.stderr)
        # Signed only by new root keys: refused.
        self.cli.run("key", "generate", "--out", "trust/stranger")
        self.cli.run("root", "next", "--from", "trust/root.json", "--out", "trust/root-2x.json",
                     "--root-key", "trust/stranger.pub")
        self.cli.run("root", "sign", "--file", "trust/root-2x.json", "--key", "trust/stranger.key")
        p = self.cli.run("root", "publish", "--file", "trust/root-2x.json", check=False)
        self.assertIn("root_untrusted", p.stderr)
        self.cli.run("root", "publish", "--file", "trust/root-2.json")
        self.cli.run("root", "publish", "--file", "trust/root-3.json")
        reg = self.cli.json("terminal", "register", "--serial", "PF-WALK", "--model", "A920")
        agent = Agent(self.ws.path, self.server.url, "PF-WALK", reg["token"], "A920", [],
                      root=self.path("trust", "root.json"))
        self.agents.append(agent)
        agent.start()
        wait_until("the terminal to walk 1 -> 2 -> 3",
                   lambda: (self.trust(agent).get("root") or {}).get("signed", {}).get("version") == 3)
        self.assertEqual(agent.status()["version"], "1.0.0")


if __name__ == "__main__":
    unittest.main()
