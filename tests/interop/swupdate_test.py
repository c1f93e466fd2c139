#!/usr/bin/python3
"""Interop test: Debian 12's swupdate (suricatta / hawkBit mode) against posfleetd.

Environment:
  POSFLEET_BIN_DIR          directory holding `posfleetd` and `posfleet`
                            (required; ctest sets it)
  POSFLEET_INTEROP_TIMEOUT  seconds to wait for each phase (default 60)
  POSFLEET_INTEROP_KEEP=1   keep the temp dir for post-mortem

What the flow looks like from the device side (swupdate 2022.12):
  run 1  polls, downloads the .swu, installs it (dry run: -n), and reports only
         "proceeding" feedback.  It never closes the action itself: that is
         left to the next boot.  In dry-run mode it also never records
         "installed", so it would re-install on every poll - hence we stop it
         as soon as one full cycle is done.
  run 2  "after reboot": -c 2 makes swupdate POST closed/success for the
         action that the base poll still offers, then idle.

Everything binds to 127.0.0.1 and lives in one temp dir.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))  # test_ca
sys.dont_write_bytecode = True      # keep __pycache__ out of the source tree

TENANT = "DEFAULT"
MODEL = "posfleet-sim"
HWREV = "posfleet-sim:1.0"
TIMEOUT = float(os.environ.get("POSFLEET_INTEROP_TIMEOUT", "60"))
SWUPDATE = shutil.which("swupdate")
SWUPDATE_IPC = shutil.which("swupdate-ipc")

# Printed by swupdate once every chunk is installed and all "proceeding"
# feedback for this cycle has been sent.
CYCLE_DONE = "Update successful, executing post-update actions"
# Printed when the server answers anything but 200/206/226; swupdate then
# silently retries (initial -c report: every 10 s, forever).
HTTP_ERROR = re.compile(r"HTTP error code \d+|Error while reporting")


class Proc:
    """A child process whose merged stdout/stderr is drained by a thread, so
    that a chatty child can never block on a full pipe and so that its log
    can be shown when a test fails."""

    def __init__(self, name, args, env=None):
        self.name = name
        self.args = args
        self.lines = []
        self._cond = threading.Condition()
        self.p = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  start_new_session=True)
        self._t = threading.Thread(target=self._drain, daemon=True)
        self._t.start()

    def _drain(self):
        for raw in self.p.stdout:
            with self._cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def text(self):
        with self._cond:
            return "\n".join(self.lines)

    def wait_for_line(self, regex, timeout):
        """First match of regex in the output, or None on timeout/exit."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    m = rx.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (self.p.poll() is not None
                                 and not self._t.is_alive()):
                    return None
                self._cond.wait(min(left, 0.5))

    def stop(self, sig=signal.SIGTERM, grace=10):
        """Signal, wait, then SIGKILL.  Only ever targets our own child
        (and its session: swupdate forks helpers)."""
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.p.wait(5)
        self._t.join(5)
        if not self._t.is_alive():
            self.p.stdout.close()
        return self.p.returncode


def wait_until(pred, timeout, what, interval=0.5):
    """Poll pred() until it returns something truthy; fail with `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s (last: %r)"
                         % (timeout, what, last))


class InteropBase(unittest.TestCase):
    """Temp dir, the signed .swu, swupdate launching and log dumping."""

    def setUp(self):
        if not SWUPDATE:
            self.fail("swupdate is not installed; run scripts/install-deps.sh")
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix="pf-interop-")
        if not os.environ.get("POSFLEET_INTEROP_KEEP"):
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.addCleanup(self._stop_all)
        self.swu_dir = os.path.join(self.tmp, "swu")
        subprocess.run(["sh", os.path.join(HERE, "make_swu.sh"),
                        self.swu_dir], check=True, capture_output=True,
                       timeout=60)
        self.swu = os.path.join(self.swu_dir, "test.swu")
        self.cert = os.path.join(self.swu_dir, "cert.pem")
        with open(self.swu, "rb") as f:
            self.swu_sha1 = hashlib.sha1(f.read()).hexdigest()
        self._runs = 0

    def _stop_all(self):
        # Reverse order: swupdate runs before the server they talk to.
        for p in reversed(self.procs):
            p.stop()

    def run(self, result=None):
        # Dump every child's log when the test fails or errors, so a CI
        # failure is diagnosable without re-running.
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > before:
            for p in getattr(self, "procs", []):
                sys.stderr.write("\n----- %s: %s -----\n%s\n"
                                 % (p.name, " ".join(p.args), p.text()))
        return result

    def start_swupdate(self, url, device, token, confirm=None, identify=None, tls=None,
                       install=False):
        """Start swupdate in suricatta mode, dry run (install=True: it installs, into files
        under the temp dir only, with no bootloader markers).

        Each run gets its own TMPDIR: swupdate puts its IPC sockets
        (sockinstctrl, swupdateprog) and extracted files there, so runs
        cannot collide with each other or with a system swupdate.  An
        explicit -f keeps a host /etc/swupdate.cfg out of the picture."""
        self._runs += 1
        run_tmp = os.path.join(self.tmp, "sw%d" % self._runs)
        os.makedirs(run_tmp)
        cfg = os.path.join(run_tmp, "swupdate.cfg")
        with open(cfg, "w") as f:
            f.write("globals : { };\n")   # swupdate refuses a cfg without it
            if identify:
                f.write("identify : (\n%s\n);\n" % ",\n".join(
                    '  { name = "%s"; value = "%s"; }' % kv
                    for kv in identify.items()))
            if tls:
                # suricatta's TLS settings: the server's CA, and the
                # terminal's own key and certificate (mutual TLS).
                f.write("suricatta : {\n%s\n};\n" % "\n".join(
                    '  %s = "%s";' % kv for kv in tls.items()))
        suricatta = "-t %s -u %s -i %s -p 1" % (TENANT, url, device)
        if token:
            suricatta += " -k %s" % token
        if confirm:
            suricatta += " -c %s" % confirm
        mode = ["-M", "-m"] if install else ["-n"]
        args = [SWUPDATE, "-v", *mode, "-f", cfg, "-k", self.cert,
                "-H", HWREV, "-u", suricatta]
        env = dict(os.environ, TMPDIR=run_tmp)
        p = Proc("swupdate#%d" % self._runs, args, env)
        p.run_tmp = run_tmp
        self.procs.append(p)
        return p

    def speed_up_polling(self, sw):
        """Make swupdate poll every second whatever the server's
        config.polling.sleep says, and poll right now.

        -p only sets the interval until the first reply; after that the
        server's sleep rules.  A server that omits _links.configData makes
        swupdate spend its first cycle on configData and then sleep a full
        server interval, which could outlast the test timeout.  Best effort:
        the test must not depend on it."""
        if not SWUPDATE_IPC:
            return
        sock = os.path.join(sw.run_tmp, "sockinstctrl")
        try:
            wait_until(lambda: os.path.exists(sock), 10, "swupdate IPC socket",
                       0.1)
        except AssertionError:
            return
        env = dict(os.environ, TMPDIR=sw.run_tmp)
        for opt in (["-p", "1"], ["-t"]):
            subprocess.run([SWUPDATE_IPC, "hawkbitcfg"] + opt, env=env,
                           capture_output=True, timeout=10)

    def wait_cycle_done(self, sw, what):
        m = sw.wait_for_line(re.escape(CYCLE_DONE), TIMEOUT)
        if m is None:
            errs = [ln for ln in sw.text().splitlines() if "ERROR" in ln
                    and "Cannot read stored update state" not in ln]
            self.fail("swupdate did not finish an install cycle (%s); "
                      "first errors:\n%s" % (what, "\n".join(errs[:8])))

    def assert_no_http_errors(self, sw):
        bad = [ln for ln in sw.text().splitlines() if HTTP_ERROR.search(ln)]
        self.assertEqual(bad, [], "swupdate saw HTTP errors from the server")

    def assert_nothing_installed(self):
        self.assertFalse(os.path.exists(os.path.join(self.swu_dir,
                                                     "installed")),
                         "dry run wrote the payload")


class PosfleetdInteropTest(InteropBase):
    """swupdate <-> posfleetd, end to end through the posfleet CLI."""

    def setUp(self):
        bindir = os.environ.get("POSFLEET_BIN_DIR")
        if not bindir:
            self.fail("POSFLEET_BIN_DIR is not set; run the tests through ctest")
        self.posfleetd = os.path.join(bindir, "posfleetd")
        self.posfleet = os.path.join(bindir, "posfleet")
        for exe in (self.posfleetd, self.posfleet):
            if not os.access(exe, os.X_OK):
                self.fail("not executable: %s" % exe)
        super().setUp()
        self.admin_token = "interop-bootstrap-" + os.urandom(8).hex()
        data = os.path.join(self.tmp, "data")
        os.makedirs(data)
        self.tls = self.server_tls()
        srv = Proc("posfleetd",
                   [self.posfleetd, "--data-dir", data,
                    "--listen", "127.0.0.1:0", "--tenant", TENANT,
                    *(self.tls.args() if self.tls else ())],
                   dict(os.environ, POSFLEET_BOOTSTRAP_TOKEN=self.admin_token))
        self.procs.append(srv)
        m = srv.wait_for_line(
            r"posfleetd listening on (https?://127\.0\.0\.1:\d+)", 20)
        self.assertIsNotNone(m, "posfleetd did not report its address")
        self.url = m.group(1)
        self.publish_release()

    def server_tls(self):
        """None: plain HTTP on loopback; the TLS run returns a test_ca.ServerTls."""
        return None

    # -- CLI ---------------------------------------------------------------
    def cli(self, *args, as_json=False):
        env = dict(os.environ, POSFLEET_SERVER=self.url,
                   POSFLEET_TOKEN=self.admin_token)
        if self.tls:
            env["POSFLEET_CA_BUNDLE"] = self.tls.ca_bundle
        r = subprocess.run([self.posfleet] + list(args), env=env,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            self.fail("posfleet %s -> rc %d\nstdout: %s\nstderr: %s"
                      % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return json.loads(r.stdout) if as_json else r.stdout

    def publish_release(self):
        rel = os.path.join(self.tmp, "rel-1.0.0")
        key = os.path.join(self.tmp, "relkey")
        # The fleet default window (22:00-06:00) keeps stock clients from
        # installing in business hours; this test fleet installs at any hour.
        self.cli("policy", "set", "--window", "00:00-00:00", "--reason", "interop test installs at any hour")
        self.cli("key", "generate", "--out", key)
        self.cli("release", "create", "--dir", rel, "--version", "1.0.0",
                 "--model", MODEL, "--component", "firmware=" + self.swu,
                 "--notes-zh", "测试", "--notes-en", "test")
        self.cli("release", "sign", "--dir", rel, "--key", key + ".key")
        self.cli("release", "publish", "--dir", rel)

    def register_and_deploy(self, serial):
        term = self.cli("terminal", "register", "--serial", serial,
                        "--model", MODEL, "--json", as_json=True)
        self.assertEqual(term["serial"], serial)
        dep = self.cli("deploy", "--release", "1.0.0", "--terminal", serial,
                       "--json", as_json=True)
        self.assertIsInstance(dep["id"], int)
        return term["token"], dep["id"]

    def deployment(self, dep_id):
        return self.cli("deployment", "show", str(dep_id), "--json",
                        as_json=True)

    # -- direct DDI reads: precise diagnostics before swupdate hides them ---
    def ddi(self, serial, token, path_or_url=""):
        url = path_or_url if path_or_url.startswith("http") else \
            "%s/%s/controller/v1/%s%s" % (self.url, TENANT, serial,
                                          path_or_url)
        req = urllib.request.Request(url, headers={
            "Authorization": "TargetToken " + token,
            "Accept": "application/json"})
        with urllib.request.urlopen(req, timeout=10, context=self.ssl_context()) as r:
            self.assertEqual(r.status, 200, url)
            return json.loads(r.read())

    def check_ddi_shape(self, serial, token):
        """The fields swupdate 2022.12 cannot do without."""
        base = self.ddi(serial, token)
        sleep = base["config"]["polling"]["sleep"]
        self.assertRegex(sleep, r"^\d{2}:\d{2}:\d{2}$")
        href = base["_links"]["deploymentBase"]["href"]
        db = self.ddi(serial, token, href)
        int(db["id"])                      # swupdate does json_get_int()
        dep = db["deployment"]
        self.assertIn(dep["update"], ("forced", "attempt"))
        chunk = dep["chunks"][0]
        for k in ("part", "version", "name"):
            self.assertIsInstance(chunk[k], str, k)
        swus = [a for a in chunk["artifacts"]
                if a["filename"].endswith(".swu")]
        self.assertEqual(len(swus), 1, "exactly one *.swu artifact")
        art = swus[0]
        # swupdate compares the lowercase hex sha1 of what it downloaded.
        self.assertEqual(art["hashes"]["sha1"], self.swu_sha1)
        self.assertIsInstance(art["size"], int)
        links = art["_links"]
        self.assertTrue("download" in links or "download-http" in links)

    def ssl_context(self):
        return None

    def offers_deployment(self, serial, token):
        return "deploymentBase" in self.ddi(serial, token).get("_links", {})

    # -- tests -------------------------------------------------------------
    def test_update_then_confirm_after_reboot(self):
        token, dep_id = self.register_and_deploy("SWU0001")
        self.check_ddi_shape("SWU0001", token)

        # Run 1: download + dry-run install, "proceeding" feedback only.
        sw = self.start_swupdate(self.url, "SWU0001", token)
        self.speed_up_polling(sw)
        self.wait_cycle_done(sw, "run 1")

        def proceeding_seen():
            d = self.deployment(dep_id)
            closed = [h for h in d["history"] if h["execution"] == "closed"]
            self.assertEqual(closed, [], "run 1 closed the action")
            return any(h["execution"] == "proceeding" for h in d["history"])
        wait_until(proceeding_seen, TIMEOUT, "proceeding feedback")
        sw.stop()
        self.assert_no_http_errors(sw)
        self.assert_nothing_installed()

        d = self.deployment(dep_id)
        self.assertNotIn(d["status"], ("finished", "canceled"))
        self.assertEqual(d["result"], "none")
        # -c 2 only reports if the base poll still offers the action.
        self.assertTrue(self.offers_deployment("SWU0001", token),
                        "action must stay open until confirmed")

        # Run 2: "after reboot", confirm success.
        sw2 = self.start_swupdate(self.url, "SWU0001", token, confirm=2)
        wait_until(lambda: self.deployment(dep_id)["status"] == "finished",
                   TIMEOUT, "deployment to finish after -c 2")
        sw2.stop()
        self.assert_no_http_errors(sw2)

        d = self.deployment(dep_id)
        self.assertEqual((d["status"], d["result"]), ("finished", "success"))
        steps = [(h["execution"], h["result"]) for h in d["history"]]
        first_proc = next(i for i, s in enumerate(steps)
                          if s[0] == "proceeding")
        self.assertIn(("closed", "success"), steps[first_proc + 1:], steps)
        # A closed action must vanish, or swupdate would install it again.
        self.assertFalse(self.offers_deployment("SWU0001", token))
        self.assert_nothing_installed()

    def test_identify_attributes_do_not_block_update(self):
        """With `identify` data swupdate PUTs configData whenever the base
        poll carries _links.configData, and checks for updates only when it
        does not.  So the server must answer the PUT with 200 and then stop
        advertising configData, as hawkBit does - or the update starves."""
        token, dep_id = self.register_and_deploy("SWU0002")
        sw = self.start_swupdate(self.url, "SWU0002", token,
                                 identify={"serial": "SWU0002",
                                           "model": MODEL})
        self.speed_up_polling(sw)
        self.wait_cycle_done(sw, "with identify data")
        sw.stop()
        self.assert_no_http_errors(sw)
        hist = self.deployment(dep_id)["history"]
        self.assertTrue(any(h["execution"] == "proceeding" for h in hist))

class PosfleetdTlsInteropTest(PosfleetdInteropTest):
    """The same over HTTPS: posfleetd serves TLS with a certificate from a test
    CA made with openssl, and swupdate's terminal authenticates by a client
    certificate posfleetd's device CA issued for it (no DDI token)."""

    def server_tls(self):
        from test_ca import TestCA   # tests/e2e
        return TestCA(os.path.join(self.tmp, "ca")).server_tls()

    def ssl_context(self):
        return ssl.create_default_context(cafile=self.tls.ca_bundle)

    def device_certificate(self, serial, token):
        """A key made here and a certificate for it from posfleetd's device CA,
        asked for with the terminal's token (as posfleet-agent certificate does)."""
        from test_ca import new_key, openssl
        key = new_key(os.path.join(self.tmp, serial + ".key"))
        csr = openssl("req", "-new", "-key", key, "-subj", "/CN=" + serial).decode()
        req = urllib.request.Request(
            "%s/%s/controller/v1/%s/posfleet/certificate" % (self.url, TENANT, serial),
            data=json.dumps({"csr": csr}).encode(), method="POST",
            headers={"Authorization": "TargetToken " + token,
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10, context=self.ssl_context()) as r:
            cert = os.path.join(self.tmp, serial + ".pem")
            with open(cert, "w") as f:
                f.write(json.loads(r.read())["certificate"])
        return cert, key

    def test_update_over_tls_by_device_certificate(self):
        token, dep_id = self.register_and_deploy("SWUTLS01")
        cert, key = self.device_certificate("SWUTLS01", token)
        self.cli("device-auth", "--token-required", "no", "--reason",
                 "interop: swupdate authenticates by its certificate")
        sw = self.start_swupdate(self.url, "SWUTLS01", None, tls={
            "cafile": self.tls.ca_bundle, "sslkey": key, "sslcert": cert})
        self.speed_up_polling(sw)
        self.wait_cycle_done(sw, "over TLS with a client certificate")
        wait_until(lambda: any(h["execution"] == "proceeding"
                               for h in self.deployment(dep_id)["history"]),
                   TIMEOUT, "proceeding feedback over TLS")
        sw.stop()
        self.assert_no_http_errors(sw)
        self.assert_nothing_installed()

    # The plain-HTTP run covers these.
    def test_update_then_confirm_after_reboot(self):
        self.skipTest("covered over plain HTTP; this class runs the TLS case")

    def test_identify_attributes_do_not_block_update(self):
        self.skipTest("covered over plain HTTP; this class runs the TLS case")


class PosfleetdDeltaPatchInteropTest(PosfleetdInteropTest):
    """A release carrying posfleet's own delta patches, to a stock client: posfleetd offers the
    patch only in its extension, and swupdate downloads the full .swu, checks it and installs."""

    def swu_with(self, name, payload):
        # Both images share the signer of setUp's image, so swupdate -k accepts either.
        out = os.path.join(self.tmp, name)
        os.makedirs(out)
        for pem in ("key.pem", "cert.pem"):
            shutil.copy(os.path.join(self.swu_dir, pem), out)
        subprocess.run(["sh", os.path.join(HERE, "make_swu.sh"), out], check=True,
                       capture_output=True, timeout=60,
                       env=dict(os.environ, SWU_PAYLOAD=payload))
        path = os.path.join(self.tmp, name + ".swu")
        shutil.copy(os.path.join(out, "test.swu"), path)
        return path

    def release_of(self, version, swu, delta_from=None):
        rel = os.path.join(self.tmp, "rel-" + version)
        self.cli("release", "create", "--dir", rel, "--version", version, "--model", MODEL,
                 "--component", "firmware=" + swu, "--notes-zh", "测试", "--notes-en", "test")
        if delta_from:
            out = self.cli("release", "delta", "--from", os.path.join(self.tmp, "rel-" + delta_from),
                           "--to", rel)
            self.assertIn("→ firmware_%s_to_%s.pfdelta" % (delta_from, version), out)
        self.cli("release", "sign", "--dir", rel, "--key", os.path.join(self.tmp, "relkey.key"))
        self.cli("release", "publish", "--dir", rel)

    def test_a_release_with_delta_patches_installs_whole_on_a_stock_client(self):
        payload = os.path.join(self.tmp, "payload.bin")
        with open(payload, "wb") as f:
            f.write(os.urandom(256 << 10))
        old_swu = self.swu_with("swu-1.1.0", payload)
        new_swu = self.swu_with("swu-1.2.0", payload)  # re-signed: the same payload, new bytes
        with open(new_swu, "rb") as f:
            new_bytes = f.read()
        self.release_of("1.1.0", old_swu)
        self.release_of("1.2.0", new_swu, delta_from="1.1.0")

        # The terminal runs 1.1.0 (installed, then confirmed after its "reboot").
        token = self.cli("terminal", "register", "--serial", "SWUDLT01", "--model", MODEL,
                         "--json", as_json=True)["token"]
        first = self.cli("deploy", "--release", "1.1.0", "--terminal", "SWUDLT01", "--json",
                         as_json=True)["id"]
        sw = self.start_swupdate(self.url, "SWUDLT01", token)
        self.speed_up_polling(sw)
        self.wait_cycle_done(sw, "1.1.0")
        sw.stop()
        sw = self.start_swupdate(self.url, "SWUDLT01", token, confirm=2)
        wait_until(lambda: self.deployment(first)["status"] == "finished", TIMEOUT,
                   "1.1.0 to be confirmed")
        sw.stop()

        dep = self.cli("deploy", "--release", "1.2.0", "--terminal", "SWUDLT01", "--json",
                       as_json=True)["id"]
        db = self.ddi("SWUDLT01", token, "/deploymentBase/%d" % dep)
        [offered] = db["posfleet"]["deltas"]      # the patch, in the extension alone
        self.assertEqual(offered["from_version"], "1.1.0")
        [art] = db["deployment"]["chunks"][0]["artifacts"]
        self.assertEqual((art["filename"], art["size"], art["hashes"]["sha1"]),
                         ("swu-1.2.0.swu", len(new_bytes), hashlib.sha1(new_bytes).hexdigest()))

        sw = self.start_swupdate(self.url, "SWUDLT01", token)
        self.speed_up_polling(sw)
        self.wait_cycle_done(sw, "1.2.0, a release with a delta patch")
        wait_until(lambda: any(h["execution"] == "proceeding"
                               for h in self.deployment(dep)["history"]),
                   TIMEOUT, "proceeding feedback for 1.2.0")
        sw.stop()
        self.assert_no_http_errors(sw)
        self.assertNotIn(".pfdelta", sw.text(), "a stock client never asks for the patch")

    # The other classes cover these.
    def test_update_then_confirm_after_reboot(self):
        self.skipTest("covered by PosfleetdInteropTest")

    def test_identify_attributes_do_not_block_update(self):
        self.skipTest("covered by PosfleetdInteropTest")


class PosfleetdZchunkInteropTest(PosfleetdInteropTest):
    """A delta update by chunks: the .swu carries only a .zck's header, and stock swupdate's
    delta handler fetches from posfleetd (multi-range requests) just the chunks the running
    image lacks, assembles the new image and installs it."""

    def test_delta_update_fetches_only_the_changed_chunks(self):
        import random
        rng = random.Random(20261205)
        old = bytearray(rng.randbytes(4 << 20))
        new = bytearray(old)
        for at in (300_000, 1_700_000, 3_100_000):     # three changed places
            new[at:at + 4096] = rng.randbytes(4096)
        new += rng.randbytes(64 << 10)                  # and a new tail
        source = os.path.join(self.tmp, "slot", "image.bin")
        image = os.path.join(self.tmp, "new", "image.bin")
        for path, data in ((source, old), (image, new)):
            os.makedirs(os.path.dirname(path))
            with open(path, "wb") as f:
                f.write(data)

        out = self.cli("release", "zchunk", image)
        zck = image + ".zck"
        with open(zck, "rb") as f:
            zck_bytes = f.read()
        sha = hashlib.sha256(zck_bytes).hexdigest()
        self.assertIn("/zchunk/%s.zck" % sha, out)
        url = "%s/zchunk/%s.zck" % (self.url, sha)
        dswu = os.path.join(self.tmp, "dswu")
        subprocess.run(["sh", os.path.join(HERE, "make_swu.sh"), dswu, zck + ".header", url,
                        source], check=True, capture_output=True, timeout=60)
        self.cert = os.path.join(dswu, "cert.pem")
        delta_swu = os.path.join(self.tmp, "delta.swu")
        shutil.copy(os.path.join(dswu, "test.swu"), delta_swu)

        # Before a release lists it, the file is not served.
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url, timeout=10)
        self.assertEqual(e.exception.code, 404)

        rel = os.path.join(self.tmp, "rel-2.0.0")
        self.cli("release", "create", "--dir", rel, "--version", "2.0.0", "--model", MODEL,
                 "--component", "firmware=" + delta_swu, "--zchunk", "firmware=" + zck,
                 "--notes-zh", "差分", "--notes-en", "delta")
        self.cli("release", "sign", "--dir", rel, "--key", os.path.join(self.tmp, "relkey.key"))
        self.cli("release", "publish", "--dir", rel)
        req = urllib.request.Request(self.url + "/api/v1/releases/2.0.0",
                                     headers={"Authorization": "Bearer " + self.admin_token})
        with urllib.request.urlopen(req, timeout=10) as r:
            shown = json.loads(r.read())
        self.assertEqual(shown["components"][0]["zchunk"],
                         {"filename": "image.bin.zck", "size": len(zck_bytes)})
        token = self.cli("terminal", "register", "--serial", "SWUZCK01", "--model", MODEL,
                         "--json", as_json=True)["token"]
        dep = self.cli("deploy", "--release", "2.0.0", "--terminal", "SWUZCK01", "--json",
                       as_json=True)

        sw = self.start_swupdate(self.url, "SWUZCK01", token, install=True)
        self.speed_up_polling(sw)
        self.wait_cycle_done(sw, "delta update by chunks")
        sw.stop()
        self.assert_no_http_errors(sw)
        installed = os.path.join(dswu, "installed", "image.bin")
        with open(installed, "rb") as f:
            self.assertTrue(f.read() == bytes(new), "the assembled image is not the new one")

        log = sw.text()
        fetched = int(re.search(r"Total downloaded data : (\d+) bytes", log).group(1))
        ranges = re.findall(r"Range request : (\S+)", log)
        self.assertTrue(any("," in r for r in ranges),
                        "expected a multi-range request, saw %r" % ranges)
        # The changed places, the new tail and the last chunk: a small part of the file.
        self.assertLess(fetched, len(zck_bytes) // 4,
                        "fetched %d of %d bytes" % (fetched, len(zck_bytes)))
        sys.stderr.write("\nzchunk delta: fetched %d bytes of a %d-byte .zck (%.1f %%), %d "
                         "range request(s)\n" % (fetched, len(zck_bytes),
                                                  100.0 * fetched / len(zck_bytes), len(ranges)))
        hist = self.deployment(dep["id"])["history"]
        self.assertTrue(any(h["execution"] == "proceeding" for h in hist))

    # The other classes cover these.
    def test_update_then_confirm_after_reboot(self):
        self.skipTest("covered by PosfleetdInteropTest")

    def test_identify_attributes_do_not_block_update(self):
        self.skipTest("covered by PosfleetdInteropTest")


if __name__ == "__main__":
    unittest.main(verbosity=2)
