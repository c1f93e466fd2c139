"""End to end: people log in to the back office. Passwords are checked with
argon2id, failures give one generic answer and are rate-limited, sessions live
in an HttpOnly, SameSite=Strict cookie, every change needs the session's CSRF
token, sessions end on log-out, when idle and when the user is disabled, and
each role is held to what it may do."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ADMIN_PASSWORD, Browser, FleetTestCase  # noqa: E402


class AccountsTest(FleetTestCase, unittest.TestCase):
    SERVER_ARGS = ("--session-idle-seconds", "3")

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

    def test_sessions_end_on_log_out_when_idle_and_when_disabled(self):
        b = self.user("lee", "auditor")
        self.assertEqual(b.request("DELETE", "/api/v1/session")[0], 200)
        self.assertEqual(b.request("GET", "/api/v1/session")[0], 401)

        idle = self.user("ida", "auditor")
        self.assertEqual(idle.request("GET", "/api/v1/session")[0], 200)
        time.sleep(4.5)  # idle limit is 3 s here
        self.assertEqual(idle.request("GET", "/api/v1/session")[0], 401)
        self.assertEqual(self.admin.request("GET", "/api/v1/session")[0], 401)  # the administrator's too
        self.assertEqual(self.admin.log_in("admin", ADMIN_PASSWORD)[0], 200)

        kept = self.user("kim", "auditor")
        status, body, _ = self.admin.request("PUT", "/api/v1/users/kim", {"disabled": True})
        self.assertEqual(status, 200, body)
        self.assertEqual(kept.request("GET", "/api/v1/session")[0], 401)
        self.assertEqual(Browser(self.server.url).log_in("kim", "kim-password-1")[0], 401)


if __name__ == "__main__":
    unittest.main(verbosity=2)
