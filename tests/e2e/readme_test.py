"""README.md as a script: every ```sh block of the README is run, in order, as
written, in one bash session (set -euo pipefail), against a fresh posfleetd
started the way scripts/run.sh starts it (data in ./var), on a free loopback
port. A block preceded by a `<!-- readme-test: KIND (why) -->` comment is
treated as KIND says:
  server      not run: the test has started posfleetd itself (scripts/run.sh);
  skip        not run (interactive, the whole suite, a code from a browser);
  background  run in the background and stopped at the end (the agent).
The only values filled in are those a reader copies from posfleetd's
first-start output: its URL and the `<token shown on first start>`. Any other
<placeholder> left in a block that runs fails the test, and so does any command
that fails: a README whose steps do not work as written cannot pass.
"""
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from harness import Workspace, binary, wait_until  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
README = os.path.join(ROOT, "README.md")
README_URL = "http://127.0.0.1:8080"
TOKEN_PLACEHOLDER = "<token shown on first start>"
PLACEHOLDER = re.compile(r"<[a-z][a-z0-9 ,.'-]*>")
MARKER = re.compile(r"<!--\s*readme-test:\s*(server|skip|background)\b.*-->")


def blocks(text):
    """The ```sh blocks of the README: (line, kind, text), dedented by their fence's indent."""
    lines = text.split("\n")
    out, i, kind = [], 0, "run"
    while i < len(lines):
        line = lines[i]
        m = MARKER.search(line)
        if m:
            kind = m.group(1)
        fence = re.match(r"^(\s*)```(sh|bash)\s*$", line)
        if fence:
            indent, start, body = len(fence.group(1)), i + 1, []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
                i += 1
            out.append((start, kind, "\n".join(body)))
            kind = "run"
        elif line.strip() and not m:
            kind = "run"  # a marker belongs only to the block right after it
        i += 1
    return out


def script(readme_blocks, url, token):
    """One bash script running the README's blocks in order, each tagged with its line."""
    parts = ["set -euo pipefail",
             "trap 'echo \"README.md line $README_LINE: the block failed (exit $?)\" >&2' ERR"]
    for line, kind, text in readme_blocks:
        if kind in ("server", "skip"):
            continue
        text = text.replace(TOKEN_PLACEHOLDER, token).replace(README_URL, url)
        left = PLACEHOLDER.findall(text)
        if left:
            raise AssertionError(f"README.md line {line}: a reader cannot run {left[0]} as written")
        parts.append(f"README_LINE={line}\necho '$ README.md:{line}'")
        if kind == "background":
            # Its own process group, so that the test can stop it and what it started.
            parts.append(f"setsid bash -c {shlex.quote(text)} > background-{line}.log 2>&1 &\n"
                         "echo $! >> background.pids")
        else:
            parts.append(text)
    return "\n".join(parts) + "\n"


class ReadmeTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("readme")
        self.dir = self.ws.path
        # The reader's clone: build/bin holds the programs.
        os.makedirs(os.path.join(self.dir, "build"))
        os.symlink(os.path.dirname(binary("POSFLEET_CLI")), os.path.join(self.dir, "build", "bin"))
        self.log_path = os.path.join(self.dir, "posfleetd.log")
        self.server = None

    def tearDown(self):
        pids = os.path.join(self.dir, "background.pids")
        if os.path.exists(pids):
            for pid in open(pids).read().split():
                try:
                    os.killpg(int(pid), signal.SIGTERM)
                except ProcessLookupError:
                    pass
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.ws.cleanup()

    def start_server_as_run_sh_does(self):
        run_sh = open(os.path.join(ROOT, "scripts", "run.sh")).read()
        m = re.search(r"exec build/bin/posfleetd --data-dir (\S+) --listen 127\.0\.0\.1:8080", run_sh)
        self.assertTrue(m, "scripts/run.sh no longer starts posfleetd as the README describes")
        env = {k: v for k, v in os.environ.items() if not k.startswith("POSFLEET_")}
        self.log = open(self.log_path, "w")
        self.server = subprocess.Popen([binary("POSFLEETD"), "--data-dir", m.group(1), "--listen", "127.0.0.1:0"],
                                       cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT, env=env)

        def printed():
            if self.server.poll() is not None:
                raise AssertionError("posfleetd exited:\n" + open(self.log_path).read())
            out = open(self.log_path).read()
            url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", out)
            token = re.search(r"export POSFLEET_SERVER=\S+ POSFLEET_TOKEN=(\S+)", out)
            return url and token and (url.group(1), token.group(1))

        return wait_until("posfleetd's first-start output", printed, timeout=30)

    def api(self, url, token, path):
        req = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def test_readme_runs_as_written(self):
        url, token = self.start_server_as_run_sh_does()
        readme_blocks = blocks(open(README, encoding="utf-8").read())
        run = script(readme_blocks, url, token)
        with open(os.path.join(self.dir, "readme.sh"), "w") as f:
            f.write(run)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.dir, "LANG": "C.UTF-8"}
        try:
            p = subprocess.run(["bash", "readme.sh"], cwd=self.dir, env=env, capture_output=True, text=True,
                               timeout=600)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = "timed out", (e.stdout or b"").decode(errors="replace"), (e.stderr or b"").decode(
                errors="replace")
        with open(os.path.join(self.dir, "readme.log"), "w") as f:  # kept with POSFLEET_KEEP_TEST_DIRS=1
            f.write(out + err)
        if rc != 0:
            bg = "".join(open(os.path.join(self.dir, f)).read()[-3000:] for f in os.listdir(self.dir)
                         if f.startswith("background-"))
            self.fail(f"the README's steps failed ({rc}):\n{out[-6000:]}\n{err[-4000:]}\n"
                      f"--- background ---\n{bg}\n--- posfleetd ---\n{open(self.log_path).read()[-4000:]}")

        # What the steps claim happened, read back from the server.
        d = self.api(url, token, "/api/v1/deployments/1")
        self.assertEqual((d["terminal"], d["release"], d["status"], d["result"]),
                         ("PF0001", "2.1.0", "finished", "success"))
        self.assertTrue(self.api(url, token, "/api/v1/releases/2.1.1")["security_deadline"])
        actions = [e["action"] for e in self.api(url, token, "/api/v1/audit?limit=1000")["entries"]]
        self.assertIn("support.verify.ok", actions)
        self.assertNotIn("support.verify.code_wrong", actions)  # no code try burned
        kinds = [k for _, k, _ in readme_blocks]
        self.assertGreaterEqual(kinds.count("run"), 15, "most of the README's blocks must run")


if __name__ == "__main__":
    unittest.main()
