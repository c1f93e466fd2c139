"""Delta updates end to end, with real processes on loopback: `posfleet release delta` makes a
patch from release 1.1.0's os image to 2.0.0's before signing, publish uploads it, posfleetd
offers it to a terminal running 1.1.0, and posfleet-agent makes 2.0.0's image from the patch
and its running slot, byte for byte. Whenever the patch cannot be trusted (the running slot's
file is not the patch's source, the patch on the server is damaged) the agent downloads the
full image in the same update, says why in its feedback, and the update succeeds. A client
that does not read posfleet's extension sees only the full artifact.
"""
import hashlib
import json
import os
import random
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, FleetTestCase, wait_until  # noqa: E402


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class DeltaTest(FleetTestCase, unittest.TestCase):
    def setUp(self):
        super().setUp()
        rng = random.Random(15)
        self.old_os = bytes(rng.getrandbits(8) for _ in range(600_000))
        new = bytearray(self.old_os)
        new[1000:1000] = os.urandom(3000)  # a new function
        for at in range(50_000, len(new), 40_000):  # and addresses moved after it
            new[at] ^= 0x08
        self.new_os = bytes(new)
        self.release("1.1.0", self.old_os)
        self.release("2.0.0", self.new_os, delta_from="1.1.0")

    def write(self, name, data):
        with open(os.path.join(self.ws.path, name), "wb") as f:
            f.write(data)
        return name

    def release(self, version, os_image, delta_from=()):
        d = f"rel-{version}"
        self.cli.run("release", "create", "--dir", d, "--version", version, "--model", "A920",
                     "--component", f"os={self.write(f'os-{version}.img', os_image)}",
                     "--component", f"app={self.write(f'app-{version}.apk', b'payment app ' + version.encode())}")
        for delta_from in [delta_from] if isinstance(delta_from, str) else delta_from:
            out = self.cli.run("release", "delta", "--from", f"rel-{delta_from}", "--to", d).stdout
            self.assertIn(f"→ os_{delta_from}_to_{version}.pfdelta", out)
            self.assertIn("saves under 10 %, not used", out)  # app: a few bytes, a patch saves nothing
        self.cli.run("release", "sign", "--dir", d, "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", d)

    def manifest(self, version):
        with open(os.path.join(self.ws.path, f"rel-{version}", "manifest.json")) as f:
            return json.load(f)["signed"]

    def terminal_on_1_1_0(self, serial):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")])
        self.agents.append(agent)
        agent.token = reg["token"]
        agent.start()
        self.assertEqual(self.finished(self.cli.json("deploy", "--release", "1.1.0", "--terminal", serial)["id"])
                         ["result"], "success")
        return agent

    def finished(self, dep):
        def done():
            d = self.cli.json("deployment", "show", str(dep))
            return d if d["status"] == "finished" else None
        return wait_until(f"deployment {dep} to finish", done, timeout=60)

    def details(self, d):
        return "\n".join(line for h in d["history"] for line in h["details"])

    def running_os(self, agent):
        st = agent.status()
        with open(os.path.join(agent.device_dir, "slots", st["slot"], "os-" + st["version"] + ".img"), "rb") as f:
            return st["version"], f.read()

    def update_to_2_0_0(self, agent):
        d = self.finished(self.cli.json("deploy", "--release", "2.0.0", "--terminal", agent.config["terminal"])["id"])
        self.assertEqual(d["result"], "success", self.details(d))
        version, image = self.running_os(agent)
        self.assertEqual(version, "2.0.0")
        self.assertEqual(sha256(image), sha256(self.new_os))  # byte for byte
        return self.details(d)

    def test_the_manifest_lists_the_patch_and_the_terminal_uses_it(self):
        os_component = next(c for c in self.manifest("2.0.0")["components"] if c["name"] == "os")
        [delta] = os_component["deltas"]
        self.assertEqual((delta["from_version"], delta["from_sha256"]), ("1.1.0", sha256(self.old_os)))
        self.assertLess(delta["length"], len(self.new_os) // 10)
        self.assertNotIn("deltas", next(c for c in self.manifest("2.0.0")["components"] if c["name"] == "app"))

        agent = self.terminal_on_1_1_0("DELTA-1")
        details = self.update_to_2_0_0(agent)
        self.assertIn(f"delta: os made from a patch of {delta['length']} bytes instead of {len(self.new_os)}",
                      details)
        self.assertNotIn("delta not used", details)
        # The release page lists the patch; its progress counts what the patch saved: the patch
        # and the app sent, against the os image and the app in full.
        release = self.server.api("GET", "/api/v1/releases/2.0.0")
        os_row = next(c for c in release["components"] if c["name"] == "os")
        self.assertEqual(os_row["deltas"], [{"from_version": "1.1.0", "filename": delta["filename"],
                                             "size": delta["length"]}])
        app_length = len(b"payment app 2.0.0")
        progress = self.server.api("GET", "/api/v1/releases/2.0.0/progress")
        self.assertEqual(progress["bytes"], {"sent": delta["length"] + app_length,
                                             "full": len(self.new_os) + app_length})
        # The patch left nothing behind in the download folder (gone with it after the update).
        downloads = os.path.join(agent.device_dir, "download")
        self.assertEqual([f for f in os.listdir(downloads) if "delta" in f] if os.path.isdir(downloads) else [], [])

    def test_a_release_with_patches_from_two_versions_gives_each_terminal_the_patch_from_its_own(self):
        # The fleet is never on one version: 2.1.0 carries a patch from 1.1.0 and one from 2.0.0.
        newer = bytearray(self.new_os)
        newer[200_000:200_000] = os.urandom(2000)
        newer = bytes(newer)
        self.release("2.1.0", newer, delta_from=("1.1.0", "2.0.0"))
        os_component = next(c for c in self.manifest("2.1.0")["components"] if c["name"] == "os")
        patches = {d["from_version"]: d for d in os_component["deltas"]}
        self.assertEqual(sorted(patches), ["1.1.0", "2.0.0"])
        self.assertEqual(patches["2.0.0"]["from_sha256"], sha256(self.new_os))
        self.assertNotEqual(patches["1.1.0"]["length"], patches["2.0.0"]["length"])

        on_1_1_0 = self.terminal_on_1_1_0("DELTA-5")
        on_2_0_0 = self.terminal_on_1_1_0("DELTA-6")
        self.update_to_2_0_0(on_2_0_0)
        for agent, source in ((on_1_1_0, "1.1.0"), (on_2_0_0, "2.0.0")):
            d = self.finished(self.cli.json("deploy", "--release", "2.1.0", "--terminal",
                                            agent.config["terminal"])["id"])
            self.assertEqual(d["result"], "success", self.details(d))
            self.assertIn(f"delta: os made from a patch of {patches[source]['length']} bytes instead of "
                          f"{len(newer)}", self.details(d), source)
            self.assertEqual(self.running_os(agent), ("2.1.0", newer))

    def test_a_running_slot_that_is_not_the_patches_source_gets_the_full_image(self):
        agent = self.terminal_on_1_1_0("DELTA-2")
        version, image = self.running_os(agent)
        self.assertEqual(version, "1.1.0")
        st = agent.status()
        # The slot's record still names 1.1.0's image, but its bytes are not those any more.
        with open(os.path.join(agent.device_dir, "slots", st["slot"], "os-1.1.0.img"), "r+b") as f:
            f.seek(4242)
            f.write(b"\xff\xfe")
        details = self.update_to_2_0_0(agent)
        self.assertIn("delta not used for os: the running slot's os-1.1.0.img is not the file the patch was "
                      "made from; downloading the full file", details)
        # The patch was sent and then the full image: both count, and the full cost is more.
        progress = self.server.api("GET", "/api/v1/releases/2.0.0/progress")["bytes"]
        self.assertGreater(progress["sent"], len(self.new_os))
        self.assertGreater(progress["full"], progress["sent"])

    def test_a_damaged_patch_on_the_server_gets_the_full_image(self):
        delta = next(c for c in self.manifest("2.0.0")["components"] if c["name"] == "os")["deltas"][0]
        stored = [os.path.join(root, f) for root, _, files in os.walk(os.path.join(self.server.data_dir, "artifacts"))
                  for f in files if f == delta["sha256"] or f.startswith(delta["sha256"])]
        self.assertEqual(len(stored), 1, "the patch is stored once, by its SHA-256")
        with open(stored[0], "r+b") as f:
            f.seek(delta["length"] // 2)
            byte = f.read(1)
            f.seek(delta["length"] // 2)
            f.write(bytes([byte[0] ^ 0x20]))
        agent = self.terminal_on_1_1_0("DELTA-3")
        details = self.update_to_2_0_0(agent)
        self.assertIn("delta not used for os: the patch downloaded is not the one the signed manifest names", details)

    def test_a_client_without_posfleets_extension_sees_only_the_full_artifacts(self):
        agent = self.terminal_on_1_1_0("DELTA-4")
        agent.stop()  # the stock client's part is read by hand below
        dep = self.cli.json("deploy", "--release", "2.0.0", "--terminal", "DELTA-4")["id"]
        base = f"{self.server.url}/DEFAULT/controller/v1/DELTA-4"

        def get(url):
            req = urllib.request.Request(url, headers={"Authorization": "TargetToken " + agent.token})
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        _, body = get(f"{base}/deploymentBase/{dep}")
        db = json.loads(body)
        chunks = {c["part"]: c for c in db["deployment"]["chunks"]}
        [os_artifact] = chunks["os"]["artifacts"]
        self.assertEqual((os_artifact["filename"], os_artifact["size"], os_artifact["hashes"]["sha256"]),
                         ("os-2.0.0.img", len(self.new_os), sha256(self.new_os)))
        status, full = get(os_artifact["_links"]["download-http"]["href"])
        self.assertEqual((status, sha256(full)), (200, sha256(self.new_os)))
        # The patch travels only in the extension a stock client does not read.
        [offered] = db["posfleet"]["deltas"]
        self.assertEqual((offered["part"], offered["from_version"]), ("os", "1.1.0"))
        status, patch = get(offered["_links"]["download-http"]["href"])
        self.assertEqual((status, sha256(patch)), (200, offered["hashes"]["sha256"]))
        # Several ranges at once, as a zchunk client asks for the chunks it lacks: one
        # multipart/byteranges answer, each part with its Content-Range.
        href = os_artifact["_links"]["download-http"]["href"]
        req = urllib.request.Request(href, headers={"Authorization": "TargetToken " + agent.token,
                                                    "Range": "bytes=0-99, 5000-5099,-10"})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 206)
            ctype, body = r.headers["Content-Type"], r.read()
        self.assertTrue(ctype.startswith("multipart/byteranges; boundary="), ctype)
        boundary = ctype.split("boundary=", 1)[1].encode()
        parts = body.split(b"--" + boundary)
        self.assertEqual((parts[0], parts[-1]), (b"", b"--\r\n"))
        got = []
        for part in parts[1:-1]:
            head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
            ranges = [line for line in head.split(b"\r\n") if line.startswith(b"Content-Range: bytes ")]
            first, last = map(int, ranges[0].split(b" ")[2].split(b"/")[0].split(b"-"))
            got.append((first, data.removesuffix(b"\r\n")))
        n = len(self.new_os)
        self.assertEqual(got, [(0, self.new_os[:100]), (5000, self.new_os[5000:5100]), (n - 10, self.new_os[-10:])])
        # Ranges that overlap would send the file many times over: the whole file, once.
        req = urllib.request.Request(href, headers={"Authorization": "TargetToken " + agent.token,
                                                    "Range": "bytes=0-,0-,0-"})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual((r.status, sha256(r.read())), (200, sha256(self.new_os)))
        # Another name under the module is not served.
        with self.assertRaises(urllib.error.HTTPError) as e:
            get(offered["_links"]["download-http"]["href"].replace(".pfdelta", ".img"))
        self.assertEqual(e.exception.code, 404)


if __name__ == "__main__":
    unittest.main()
