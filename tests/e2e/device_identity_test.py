#!/usr/bin/python3
"""Device identity end to end, real processes: posfleetd's device CA signs the
CSR posfleet-agent makes at enrolment (the key stays in the device dir), DDI
requests are authenticated by the client certificate alone once the fleet
allows it, revocation and retirement are refused at the next request, a
terminal enrolled before certificates gets one with its token.

The certificate reaches posfleetd the way a TLS-terminating reverse proxy
sends it (nginx $ssl_client_escaped_cert in X-Client-Cert) from a
--trusted-proxy address (127.0.0.1); posfleetd verifies it against its device
CA itself, and ignores the header from any other peer (127.0.0.2). Certificates
from another CA are made with the openssl command (test_ca.py)."""
import http.client
import json
import os
import ssl
import stat
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from harness import Agent, FleetTestCase, binary, wait_until  # noqa: E402
from onboarding_test import BUSINESS  # noqa: E402
from test_ca import TestCA, fingerprint, openssl  # noqa: E402  (from the tls branch)

MODEL = "M50"


class DeviceIdentityTest(FleetTestCase, unittest.TestCase):
    # The tiny "proxy" below connects from 127.0.0.1; a stranger from 127.0.0.2.
    SERVER_ARGS = ("--trusted-proxy", "127.0.0.1")

    # --- helpers ---------------------------------------------------------
    def request(self, method, path, body=None, headers=None, cert=None, source="127.0.0.1",
                via_proxy=False):
        """One request from `source` on a new connection. `cert` = (cert_file,
        key_file): over HTTPS it is presented in the TLS handshake; over plain
        HTTP (or with via_proxy) it travels as the trusted proxy forwards it."""
        h = {"Content-Type": "application/json"}
        if self.server.tls:
            ctx = ssl.create_default_context(cafile=self.server.tls.ca_bundle)
            if cert and not via_proxy:
                ctx.load_cert_chain(*cert)
            conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=15,
                                               context=ctx, source_address=(source, 0))
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=15,
                                              source_address=(source, 0))
        if cert and (via_proxy or not self.server.tls):
            with open(cert[0]) as f:
                h["X-Client-Cert"] = urllib.parse.quote(f.read(), safe="")
        h.update(headers or {})
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
            r = conn.getresponse()
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
        finally:
            conn.close()

    def admin(self, method, path, body=None):
        return self.request(method, path, body, {"Authorization": "Bearer e2e-admin-token"})

    def poll(self, serial, cert=None, token=None, **kw):
        headers = {"Authorization": "TargetToken " + token} if token else {}
        headers.update(kw.pop("headers", {}))
        return self.request("GET", f"/DEFAULT/controller/v1/{serial}", headers=headers, cert=cert, **kw)

    def activation_code(self, serial):
        """An application through the public API, approved for `serial`: its activation code."""
        status, code = self.request("POST", "/api/v1/public/phone-codes", {"phone": "13800138000"})
        self.assertEqual(status, 201, code)
        with open(os.path.join(self.server.data_dir, "sms-outbox.jsonl")) as f:
            text = [json.loads(line)["text"] for line in f][-1]
        digits = text.split("验证码 ")[1][:6]
        status, body = self.request("POST", f"/api/v1/public/phone-codes/{code['id']}/confirm",
                                    {"code": digits})
        self.assertEqual(status, 200, body)
        status, app = self.request("POST", "/api/v1/public/applications",
                                   dict(BUSINESS, phone_code_id=code["id"]))
        self.assertEqual(status, 201, app)
        apps = self.admin("GET", "/api/v1/applications")[1]["applications"]
        app_id = next(a["id"] for a in apps if a["number"] == app["number"])
        status, approved = self.admin("POST", f"/api/v1/applications/{app_id}/approve",
                                      {"serials": [serial], "reason": "e2e"})
        self.assertEqual(status, 200, approved)
        return approved["activation_codes"][0]["code"]

    def new_agent(self, serial, token=""):
        a = Agent(self.ws.path, self.server.url, serial, token or "x", MODEL,
                  [os.path.join(self.ws.path, "keys/release.pub")],
                  **({"ca_bundle": self.server.tls.ca_bundle} if self.server.tls else {}))
        if not token:
            a.config.pop("token")
            a.write_config()
        self.agents.append(a)
        return a

    def agent_cmd(self, agent, *args):
        return subprocess.run([binary("POSFLEET_AGENT"), "-c", agent.config_path, *args],
                              capture_output=True, text=True, timeout=60)

    def installed_cert(self, agent):
        with open(agent.config_path) as f:
            cfg = json.load(f)
        return cfg["client_cert"], cfg["client_key"]

    def registered_with_certificate(self, serial):
        """A terminal registered by the operator (token), then given a certificate
        by `posfleet-agent certificate`; the fleet lets certificates stand in for
        tokens. Its (cert, key) files."""
        token = self.cli.run("terminal", "register", "--serial", serial, "--model", MODEL,
                             "--token-only").stdout.strip()
        agent = self.new_agent(serial, token)
        p = self.agent_cmd(agent, "certificate")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.cli.run("device-auth", "--token-required", "no", "--reason", "e2e")
        return self.installed_cert(agent)

    # --- tests -----------------------------------------------------------
    def test_enrol_with_a_csr_then_poll_by_certificate_until_revoked(self):
        serial = "M50C0001"
        code = self.activation_code(serial)
        agent = self.new_agent(serial)
        p = self.agent_cmd(agent, "enroll", code)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        cert, key = self.installed_cert(agent)
        # The key was made on the terminal and stays there, readable by it alone.
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        self.assertTrue(os.path.dirname(key).startswith(agent.dir))
        subject = openssl("x509", "-in", cert, "-noout", "-subject").decode()
        self.assertIn("CN = " + serial, subject)
        with open(key) as f:
            key_pem = f.read()
        self.assertNotIn(key_pem.strip().splitlines()[1], self.server.output())
        status, listed = self.admin("GET", f"/api/v1/terminals/{serial}/certificates")
        self.assertEqual(status, 200, listed)
        self.assertEqual([c["fingerprint"] for c in listed["certificates"]], [fingerprint(cert)])

        # The token is required until an administrator makes it optional.
        status, body = self.poll(serial, cert=(cert, key))
        self.assertEqual(status, 401, body)
        self.assertIn("requires the terminal's token", body["error"]["message"])
        out = self.cli.run("device-auth", "--token-required", "no", "--reason", "mutual TLS rolled out")
        self.assertIn("may leave out", out.stdout)
        status, body = self.poll(serial, cert=(cert, key))
        self.assertEqual(status, 200, body)
        # Without the certificate (and token) the same request is refused.
        self.assertEqual(self.poll(serial)[0], 401)
        # A certificate of the right name from another CA is refused in the handshake or after.
        other = TestCA(os.path.join(self.ws.path, "other-ca"), name="someone else")
        forged = other.client_cert(serial)
        try:
            status, body = self.poll(serial, cert=forged)
            self.assertIn(status, (400, 401), body)  # the proxy path: certificate_invalid
        except (ssl.SSLError, ConnectionError):
            self.assertTrue(self.server.tls)  # HTTPS: refused in the handshake

        # The agent itself polls over HTTPS with its certificate and token.
        agent.start()
        wait_until("the enrolled agent to poll", lambda: self.admin("GET", f"/api/v1/terminals/{serial}")[1]
                   .get("last_seen"))

        # Revoked: refused at the next connection, even beside the right token.
        out = self.cli.run("terminal", "revoke-certificate", serial, "--reason", "stolen from the shop")
        token = json.load(open(agent.config_path))["token"]
        status, body = self.poll(serial, cert=(cert, key), token=token)
        self.assertEqual((status, body["error"]["code"]), (401, "certificate_revoked"), body)
        text = self.cli.run("terminal", "certificates", serial).stdout
        self.assertIn("revoked", text)
        self.assertIn("(stolen from the", text)  # the table shortens long reasons

    def test_an_enrolled_terminal_gets_a_certificate_and_retiring_revokes_it(self):
        serial = "M50C0002"
        cert, key = self.registered_with_certificate(serial)
        self.assertEqual(self.poll(serial, cert=(cert, key))[0], 200)
        self.cli.run("terminal", "retire", serial, "--reason", "returned")
        status, body = self.poll(serial, cert=(cert, key))
        self.assertEqual((status, body["error"]["code"]), (401, "certificate_revoked"), body)

    def test_a_trusted_proxys_client_cert_header_is_verified_and_anyone_elses_ignored(self):
        serial = "M50C0003"
        cert, key = self.registered_with_certificate(serial)
        # The proxy (127.0.0.1, --trusted-proxy) forwards the certificate it verified.
        status, body = self.poll(serial, cert=(cert, key), via_proxy=True)
        self.assertEqual(status, 200, body)
        # The same header from another peer is ignored: no credential at all.
        status, body = self.poll(serial, cert=(cert, key), via_proxy=True, source="127.0.0.2")
        self.assertEqual(status, 401, body)
        # A certificate of the right name the device CA did not sign is refused.
        forged = TestCA(os.path.join(self.ws.path, "proxy-ca")).client_cert(serial, name="forged")
        status, body = self.poll(serial, cert=forged, via_proxy=True)
        self.assertEqual((status, body["error"]["code"]), (400, "certificate_invalid"), body)


class DeviceIdentityTlsTest(DeviceIdentityTest):
    """The same over HTTPS: posfleetd asks TLS clients for a certificate from
    its device CA, the agent enrols with a pinned CA bundle, and the test's
    requests present the terminal's certificate in the handshake."""

    def server_tls(self):
        return TestCA(os.path.join(self.ws.path, "ca")).server_tls()


if __name__ == "__main__":
    unittest.main(verbosity=2)
