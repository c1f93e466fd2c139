"""posfleetd serves HTTPS natively, with real processes on loopback and
certificates made by `openssl` at test time (test_ca.py): TLS 1.2 and 1.3
only, AEAD ciphers with ECDHE only; the agent updates over HTTPS against its
pinned CA and refuses another CA; the CLI likewise; plain HTTP is refused by
both unless allowed (the CLI allows loopback); SIGHUP reloads the certificate
for new connections while an open keep-alive connection and a running
download go on; a client certificate from the client CA is seen by the
server, one from another CA is not, and neither is required.
"""
import hashlib
import os
import re
import socket
import ssl
import subprocess
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Agent, Cli, FleetTestCase, Server, SlowDownload, Workspace,  # noqa: E402
                     binary, publish_release, wait_until)
from test_ca import TestCA, fingerprint, serial_hex  # noqa: E402

MIB = 1 << 20


def s_client(port, *args):
    """`openssl s_client` to 127.0.0.1:port with `args`; (handshake succeeded, output)."""
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
                        "-brief", *args], input=b"", capture_output=True, timeout=30)
    out = (p.stdout + p.stderr).decode(errors="replace")
    return p.returncode == 0 and "CONNECTION ESTABLISHED" in out, out


def served_serial(port, ca_bundle):
    """The serial number (upper-case hex) of the certificate a new connection is served."""
    ctx = ssl.create_default_context(cafile=ca_bundle)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            der = tls.getpeercert(binary_form=True)
    p = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der,
                       capture_output=True, timeout=30, check=True)
    return p.stdout.decode().strip().split("=", 1)[1].upper()


def own_non_loopback_address():
    """An address of this machine other machines reach, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.123", 9))  # no packet is sent: this only picks a route
            addr = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


class TlsTestCase(FleetTestCase):
    CLIENT_CA = False

    def server_tls(self):
        self.ca = TestCA(os.path.join(self.ws.path, "ca"))
        self.other_ca = TestCA(os.path.join(self.ws.path, "other-ca"), name="someone else's CA")
        return self.ca.server_tls(client_ca=self.ca.cert if self.CLIENT_CA else None)

    def agent(self, serial, **config):
        token = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")["token"]
        config.setdefault("ca_bundle", self.ca.cert)
        a = Agent(self.ws.path, self.server.url, serial, token, "A920",
                  [os.path.join(self.ws.path, "keys/release.pub")], **config)
        self.agents.append(a)
        return a

    def deploy_and_wait(self, version, serial):
        dep = self.cli.json("deploy", "--release", version, "--terminal", serial)["id"]

        def finished():
            d = self.cli.json("deployment", "show", str(dep))
            return d if d["status"] == "finished" else None
        return wait_until(f"deployment {dep} to finish", finished, timeout=60)


class HttpsServeTest(TlsTestCase, unittest.TestCase):
    def test_serves_https_and_the_cli_pins_its_ca(self):
        self.assertTrue(self.server.url.startswith("https://127.0.0.1:"), self.server.url)
        self.assertIn("listening on https://", self.server.output())
        # The harness's own calls and the CLI (POSFLEET_CA_BUNDLE) go over TLS.
        self.assertIsInstance(self.server.api("GET", "/api/v1/terminals?limit=1"), dict)
        self.cli.run("terminal", "register", "--serial", "TLS0001", "--model", "A920")
        # --ca-bundle on the command line does the same.
        bare = Cli(self.server, self.ws.path)
        bare.ca_bundle = None
        self.assertIn("TLS0001", bare.run("--ca-bundle", self.ca.cert, "terminal", "list").stdout)
        # Plain HTTP to the TLS port is not served.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            s.settimeout(10)
            try:
                reply = s.recv(4096)
            except ConnectionResetError:
                reply = b""
        self.assertNotIn(b"HTTP/1.1 200", reply)

    def test_the_cli_refuses_a_server_certificate_from_another_ca(self):
        wrong = Cli(self.server, self.ws.path, ca_bundle=self.other_ca.cert)
        p = wrong.run("terminal", "list", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not trusted", p.stderr)
        self.assertIn("--ca-bundle", p.stderr)
        # Without a pinned CA the system's CAs are used, and they do not know this one either.
        bare = Cli(self.server, self.ws.path)
        bare.ca_bundle = None
        p = bare.run("terminal", "list", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not trusted", p.stderr)

    def test_tls_below_1_2_and_weak_ciphers_are_refused(self):
        port = self.server.port
        ok, out = s_client(port, "-tls1_2", "-CAfile", self.ca.cert)
        self.assertTrue(ok, out)
        ok, out = s_client(port, "-tls1_3", "-CAfile", self.ca.cert)
        self.assertTrue(ok, out)
        # The client is willing (security level 0); the server is not.
        for old in ("-tls1_1", "-tls1"):
            ok, out = s_client(port, old, "-cipher", "DEFAULT@SECLEVEL=0")
            self.assertFalse(ok, f"{old} was accepted:\n{out}")
            self.assertRegex(out, r"(?i)alert protocol version|unsupported protocol|wrong version",
                             f"{old}: the server did not refuse the protocol:\n{out}")
        # CBC with SHA-1 (no AEAD), and no forward secrecy (static RSA), are refused in TLS 1.2.
        for weak in ("ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "AES128-GCM-SHA256"):
            ok, out = s_client(port, "-tls1_2", "-cipher", weak + "@SECLEVEL=0")
            self.assertFalse(ok, f"{weak} was accepted:\n{out}")
            self.assertRegex(out, r"(?i)handshake failure|no shared cipher|no ciphers available",
                             f"{weak}: not refused by the server:\n{out}")
        ok, out = s_client(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-CAfile", self.ca.cert)
        self.assertTrue(ok, out)
        self.assertIn("ECDHE-ECDSA-AES128-GCM-SHA256", out)


class AgentOverHttpsTest(TlsTestCase, unittest.TestCase):
    def test_the_agent_updates_over_https_with_its_pinned_ca(self):
        publish_release(self.cli, self.ws.path, "2.0.0", size=300_000)
        a = self.agent("TLSAG01").start()
        d = self.deploy_and_wait("2.0.0", "TLSAG01")
        self.assertEqual(d["result"], "success", d)
        wait_until("the agent to run 2.0.0", lambda: a.status()["version"] == "2.0.0", timeout=30)
        # The download link it was given is https:// too.
        self.assertNotIn("http://", a.output())

    def test_the_agent_refuses_a_server_certificate_from_another_ca(self):
        a = self.agent("TLSAG02", ca_bundle=self.other_ca.cert).start()
        wait_until("the agent to say the server is not trusted", lambda: "not trusted" in a.output(), timeout=30)
        self.assertIn("ca_bundle", a.output())
        self.assertIsNone(self.server.api("GET", "/api/v1/terminals/TLSAG02")["last_seen"])


class PlainHttpTest(unittest.TestCase):
    """Plain HTTP: refused by the agent unless its config allows it, by the CLI
    unless allowed or on loopback; posfleetd warns when it serves it to the network."""

    def setUp(self):
        self.ws = Workspace("plain")
        self.server = None
        self.agent = None

    def tearDown(self):
        if self.agent:
            self.agent.stop()
        if self.server:
            self.server.stop()
        self.ws.cleanup()

    def test_the_agent_refuses_plain_http_unless_its_config_allows_it(self):
        self.server = Server(self.ws.path)
        cli = Cli(self.server, self.ws.path)
        cli.run("key", "generate", "--out", "keys/release")
        token = cli.json("terminal", "register", "--serial", "PLAIN01", "--model", "A920")["token"]
        self.agent = Agent(self.ws.path, self.server.url, "PLAIN01", token, "A920",
                           [os.path.join(self.ws.path, "keys/release.pub")], allow_plain_http=False)
        p = subprocess.run([binary("POSFLEET_AGENT"), "-c", self.agent.config_path, "run"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("refusing plain HTTP", p.stderr + p.stdout)
        self.assertIn("allow_plain_http", p.stderr + p.stdout)
        # Allowed explicitly, it runs and polls.
        self.agent.write_config(allow_plain_http=True)
        self.agent.start()
        wait_until("the terminal's first poll",
                   lambda: self.server.api("GET", "/api/v1/terminals/PLAIN01")["last_seen"], timeout=30)

    def test_the_cli_refuses_plain_http_off_loopback_unless_allowed(self):
        addr = own_non_loopback_address()
        if not addr:
            self.skipTest("this machine has no non-loopback address")
        self.server = Server(self.ws.path, listen="0.0.0.0:0",
                             extra_args=("--external-url", f"http://{addr}:1"))
        # posfleetd says plain HTTP reaches the network unencrypted.
        self.assertRegex(self.server.output(), r"serving plain HTTP on 0\.0\.0\.0")
        remote = Server.__new__(Server)  # the same server, as other machines see it
        remote.url, remote.tls = f"http://{addr}:{self.server.port}", None
        cli = Cli(remote, self.ws.path)
        p = cli.run("terminal", "list", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("refusing the unencrypted http:// server", p.stderr)
        self.assertIn("--allow-plain-http", p.stderr)
        self.assertEqual(cli.run("--allow-plain-http", "terminal", "list").returncode, 0)
        allowed = Cli(remote, self.ws.path, env={"POSFLEET_ALLOW_PLAIN_HTTP": "1"})
        self.assertEqual(allowed.run("terminal", "list").returncode, 0)
        # Loopback needs no flag.
        self.assertEqual(Cli(self.server, self.ws.path).run("terminal", "list").returncode, 0)

    def test_plain_http_on_loopback_starts_without_a_warning(self):
        self.server = Server(self.ws.path)
        self.assertNotIn("serving plain HTTP", self.server.output())


class ReloadTest(TlsTestCase, unittest.TestCase):
    def test_sighup_serves_the_new_certificate_to_new_connections_only(self):
        import json
        tls = self.server.tls
        first = serial_hex(tls.cert)
        self.assertEqual(served_serial(self.server.port, self.ca.cert), first)
        # A download under way (24 MiB read at 4 MiB/s) and an idle keep-alive connection.
        path = os.path.join(self.ws.path, "os.img")
        with open(path, "wb") as f:
            f.write(os.urandom(24 * MIB))
        with open(path, "rb") as f:
            artifact_sha = hashlib.sha256(f.read()).hexdigest()
        self.cli.run("release", "create", "--dir", "rel", "--version", "2.0.0", "--model", "A920",
                     "--component", f"os={path}", "--notes-zh", "系统更新", "--notes-en", "System update")
        self.cli.run("release", "sign", "--dir", "rel", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", "rel")
        token = self.cli.json("terminal", "register", "--serial", "RELOAD01", "--model", "A920")["token"]
        self.cli.json("deploy", "--release", "2.0.0", "--terminal", "RELOAD01")
        ddi = {"Authorization": "TargetToken " + token}
        keep = self.server.connection()
        keep.request("GET", "/DEFAULT/controller/v1/RELOAD01", headers=ddi)
        poll = json.loads(keep.getresponse().read())
        base = poll["_links"]["deploymentBase"]["href"][len(self.server.url):]
        keep.request("GET", base, headers=ddi)
        action = json.loads(keep.getresponse().read())
        href = action["deployment"]["chunks"][0]["artifacts"][0]["_links"]["download-http"]["href"]
        self.assertTrue(href.startswith("https://"), href)
        download = SlowDownload(self.server.url, href[len(self.server.url):], ddi, 4 * MIB, ca_bundle=self.ca.cert)
        download.start()
        wait_until("the download to be under way", lambda: download.received >= MIB, timeout=20)

        # A new certificate in the same files, then SIGHUP.
        new_cert, new_key = self.ca.server_cert("server-2")
        os.replace(new_cert, tls.cert)
        os.replace(new_key, tls.key)
        second = serial_hex(tls.cert)
        self.assertNotEqual(first, second)
        self.server.reload()
        wait_until("the reload to be logged", lambda: "reloaded the TLS certificate" in self.server.output())
        self.assertEqual(served_serial(self.server.port, self.ca.cert), second)

        # The open connection goes on, still with the certificate it started with.
        keep.request("GET", "/DEFAULT/controller/v1/RELOAD01", headers=ddi)
        self.assertEqual(keep.getresponse().status, 200)
        der = keep.sock.getpeercert(binary_form=True)
        p = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der,
                           capture_output=True, check=True)
        self.assertEqual(p.stdout.decode().strip().split("=", 1)[1].upper(), first)
        keep.close()

        # A broken file: the reload is refused, said why, and the last good certificate stays.
        with open(tls.key, "w") as f:
            f.write("not a key\n")
        self.server.reload()
        wait_until("the refused reload to be logged",
                   lambda: "TLS files cannot be used" in self.server.output())
        self.assertEqual(served_serial(self.server.port, self.ca.cert), second)

        download.join(timeout=60)
        self.assertIsNone(download.error)
        self.assertEqual(download.status, 200)
        self.assertEqual(download.received, 24 * MIB)
        self.assertEqual(download.hash.hexdigest(), artifact_sha)
        self.assertEqual(self.server.proc.poll(), None, "posfleetd exited")


class ClientCertificateTest(TlsTestCase, unittest.TestCase):
    CLIENT_CA = True
    SERVER_ARGS = ("--log-level", "debug")

    def get(self, **client):
        ctx = self.server.ssl_context(**client)
        with urllib.request.urlopen(self.server.url + "/healthz", timeout=10, context=ctx) as r:
            return r.status

    def test_a_client_certificate_from_the_client_ca_is_seen_and_none_is_required(self):
        cert, key = self.ca.client_cert("SN-CLIENT-1")
        self.assertEqual(self.get(client_cert=cert, client_key=key), 200)
        line = wait_until("the server to log the client certificate", lambda: re.search(
            r"client certificate CN=SN-CLIENT-1 serial=(\w+) sha256=(\w+)", self.server.output()))
        self.assertEqual(line.group(1), serial_hex(cert))
        self.assertEqual(line.group(2), fingerprint(cert))
        # No certificate: served all the same (console users, token terminals).
        self.assertEqual(self.get(), 200)
        # A certificate from another CA: served, but not taken as an identity.
        other, other_key = self.other_ca.client_cert("SN-IMPOSTOR")
        self.assertEqual(self.get(client_cert=other, client_key=other_key), 200)
        wait_until("the refusal to be logged", lambda: "was not accepted" in self.server.output())
        self.assertNotIn("CN=SN-IMPOSTOR", self.server.output())

    def test_the_agent_presents_its_client_certificate(self):
        cert, key = self.ca.client_cert("TLSAG03")
        a = self.agent("TLSAG03", client_cert=cert, client_key=key).start()
        wait_until("the agent's certificate at the server",
                   lambda: "client certificate CN=TLSAG03" in self.server.output(), timeout=30)
        wait_until("the terminal's first poll",
                   lambda: self.server.api("GET", "/api/v1/terminals/TLSAG03")["last_seen"], timeout=30)
        self.assertTrue(a.proc.poll() is None)


if __name__ == "__main__":
    unittest.main()
