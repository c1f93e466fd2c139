"""End to end: people log in to the back office. Passwords are checked with
argon2id, failures give one generic answer and are rate-limited, sessions live
in an HttpOnly, SameSite=Strict cookie, every change needs the session's CSRF
token, sessions end on log-out, when idle and when the user is disabled, and
each role is held to what it may do. Two-factor log-in (TOTP, with codes
computed here from the secret the server showed), the password policy, the
client address on audit entries and API tokens acting under their own name."""
import base64
import hashlib
import hmac
import os
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ADMIN_PASSWORD, Browser, FleetTestCase  # noqa: E402


class LoggedIn(FleetTestCase):
    """The administrator logged in to the console at the start of each test."""

    def setUp(self):
        super().setUp()
        self.admin = Browser(self.server.url)
        status, body, set_cookie = self.admin.log_in("admin", ADMIN_PASSWORD)
        self.assertEqual(status, 200, body)
        self.set_cookie = set_cookie

    def user(self, name, role):
        status, body, _ = self.admin.request("POST", "/api/v1/users",
                                             {"name": name, "role": role, "password": f"{name}-password-1"})
        self.assertEqual(status, 201, body)
        b = Browser(self.server.url)
        self.assertEqual(b.log_in(name, f"{name}-password-1")[0], 200)
        return b


class AccountsTest(LoggedIn, unittest.TestCase):

    def test_the_first_administrator_logs_in_with_a_safe_cookie(self):
        self.assertIn('created the back-office user "admin"', self.server.output())
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(flag, self.set_cookie)
        status, me, _ = self.admin.request("GET", "/api/v1/session")
        self.assertEqual((status, me["name"], me["role"]), (200, "admin", "admin"))

    def test_wrong_names_and_passwords_get_one_answer_and_are_limited(self):
        b = Browser(self.server.url)
        s1, wrong_password, _ = b.log_in("admin", "not-the-password")
        s2, unknown_user, _ = b.log_in("nobody", "not-the-password")
        self.assertEqual((s1, s2), (401, 401))
        self.assertEqual(wrong_password, unknown_user)  # nothing tells which was wrong
        for _ in range(4):
            b.log_in("admin", "still-wrong")
        status, body, _ = b.log_in("admin", ADMIN_PASSWORD)  # even the right one, for now
        self.assertEqual(status, 429, body)
        self.assertIn("too many failed log-ins", body["error"]["message"])

    def test_every_change_needs_the_csrf_token(self):
        change = {"mode": "manual", "reason": "console test"}
        status, body, _ = self.admin.request("PUT", "/api/v1/policy", change, csrf=False)
        self.assertEqual((status, body["error"]["code"]), (403, "csrf"))
        self.assertEqual(self.cli.json("policy", "show")["effective"]["mode"], "auto")
        status, body, _ = self.admin.request("PUT", "/api/v1/policy", change)
        self.assertEqual(status, 200, body)
        self.assertEqual(self.cli.json("policy", "show")["effective"]["mode"], "manual")

    def test_each_role_is_held_to_what_it_may_do(self):
        auditor, support, manager = self.user("ann", "auditor"), self.user("sam", "support"), self.user("rita", "release_manager")
        change = {"mode": "never", "reason": "x"}
        self.assertEqual(auditor.request("PUT", "/api/v1/policy", change)[0], 403)
        self.assertEqual(support.request("PUT", "/api/v1/policy", change)[0], 403)
        self.assertEqual(manager.request("PUT", "/api/v1/policy", change)[0], 200)
        self.assertEqual(manager.request("PUT", "/api/v1/policy", {"locked": True, "lock_reason": "x", "reason": "x"})[0], 403)
        self.assertEqual(auditor.request("GET", "/api/v1/audit")[0], 200)
        self.assertEqual(support.request("GET", "/api/v1/audit")[0], 403)
        self.assertEqual(support.request("GET", "/api/v1/support/tickets")[0], 200)
        self.assertEqual(manager.request("GET", "/api/v1/users")[0], 403)
        self.assertEqual(auditor.request("POST", "/api/v1/users", {"name": "eve", "role": "admin", "password": "x" * 12})[0], 403)
        # Who did what is audited under the person's name.
        audit = self.admin.request("GET", "/api/v1/audit")[1]["entries"]
        self.assertIn(("policy.change", "rita", "console"), [(e["action"], e["actor"], e["path"]) for e in audit])

    def test_sessions_end_on_log_out_and_when_the_user_is_disabled(self):
        b = self.user("lee", "auditor")
        self.assertEqual(b.request("DELETE", "/api/v1/session")[0], 200)
        self.assertEqual(b.request("GET", "/api/v1/session")[0], 401)

        kept = self.user("kim", "auditor")
        status, body, _ = self.admin.request("PUT", "/api/v1/users/kim", {"disabled": True})
        self.assertEqual(status, 200, body)
        self.assertEqual(kept.request("GET", "/api/v1/session")[0], 401)
        self.assertEqual(Browser(self.server.url).log_in("kim", "kim-password-1")[0], 401)


class SessionIdleTest(LoggedIn, unittest.TestCase):
    """Sessions idle for 3 s end. A server of its own: with so short a limit, the other tests'
    sessions would end while argon2 hashes a new user's password on a busy machine."""
    SERVER_ARGS = ("--session-idle-seconds", "3")

    def test_a_session_ends_when_idle(self):
        idle = self.user("ida", "auditor")  # the administrator logged in just before
        self.assertEqual(idle.request("GET", "/api/v1/session")[0], 200)
        time.sleep(4.5)  # idle limit is 3 s here
        self.assertEqual(idle.request("GET", "/api/v1/session")[0], 401)
        self.assertEqual(self.admin.request("GET", "/api/v1/session")[0], 401)  # the administrator's too
        self.assertEqual(self.admin.log_in("admin", ADMIN_PASSWORD)[0], 200)
        self.assertEqual(self.admin.request("GET", "/api/v1/session")[0], 200)


def totp(secret_base32, at=None, step_offset=0):
    """RFC 6238 (SHA-1, 6 digits, 30 s), written here independently of the server."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // 30) + step_offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000
    return f"{code:06d}"


class TwoFactorTest(FleetTestCase, unittest.TestCase):
    """TOTP log-in and the audit trail, through a posfleetd that trusts a proxy
    on 127.0.0.1 (so X-Forwarded-For names the client)."""
    SERVER_ARGS = ("--trusted-proxy", "127.0.0.1")

    def setUp(self):
        super().setUp()
        self.admin = Browser(self.server.url)
        self.assertEqual(self.admin.log_in("admin", ADMIN_PASSWORD)[0], 200)

    def log_in(self, name, password, code=None, address="192.0.2.10"):
        b = Browser(self.server.url)
        body = {"name": name, "password": password}
        if code is not None:
            body["code"] = code
        conn_headers = {"X-Forwarded-For": address}
        status, answer, set_cookie = request_with_headers(b, "POST", "/api/v1/session", body, conn_headers)
        if status == 200:
            b.cookie = set_cookie.split(";")[0]
            b.csrf = answer["csrf"]
        return status, answer, b

    def enrol(self, b):
        status, secret, _ = b.request("POST", "/api/v1/session/totp")
        self.assertEqual(status, 200, secret)
        self.assertTrue(secret["uri"].startswith("otpauth://totp/posfleet:"), secret)
        self.assertIn("secret=" + secret["secret"], secret["uri"])
        status, body, _ = b.request("POST", "/api/v1/session/totp/confirm", {"code": totp(secret["secret"])})
        self.assertEqual(status, 200, body)
        return secret["secret"]

    def test_totp_log_in_with_a_code_computed_here_each_code_once(self):
        status, body, _ = self.admin.request("POST", "/api/v1/users",
                                             {"name": "tom", "role": "auditor", "password": "tom-long-password"})
        self.assertEqual(status, 201, body)
        status, _, tom = self.log_in("tom", "tom-long-password")
        self.assertEqual(status, 200)
        secret = self.enrol(tom)

        status, body, _ = self.log_in("tom", "tom-long-password")
        self.assertEqual((status, body["error"]["code"]), (401, "totp_required"), body)
        status, body, _ = self.log_in("tom", "wrong-password-here", code=totp(secret, step_offset=1))
        self.assertEqual((status, body["error"]["code"]), (401, "unauthorized"), "the password first")
        code = totp(secret, step_offset=1)  # the set-up used this step's code
        status, body, tom = self.log_in("tom", "tom-long-password", code=code)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["totp"])
        self.assertEqual(tom.request("GET", "/api/v1/audit")[0], 200)
        status, body, _ = self.log_in("tom", "tom-long-password", code=code)
        self.assertEqual((status, body["error"]["code"]), (401, "totp_wrong"), "a replayed code is refused")

        # The administrator resets it (lost phone): audited with the reason, sessions end.
        status, body, _ = self.admin.request("POST", "/api/v1/users/tom/totp/reset", {"reason": "lost phone"})
        self.assertEqual(status, 200, body)
        self.assertEqual(tom.request("GET", "/api/v1/session")[0], 401)
        self.assertEqual(self.log_in("tom", "tom-long-password")[0], 200)

        entries = self.cli.json("audit", "list", "--actor", "tom")["entries"]
        actions = [e["action"] for e in entries]
        for a in ("user.totp_enrol", "login.totp_failed", "login.ok"):
            self.assertIn(a, actions)
        # Log-ins came through the proxy from 192.0.2.10; the set-up straight from 127.0.0.1.
        logins = [e for e in entries if e["action"].startswith("login.")]
        self.assertTrue(logins and all(e["address"] == "192.0.2.10" for e in logins), entries)
        self.assertEqual(next(e for e in entries if e["action"] == "user.totp_enrol")["address"], "127.0.0.1")

    def test_administrators_must_set_it_up_when_the_fleet_requires_it(self):
        self.cli.run("user", "totp-required", "on")
        status, body, _ = self.admin.request("POST", "/api/v1/users",
                                             {"name": "ada", "role": "admin", "password": "ada-long-password"})
        self.assertEqual(status, 403, "the logged-in administrator has no TOTP either")
        self.assertEqual(body["error"]["code"], "totp_enrol_required")
        status, me, _ = self.admin.request("GET", "/api/v1/session")
        self.assertEqual((status, me["totp_enrol_required"]), (200, True))
        self.enrol(self.admin)
        status, body, _ = self.admin.request("POST", "/api/v1/users",
                                             {"name": "ada", "role": "admin", "password": "ada-long-password"})
        self.assertEqual(status, 201, body)

    def test_the_password_policy_is_enforced_with_clear_words(self):
        for password, words in (("short-pw", "at least 12"), ("x" * 129, "at most 128"),
                                ("Password1234", "too common"), ("Pat.Smith", "at least 12"),
                                ("pat.smith.xyz", "user name")):
            name = "pat.smith.xyz" if words == "user name" else "pat"
            status, body, _ = self.admin.request("POST", "/api/v1/users",
                                                 {"name": name, "role": "auditor", "password": password})
            self.assertEqual((status, body["error"]["code"]), (400, "weak_password"), password)
            self.assertIn(words, body["error"]["message"])
        status, body, _ = self.admin.request("POST", "/api/v1/users",
                                             {"name": "pat", "role": "auditor", "password": "correct horse battery"})
        self.assertEqual(status, 201, body)

    def test_audit_entries_say_where_from_and_tokens_act_under_their_own_name(self):
        status, body, _ = request_with_headers(self.admin, "PUT", "/api/v1/settings/accounts",
                                               {"totp_required_for_admins": False},
                                               {"X-Forwarded-For": "203.0.113.5, 198.51.100.77"})
        self.assertEqual(status, 200, body)
        self.cli.run("policy", "set", "--mode", "manual", "--reason", "from the CLI's token")
        entries = self.cli.json("audit", "list", "--limit", "10")["entries"]
        by_cli = next(e for e in entries if e["action"] == "policy.change")
        self.assertEqual((by_cli["actor"], by_cli["actor_kind"]), ("token:admin", "token"),
                         "the bootstrap token, not the admin user")
        self.assertEqual(by_cli["address"], "127.0.0.1")
        setting = next(e for e in entries if e["action"] == "settings.totp_required")
        self.assertEqual((setting["actor"], setting["address"]), ("admin", "198.51.100.77"))
        text = self.cli.run("audit", "list", "--limit", "5").stdout
        self.assertIn("token:admin", text)
        self.assertIn("127.0.0.1", text)
        status, csv, _ = self.admin.request("GET", "/api/v1/audit/export?format=csv")
        self.assertEqual(status, 200)
        self.assertIn("actor_kind,address,path", csv.splitlines()[0])
        self.assertIn('"198.51.100.77"', csv)
        self.assertIn("audit log intact", self.cli.run("audit", "verify").stdout)


def request_with_headers(browser, method, path, body, extra_headers):
    """Browser.request with extra headers (a proxy's X-Forwarded-For)."""
    import http.client
    import json
    conn = http.client.HTTPConnection(browser.host, browser.port, timeout=30)
    headers = {"Content-Type": "application/json", **extra_headers}
    if browser.cookie:
        headers["Cookie"] = browser.cookie
    if browser.csrf:
        headers["X-CSRF-Token"] = browser.csrf
    conn.request(method, path, body=json.dumps(body), headers=headers)
    r = conn.getresponse()
    data = r.read()
    set_cookie = r.getheader("Set-Cookie")
    conn.close()
    return r.status, json.loads(data) if data else None, set_cookie


if __name__ == "__main__":
    unittest.main(verbosity=2)
