"""End to end: every management route against every role, logged in through
the back office's session cookie. The table below is the specification: who
may call what. A role that may not is answered 403 "forbidden" before anything
happens; one that may is never answered 401 or 403 "forbidden". Nobody logged in gets 401,
and a change without the session's CSRF token gets 403 "csrf"."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ADMIN_PASSWORD, Browser, FleetTestCase  # noqa: E402

ROLES = ("admin", "release_manager", "support", "auditor")
EVERYONE = set(ROLES)
RELEASES = {"admin", "release_manager"}  # releases, deployments, terminals, policy
SUPPORT = {"admin", "support"}
AUDIT = {"admin", "auditor"}
ADMIN = {"admin"}

SHA = "0" * 64

# (method, path, body, roles that may).
ROUTES = [
    ("GET", "/api/v1/session", None, EVERYONE),
    ("GET", "/api/v1/status", None, EVERYONE),
    ("GET", "/api/v1/overview", None, EVERYONE),
    ("GET", "/api/v1/terminals", None, EVERYONE),
    ("GET", "/api/v1/terminals/PERM0001", None, EVERYONE),
    ("POST", "/api/v1/terminals", {"serial": "", "model": ""}, RELEASES),
    ("PUT", "/api/v1/terminals/PERM0001/group", {"group": "north", "reason": "permissions"}, RELEASES),
    ("GET", "/api/v1/releases", None, EVERYONE),
    ("GET", "/api/v1/releases/9.9.9", None, EVERYONE),
    ("POST", "/api/v1/releases", {}, RELEASES),
    ("PUT", "/api/v1/releases/9.9.9/deadline", {"deadline": "", "reason": "permissions"}, RELEASES),
    ("GET", f"/api/v1/artifacts/{SHA}", None, EVERYONE),
    ("PUT", f"/api/v1/artifacts/{SHA}", None, RELEASES),
    ("GET", "/api/v1/deployments", None, EVERYONE),
    ("GET", "/api/v1/deployments/999", None, EVERYONE),
    ("POST", "/api/v1/deployments", {"release": "9.9.9", "terminal": "PERM0001"}, RELEASES),
    ("POST", "/api/v1/deployments/999/cancel", {}, RELEASES),
    ("GET", "/api/v1/policy", None, EVERYONE),
    ("POST", "/api/v1/policy/preview", {"scope": "fleet", "key": "", "patch": {"mode": "manual"}}, EVERYONE),
    ("POST", "/api/v1/policy/bulk", {"filter": {"q": "NOMATCH"}, "patch": {"mode": "manual"}, "reason": "x"}, RELEASES),
    ("POST", "/api/v1/deployments/preview", {"release": "9.9.9", "group": "north"}, EVERYONE),
    ("GET", "/api/v1/releases/9.9.9/progress", None, EVERYONE),
    ("PUT", "/api/v1/policy", {"terminal": "PERM0001", "mode": "manual", "reason": "permissions"}, RELEASES),
    ("PUT", "/api/v1/policy", {"terminal": "PERM0001", "locked": True, "lock_reason": "x", "reason": "x"}, ADMIN),
    ("GET", "/api/v1/support/tickets", None, SUPPORT),
    ("POST", "/api/v1/support/tickets/999/close", {"note": "permissions"}, SUPPORT),
    ("POST", "/api/v1/support/verifications", {"merchant": 999, "legal_name": "x", "id_last4": "1234"}, SUPPORT),
    ("POST", "/api/v1/support/verifications/999/code", {"code": "000000"}, SUPPORT),
    ("POST", "/api/v1/support/verifications/999/policy", {"mode": "never", "reason": "x"}, SUPPORT),
    ("GET", "/api/v1/merchants/999", None, SUPPORT),
    ("POST", "/api/v1/merchants", {}, ADMIN),
    ("POST", "/api/v1/merchants/999/terminals", {"serial": "PERM0001"}, ADMIN),
    ("GET", "/api/v1/audit", None, AUDIT),
    ("GET", "/api/v1/audit/export?format=csv", None, AUDIT),
    ("GET", "/api/v1/audit/verify", None, AUDIT),
    ("POST", "/api/v1/tokens/999/revoke", {"reason": "permissions"}, ADMIN),
    ("POST", "/api/v1/terminals/NOPE0001/retire", {"reason": "permissions"}, ADMIN),
    ("POST", "/api/v1/terminals/NOPE0001/rotate-token", {"reason": "permissions"}, RELEASES),
    ("GET", "/api/v1/support/tickets/999", None, SUPPORT),
    ("POST", "/api/v1/support/tickets/999/notes", {"text": "permissions"}, SUPPORT),
    ("GET", "/api/v1/merchants?q=zz", None, SUPPORT),
    ("GET", "/api/v1/users", None, ADMIN),
    ("POST", "/api/v1/users", {"name": "", "role": "auditor", "password": ""}, ADMIN),
    ("PUT", "/api/v1/users/nobody", {"role": "auditor"}, ADMIN),
    ("GET", "/api/v1/tokens", None, ADMIN),
    ("POST", "/api/v1/tokens", {"name": "", "role": "auditor"}, ADMIN),
    ("GET", "/api/v1/sms/outbox", None, ADMIN),
    ("GET", "/api/v1/applications", None, ADMIN),
    ("GET", "/api/v1/applications/999", None, ADMIN),
    ("POST", "/api/v1/applications/999/verify", {}, ADMIN),
    ("POST", "/api/v1/applications/999/approve", {"serials": ["X"], "reason": "x"}, ADMIN),
    ("POST", "/api/v1/applications/999/reject", {"reason": "x"}, ADMIN),
    ("POST", "/api/v1/applications/999/activation-codes", {"serial": "X", "reason": "x"}, ADMIN),
    ("POST", "/api/v1/applications/999/shipping", {"carrier": "x", "tracking": "y"}, ADMIN),
]


class PermissionsTest(FleetTestCase, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.cli.run("terminal", "register", "--serial", "PERM0001", "--model", "A920")
        self.sessions = {"admin": Browser(self.server.url)}
        self.assertEqual(self.sessions["admin"].log_in("admin", ADMIN_PASSWORD)[0], 200)
        for role in ROLES[1:]:
            name = role.replace("_", "")
            status, body, _ = self.sessions["admin"].request(
                "POST", "/api/v1/users", {"name": name, "role": role, "password": f"{name}-password-1"})
            self.assertEqual(status, 201, body)
            self.sessions[role] = Browser(self.server.url)
            self.assertEqual(self.sessions[role].log_in(name, f"{name}-password-1")[0], 200)

    def test_each_role_gets_exactly_what_the_table_gives_it(self):
        def effective():
            return self.cli.json("policy", "show", "--terminal", "PERM0001")["effective"]

        checked = 0
        for role in ("auditor", "support", "release_manager", "admin"):
            for method, path, body, allowed in ROUTES:
                with self.subTest(role=role, route=f"{method} {path}"):
                    status, answer, _ = self.sessions[role].request(method, path, body)
                    if role in allowed:  # may be refused for what it asked, never for who asked
                        self.assertNotEqual(status, 401, answer)
                        if status == 403:
                            self.assertNotIn(answer["error"]["code"], ("forbidden", "csrf"), answer)
                    else:
                        self.assertEqual((status, answer["error"]["code"]), (403, "forbidden"), answer)
                    checked += 1
            # Nothing a refused role asked for happened.
            if role in ("auditor", "support"):
                self.assertEqual((effective()["mode"], effective()["locked"]), ("auto", False))
            if role == "release_manager":
                self.assertEqual((effective()["mode"], effective()["locked"]), ("manual", False))
        self.assertEqual(checked, len(ROUTES) * len(ROLES))
        self.assertTrue(effective()["locked"])  # the administrator's lock did happen

    def test_nobody_logged_in_gets_401_everywhere(self):
        anonymous = Browser(self.server.url)
        for method, path, body, _ in ROUTES:
            with self.subTest(route=f"{method} {path}"):
                status, answer, _ = anonymous.request(method, path, body)
                self.assertEqual((status, answer["error"]["code"]), (401, "unauthorized"), answer)

    def test_every_change_without_the_csrf_token_is_refused(self):
        admin = self.sessions["admin"]
        for method, path, body, _ in ROUTES:
            if method == "GET":
                continue
            with self.subTest(route=f"{method} {path}"):
                status, answer, _ = admin.request(method, path, body, csrf=False)
                self.assertEqual((status, answer["error"]["code"]), (403, "csrf"), answer)
        self.assertEqual(self.cli.json("policy", "show", "--terminal", "PERM0001")["effective"]["mode"], "auto")


if __name__ == "__main__":
    unittest.main(verbosity=2)
