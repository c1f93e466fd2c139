"""End to end: posfleetd --artifact-base-url (docs/operations.md). Debian's nginx serves
posfleetd's artifact folder as a CDN would; the deployment's download links point there, at
each artifact's path in the folder, and a real agent installs the release through them,
sending nginx neither its token nor anything else of the terminal's; the signed manifest
vouches for the bytes. posfleetd still serves the artifact itself. A base URL that is not one
(a query, another scheme) stops posfleetd at start with a message naming the flag.
"""
import hashlib
import json
import os
import subprocess
import sys
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
from harness import Agent, FleetTestCase, Nginx, binary, free_port, publish_release, wait_until  # noqa: E402


class ArtifactBaseUrlTest(FleetTestCase, unittest.TestCase):

    def setUp(self):
        import tempfile
        self.shared = tempfile.mkdtemp(prefix="pf-cdn-")
        os.chmod(self.shared, 0o755)  # mkdtemp's folder is private; nginx's workers read below it
        self.artifacts = os.path.join(self.shared, "artifacts")
        self.cdn = Nginx(self.shared, [], port=free_port(), static=("/posfleet/", self.artifacts), name="cdn")
        # No trailing '/': posfleetd adds it.
        self.SERVER_ARGS = ("--artifact-dir", self.artifacts, "--artifact-base-url", self.cdn.url + "/posfleet")
        super().setUp()

    def tearDown(self):
        self.cdn.stop()
        super().tearDown()
        import shutil
        shutil.rmtree(self.shared, ignore_errors=True)

    def test_an_agent_installs_a_release_from_the_artifact_base_url(self):
        publish_release(self.cli, self.ws.path, "2.0.0")
        reg = self.cli.json("terminal", "register", "--serial", "PF-CDN", "--model", "A920")
        auth = {"Authorization": "TargetToken " + reg["token"]}
        agent = Agent(self.ws.path, self.server.url, "PF-CDN", reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")], precheck_retry_seconds=1)
        self.agents.append(agent)
        self.cli.run("deploy", "--release", "2.0.0", "--terminal", "PF-CDN", "--reason", "from the CDN")

        def get(url):
            with urllib.request.urlopen(urllib.request.Request(url, headers=auth), timeout=30) as r:
                return r.read()

        poll = json.loads(get(self.server.url + "/DEFAULT/controller/v1/PF-CDN"))
        deployment = json.loads(get(poll["_links"]["deploymentBase"]["href"]))
        artifact = deployment["deployment"]["chunks"][0]["artifacts"][0]
        sha = artifact["hashes"]["sha256"]
        self.assertEqual(artifact["_links"]["download-http"]["href"], f"{self.cdn.url}/posfleet/{sha[:2]}/{sha}")
        # posfleetd still serves it itself.
        served = get(artifact["_links"]["md5sum-http"]["href"].removesuffix(".MD5SUM"))
        self.assertEqual(hashlib.sha256(served).hexdigest(), sha)

        agent.start()
        wait_until("the agent to install 2.0.0 from nginx",
                   lambda: self.cli.json("terminal", "show", "PF-CDN")["installed_version"] == "2.0.0", timeout=120)
        log = self.cdn.access_log()
        self.assertRegex(log, rf'"GET /posfleet/{sha[:2]}/{sha} HTTP/1\.1" 20[06] ')
        self.assertNotIn(reg["token"], log)
        self.assertNotIn('authorization="TargetToken', log)

    def test_a_bad_artifact_base_url_stops_posfleetd_at_start(self):
        for url, why in (("https://cdn.example/posfleet/?sig=1",
                          "may hold only a host, a port and a path (no query, fragment or spaces)"),
                         ("ftp://cdn.example/posfleet/", "must start with http:// or https://")):
            p = subprocess.run([binary("POSFLEETD"), "--data-dir", os.path.join(self.ws.path, "bad"),
                                "--artifact-base-url", url], capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(f'--artifact-base-url "{url}" {why}; give e.g. https://cdn.example.com/posfleet/',
                          p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
