"""End to end: applying for a terminal, through real posfleetd and
posfleet-agent processes. An applicant verifies their phone, is told field by
field what is wrong, submits, and follows the status; staff approve (merchant,
serial, activation code) and ship, or reject with a reason the applicant is
told; the agent enrols with the code and then polls as itself under that
merchant. Duplicate applications and reused, foreign or expired codes are
refused. The resident ID and card number appear in plain nowhere: not in the
database files, the server's log, the SMS outbox or any API response. The
secret key can be rotated, also after an interruption, and old values still
open."""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, FleetTestCase, binary, wait_until  # noqa: E402
from receiver import Receiver  # noqa: E402
import subprocess  # noqa: E402

RESIDENT_ID = "110101199003074477"
CARD = "6228480402564890018"
HOOK_SECRET = "SECrotate-webhook-secret-0123456789"
BUSINESS = {"kind": "business", "legal_name": "张三", "resident_id": RESIDENT_ID, "business_name": "张三小吃店",
            "credit_code": "91350100M000100Y43", "phone": "138 0013 8000", "card": "6228 4804 0256 4890 018",
            "bank": "中国农业银行", "address": "北京市东城区东四北大街 1 号", "model": "M50"}


class OnboardingTest(FleetTestCase, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.responses = []  # every body an API answered, for the plain-number search

    # --- helpers ---------------------------------------------------------
    def call(self, method, path, body=None, admin=False, forwarded_for=None):
        headers = {"Content-Type": "application/json"}
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        if admin:
            headers["Authorization"] = "Bearer e2e-admin-token"
        req = urllib.request.Request(self.server.url + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        self.responses.append(text)
        return status, (json.loads(text) if text else None)

    def sms_to(self, phone):
        with open(os.path.join(self.server.data_dir, "sms-outbox.jsonl")) as f:
            return [json.loads(line)["text"] for line in f if json.loads(line)["to"] == phone]

    def verified_phone(self, phone="13800138000"):
        status, code = self.call("POST", "/api/v1/public/phone-codes", {"phone": phone})
        self.assertEqual(status, 201, code)
        text = self.sms_to(phone)[-1]
        digits = text.split("验证码 ")[1][:6]
        status, body = self.call("POST", f"/api/v1/public/phone-codes/{code['id']}/confirm", {"code": digits})
        self.assertEqual(status, 200, body)
        return code["id"]

    def apply(self, **changes):
        form = dict(BUSINESS, **changes)
        if "phone_code_id" not in form:
            form["phone_code_id"] = self.verified_phone(form["phone"].replace(" ", ""))
        return self.call("POST", "/api/v1/public/applications", form)

    def application_id(self, number):
        apps = self.call("GET", "/api/v1/applications", admin=True)[1]["applications"]
        return next(a["id"] for a in apps if a["number"] == number)

    def new_agent(self, serial, token=""):
        a = Agent(self.ws.path, self.server.url, serial, token, "M50", [os.path.join(self.ws.path, "keys/release.pub")])
        if not token:
            a.config.pop("token")
            a.write_config()
        self.agents.append(a)
        return a

    def enroll(self, agent, code):
        return subprocess.run([binary("POSFLEET_AGENT"), "-c", agent.config_path, "enroll", code],
                              capture_output=True, text=True, timeout=30)

    # --- tests -----------------------------------------------------------
    def test_apply_approve_ship_enroll_and_nothing_leaks(self):
        # The phone code: a wrong one says how many tries are left.
        status, code = self.call("POST", "/api/v1/public/phone-codes", {"phone": "13800138000"})
        self.assertEqual(status, 201, code)
        status, body = self.call("POST", f"/api/v1/public/phone-codes/{code['id']}/confirm", {"code": "000000"})
        self.assertEqual((status, body["error"]["code"]), (400, "wrong_code"))
        self.assertIn("4 tries left", body["error"]["message"])
        status, body = self.call("POST", "/api/v1/public/phone-codes", {"phone": "13800138000"})
        self.assertEqual(status, 429, body)  # one code a minute
        digits = self.sms_to("13800138000")[-1].split("验证码 ")[1][:6]
        status, body = self.call("POST", f"/api/v1/public/phone-codes/{code['id']}/confirm", {"code": digits})
        self.assertEqual(status, 200, body)

        # Every field that is wrong is named, with why; nothing is stored.
        status, body = self.apply(resident_id="110101199003074478", credit_code="91350100M000100Y44",
                                  card="6228480402564890081", bank="", model="X1", phone_code_id=0)
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["fields"], {"resident_id": "check_character", "credit_code": "check_character",
                                                   "card": "check_character", "bank": "required",
                                                   "model": "unknown_model", "phone": "not_verified"})
        self.assertEqual(self.call("GET", "/api/v1/applications", admin=True)[1]["applications"], [])

        status, submitted = self.apply(phone_code_id=code["id"])
        self.assertEqual((status, submitted["status"]), (201, "submitted"), submitted)
        status, body = self.apply(phone_code_id=code["id"], resident_id=self.with_check("11010119900307448"))
        self.assertEqual(body["error"]["fields"], {"phone": "not_verified"})  # a code carries one application
        number = submitted["number"]
        self.assertIn(number, self.sms_to("13800138000")[-1])
        # The same person cannot apply twice while one application is live.
        status, body = self.apply(phone="13900139000")
        self.assertEqual(status, 409, body)
        self.assertIn("already in progress", body["error"]["message"])

        # Status: only with the right number and phone.
        self.assertEqual(self.call("POST", "/api/v1/public/applications/status",
                                   {"number": number, "phone": "13900139000"})[0], 404)
        status, s = self.call("POST", "/api/v1/public/applications/status", {"number": number, "phone": "13800138000"})
        self.assertEqual((status, s["status"]), (200, "submitted"))

        # Staff see masks and the provider's answers, which say they checked the format only.
        app_id = self.application_id(number)
        status, a = self.call("GET", f"/api/v1/applications/{app_id}", admin=True)
        self.assertEqual((a["resident_id"], a["card"], a["phone"]),
                         ("110101************", "6228 **** **** **** 0018", "138****8000"))
        self.assertEqual(a["checks"]["provider"], "format-only")
        self.assertTrue(all(c["outcome"] in ("format_only", "pass") for c in a["checks"]["items"]), a["checks"])
        status, a = self.call("POST", f"/api/v1/applications/{app_id}/verify", {}, admin=True)
        self.assertEqual(status, 200, a)

        # Approve: a merchant, a terminal and its activation code (shown once).
        status, body = self.call("POST", f"/api/v1/applications/{app_id}/approve", {"serials": [], "reason": "x"},
                                 admin=True)
        self.assertEqual(status, 400, body)
        # A bad serial or no reason is refused before anything is created.
        for refused in ({"serials": ["M50A0001", "bad serial"], "reason": "资料齐全"},
                        {"serials": ["M50A0001"], "reason": " "}):
            status, body = self.call("POST", f"/api/v1/applications/{app_id}/approve", refused, admin=True)
            self.assertEqual((status, body["error"]["code"]), (400, "invalid_argument"), body)
        self.assertEqual(self.call("GET", "/api/v1/terminals/M50A0001", admin=True)[0], 404)
        self.assertEqual(self.call("GET", "/api/v1/merchants?q=" + urllib.parse.quote("张三"), admin=True)[1]["merchants"], [])
        status, approved = self.call("POST", f"/api/v1/applications/{app_id}/approve",
                                     {"serials": ["M50A0001"], "reason": "资料齐全"}, admin=True)
        self.assertEqual((status, approved["status"]), (200, "approved"), approved)
        code = approved["activation_codes"][0]["code"]
        merchant = approved["merchant_id"]
        self.assertIn("已通过审核", self.sms_to("13800138000")[-1])
        status, shipped = self.call("POST", f"/api/v1/applications/{app_id}/shipping",
                                    {"carrier": "顺丰", "tracking": "SF1234567890"}, admin=True)
        self.assertEqual((status, shipped["status"]), (200, "shipped"), shipped)
        self.assertIn("SF1234567890", self.sms_to("13800138000")[-1])
        s = self.call("POST", "/api/v1/public/applications/status", {"number": number, "phone": "13800138000"})[1]
        self.assertEqual((s["status"], s["carrier"], s["tracking"]), ("shipped", "顺丰", "SF1234567890"))

        # A terminal that is not enrolled says what to do; the code of another terminal is refused.
        terminal = self.new_agent("M50A0001")
        p = subprocess.run([binary("POSFLEET_AGENT"), "-c", terminal.config_path, "run"], capture_output=True,
                           text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("posfleet-agent enroll", p.stderr)
        stranger = self.new_agent("M50A9999")
        p = self.enroll(stranger, code)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("for another terminal", p.stderr)
        # The right serial on another model (the wrong unit shipped) is refused too, and keeps the code.
        terminal.write_config(model="S90")
        p = self.enroll(terminal, code)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("registered as a M50", p.stderr)
        terminal.write_config(model="M50")

        p = self.enroll(terminal, code.lower().replace("-", " "))  # as a person might type it
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("激活成功", p.stdout)
        with open(terminal.config_path) as f:
            self.assertTrue(json.load(f)["token"])
        self.assertEqual(os.stat(terminal.config_path).st_mode & 0o777, 0o600)
        terminal.start()
        wait_until("the enrolled terminal to poll",
                   lambda: self.call("GET", "/api/v1/terminals/M50A0001", admin=True)[1]["last_seen"])
        listed = self.call("GET", f"/api/v1/terminals?merchant={merchant}", admin=True)[1]["terminals"]
        self.assertEqual([(t["serial"], t["merchant"]) for t in listed], [("M50A0001", "张三")])
        status, s = self.call("POST", "/api/v1/public/applications/status", {"number": number, "phone": "13800138000"})
        self.assertEqual(s["status"], "activated")

        # The code worked once; a second terminal cannot reuse it.
        again = self.new_agent("M50A0001-copy")
        again.config["terminal"] = "M50A0001"
        again.write_config()
        p = self.enroll(again, code)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("already been used", p.stderr)

        # The support flow can verify this merchant (name + last 4 of the ID + SMS code).
        status, v = self.call("POST", "/api/v1/support/verifications",
                              {"terminal": "M50A0001", "legal_name": "张三", "id_last4": "4477"}, admin=True)
        self.assertEqual(status, 201, v)
        # The desk never shows the last 4 characters it asks the caller for.
        found = self.call("GET", "/api/v1/merchants?q=" + urllib.parse.quote("张三"), admin=True)[1]["merchants"]
        self.assertEqual([m["resident_id"] for m in found], ["110101************"])

        # Audited, with masks only.
        audit = self.call("GET", "/api/v1/audit", admin=True)[1]["entries"]
        actions = [e["action"] for e in audit]
        for action in ("application.submit", "application.approve", "application.ship", "terminal.enroll"):
            self.assertIn(action, actions)
        self.assert_no_plain_numbers()

    def test_enrolment_reads_no_endless_reply(self):
        # A server (or what answers in its place) that sends a body without end:
        # enrol stops at the terminal's reply cap instead of buffering it all.
        import http.server
        import threading
        sent = []

        class Endless(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"[" * 65536
                try:
                    for _ in range(1024):  # 64 MiB at most: the test stays bounded
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        sent.append(len(chunk))
                except OSError:
                    pass  # the terminal hung up: what we want

            def log_message(self, *args):
                pass
        hostile = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
        threading.Thread(target=hostile.serve_forever, daemon=True).start()
        try:
            terminal = self.new_agent("M50A0077")
            terminal.write_config(server=f"http://127.0.0.1:{hostile.server_address[1]}")
            p = self.enroll(terminal, "ABCD-EFGH")
        finally:
            hostile.shutdown()
            hostile.server_close()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(str(4 << 20) + " bytes allowed", p.stderr)
        self.assertLess(sum(sent), 64 << 20)
        with open(terminal.config_path) as f:
            self.assertNotIn("token", json.load(f))

    def test_rejected_applications_are_told_why_and_may_apply_again(self):
        status, submitted = self.apply(kind="individual", business_name="", credit_code="", phone="13700137000")
        self.assertEqual(status, 201, submitted)
        app_id = self.application_id(submitted["number"])
        status, body = self.call("POST", f"/api/v1/applications/{app_id}/reject", {"reason": " "}, admin=True)
        self.assertEqual(status, 400, body)
        status, rejected = self.call("POST", f"/api/v1/applications/{app_id}/reject",
                                     {"reason": "地址不完整，请补充门牌号"}, admin=True)
        self.assertEqual((status, rejected["status"]), (200, "rejected"))
        self.assertIn("地址不完整", self.sms_to("13700137000")[-1])
        s = self.call("POST", "/api/v1/public/applications/status",
                      {"number": submitted["number"], "phone": "13700137000"})[1]
        self.assertEqual((s["status"], s["reason"]), ("rejected", "地址不完整，请补充门牌号"))
        # A rejected application can be followed by a new one; it cannot be approved any more.
        status, body = self.call("POST", f"/api/v1/applications/{app_id}/approve",
                                 {"serials": ["X1"], "reason": "x"}, admin=True)
        self.assertEqual(status, 409, body)
        time.sleep(0)  # the next code is for another number, so the one-a-minute rule does not apply
        status, again = self.apply(kind="individual", business_name="", credit_code="", phone="13600136000")
        self.assertEqual(status, 201, again)
        self.assert_no_plain_numbers()

    def test_an_expired_code_is_refused_and_an_underage_applicant_is_named(self):
        status, body = self.apply(resident_id="110101201801010000", phone="13500135000")
        self.assertEqual(status, 400)
        self.assertIn(body["error"]["fields"]["resident_id"], ("underage", "check_character"))
        # 110101201801010011 is well formed: born 2018, so under 18.
        status, body = self.apply(resident_id=self.with_check("11010120180101001"), phone="13500135001")
        self.assertEqual(body["error"]["fields"], {"resident_id": "underage"})

        status, submitted = self.apply(phone="13400134000")
        app_id = self.application_id(submitted["number"])
        approved = self.call("POST", f"/api/v1/applications/{app_id}/approve",
                             {"serials": ["M50B0001"], "reason": "ok"}, admin=True)[1]
        code = approved["activation_codes"][0]["code"]
        self.server.sql("UPDATE activations SET expires = 1")
        unit = self.new_agent("M50B0001")
        p = self.enroll(unit, code)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("expired", p.stderr)
        # Staff issue a new code (with a reason); it works, and a replaced one says so.
        path = f"/api/v1/applications/{app_id}/activation-codes"
        self.assertEqual(self.call("POST", path, {"serial": "M50B0001", "reason": " "}, admin=True)[0], 400)
        self.assertEqual(self.call("POST", path, {"serial": "NOT-HERS", "reason": "x"}, admin=True)[0], 404)
        first = self.call("POST", path, {"serial": "M50B0001", "reason": "slip lost"}, admin=True)[1]["code"]
        second = self.call("POST", path, {"serial": "M50B0001", "reason": "slip lost again"}, admin=True)[1]["code"]
        p = self.enroll(unit, first)
        self.assertIn("replaced by a newer one", p.stderr)
        p = self.enroll(unit, second)
        self.assertEqual(p.returncode, 0, p.stderr)
        activations = self.call("GET", f"/api/v1/applications/{app_id}", admin=True)[1]["activations"]
        self.assertEqual([(a["replaced"], a["used"] is not None) for a in activations],
                         [(True, False), (True, False), (False, True)])  # the expired one is replaced too

    def test_the_secret_key_rotates_and_old_values_still_open(self):
        status, submitted = self.apply(phone="13300133000")
        self.assertEqual(status, 201, submitted)
        key_file = os.path.join(self.server.data_dir, "secret.key")
        with open(key_file, "rb") as f:
            old_key = f.read()
        p = self.server.offline("rotate-secret-key")
        self.assertNotEqual(p.returncode, 0)  # not while posfleetd runs
        self.assertIn("stop it first", p.stderr)

        # A DingTalk webhook's signing secret is sealed with the same key.
        receiver = Receiver()
        self.addCleanup(receiver.stop)
        hook = self.call("POST", "/api/v1/webhooks", {
            "name": "ops", "url": receiver.url + "/ding", "format": "dingtalk",
            "events": ["rollout.paused"], "secret": HOOK_SECRET}, admin=True)[1]

        self.server.stop()
        # An interrupted rotation: the old key moved aside, the new one made, nothing re-sealed yet.
        os.rename(key_file, key_file + ".old")
        with open(key_file, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(key_file, 0o600)
        p = self.server.offline("rotate-secret-key")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("re-sealed 3 values", p.stdout)  # the application's resident ID and card, the webhook's secret
        self.assertFalse(os.path.exists(key_file + ".old"))
        with open(key_file, "rb") as f:
            self.assertNotEqual(f.read(), old_key)
        p = self.server.offline("rotate-secret-key")  # and a whole second one
        self.assertEqual(p.returncode, 0, p.stderr)

        # Without its key posfleetd will not start (a new key would leave the data unreadable).
        os.rename(key_file, key_file + ".backup")
        p = subprocess.run([binary("POSFLEETD"), *self.server.args], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("restore secret.key from your backup", p.stderr)
        os.rename(key_file + ".backup", key_file)

        self.server.restart()
        # The webhook still signs with its secret, opened with the new key.
        status, sent = self.call("POST", f"/api/v1/webhooks/{hook['id']}/test", {}, admin=True)
        self.assertEqual(status, 200, sent)
        query = receiver.to("/ding")[-1]["query"]
        ts = query["timestamp"][0]
        self.assertEqual(query["sign"][0], base64.b64encode(
            hmac.new(HOOK_SECRET.encode(), f"{ts}\n{HOOK_SECRET}".encode(), hashlib.sha256).digest()).decode())
        app_id = self.application_id(submitted["number"])
        status, a = self.call("POST", f"/api/v1/applications/{app_id}/verify", {}, admin=True)
        self.assertEqual(status, 200, a)  # opened both numbers with the new key
        status, approved = self.call("POST", f"/api/v1/applications/{app_id}/approve",
                                     {"serials": ["M50C0001"], "reason": "ok"}, admin=True)
        self.assertEqual(status, 200, approved)
        # The duplicate check still works under the new key.
        status, body = self.apply(phone="13300133001")
        self.assertEqual(status, 409, body)
        self.assert_no_plain_numbers()

    def test_routes_without_log_in_are_limited_per_address(self):
        # posfleetd here trusts no proxy, so a forged X-Forwarded-For changes nothing.
        answers = [self.call("POST", "/api/v1/public/applications/status", {"number": "PA0", "phone": "13800138000"},
                             forwarded_for=f"10.0.0.{i}")[0] for i in range(61)]
        self.assertEqual((answers[:60].count(404), answers[60]), (60, 429))

    # --- the plain-number search -----------------------------------------
    @staticmethod
    def with_check(first17):
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]

    def assert_no_plain_numbers(self):
        secrets = [RESIDENT_ID, CARD, "6228 4804 0256 4890 018"]
        files = self.server.database_files() + [
            self.server.log_path, os.path.join(self.server.data_dir, "sms-outbox.jsonl")]
        files += [a.log_path for a in self.agents if os.path.exists(a.log_path)]
        for name in ("/api/v1/applications", "/api/v1/audit", "/api/v1/terminals", "/api/v1/sms/outbox"):
            self.call("GET", name, admin=True)
        for path in files:
            with open(path, "rb") as f:
                data = f.read()
            for s in secrets:
                for form in (s.encode(), s.encode("utf-16-le")):
                    self.assertNotIn(form, data, f"{s} in plain in {path}")
        for text in self.responses:
            for s in secrets:
                self.assertNotIn(s, text)
        self.assertGreater(len(self.responses), 5)


class BehindAProxyTest(OnboardingTest):
    """posfleetd behind nginx on the same host: the limit counts each client."""
    SERVER_ARGS = ("--trusted-proxy", "127.0.0.1")

    def test_routes_without_log_in_are_limited_per_address(self):
        status = "/api/v1/public/applications/status"
        body = {"number": "PA0", "phone": "13800138000"}
        answers = [self.call("POST", status, body, forwarded_for="203.0.113.9, 10.0.0.1")[0] for _ in range(61)]
        self.assertEqual((answers[:60].count(404), answers[60]), (60, 429))
        self.assertEqual(self.call("POST", status, body, forwarded_for="10.0.0.2")[0], 404)  # another client


# The proxy case runs only its own test; the rest runs once, above.
for name in [n for n in dir(OnboardingTest) if n.startswith("test_")]:
    if name != "test_routes_without_log_in_are_limited_per_address":
        setattr(BehindAProxyTest, name, None)

if __name__ == "__main__":
    unittest.main(verbosity=2)
