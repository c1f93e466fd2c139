"""End to end: what a hostile terminal, script or browser sends is bounded and
validated (core/limits.h, docs/security.md "Limits on what clients send").

A terminal's ticket of 1,000 Chinese characters is kept whole; invalid UTF-8 in
JSON bodies, query strings and paths is refused with 400 and never echoed; a NUL
search is refused; configData and tickets are bounded; token names take no
control characters. Afterwards `posfleet audit verify` and GET
/api/v1/audit/verify both say the chain is whole, and agree. No answer holds a
byte that is not UTF-8. A log written before text was checked (an entry with
invalid bytes, chained properly) is reported by both checks alike, not a crash."""
import hashlib
import http.client
import json
import os
import sqlite3
import sys
import unittest
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BOOTSTRAP_TOKEN, ON_POSTGRES, FleetTestCase  # noqa: E402

TICKETS_PER_DAY = 20  # core/limits.h kTicketsPerDay


class HostileInputTest(FleetTestCase, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.answers = []  # every raw answer body, checked for invalid UTF-8 at the end
        self.serial = "PFH001"
        self.token = self.cli.json("terminal", "register", "--serial", self.serial, "--model", "A920")["token"]

    def send(self, method, path, body=b"", auth=None, content_type="application/json"):
        """One request with exactly these bytes; returns (status, raw body)."""
        u = urlparse(self.server.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        headers = {"Authorization": auth or "Bearer " + BOOTSTRAP_TOKEN}
        if body:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body or None, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        self.answers.append((method, path, data))
        return r.status, data

    def ddi(self, method, resource, body):
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return self.send(method, f"/DEFAULT/controller/v1/{self.serial}{resource}", raw,
                         auth="TargetToken " + self.token)

    def api(self, method, path, body=None):
        raw = body if isinstance(body, bytes) or body is None else json.dumps(body, ensure_ascii=False).encode()
        return self.send(method, path, raw or b"")

    def assert_refused(self, answer, status=400, code="invalid_argument", words=()):
        got_status, data = answer
        self.assertEqual(got_status, status, data)
        error = json.loads(data.decode("utf-8"))["error"]
        self.assertEqual(error["code"], code, error)
        for w in words:
            self.assertIn(w, error["message"])
        return error["message"]

    def assert_answers_are_utf8(self):
        for method, path, data in self.answers:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as e:
                self.fail(f"{method} {path} answered bytes that are not UTF-8: {e}")

    def both_verifications(self):
        status, data = self.api("GET", "/api/v1/audit/verify")
        self.assertEqual(status, 200, data)
        server = json.loads(data)
        cli = self.cli.run("--json", "audit", "verify", check=False)
        self.assertEqual(cli.returncode, 0, cli.stdout + cli.stderr)
        return server, json.loads(cli.stdout)

    def test_hostile_fields_are_refused_and_both_chain_checks_agree(self):
        # The ticket of issue 10: 1,000 Chinese characters (3,000 bytes) is kept whole.
        long_ticket = "打" * 1000
        status, data = self.ddi("POST", "/posfleet/tickets", {"message": long_ticket, "version": "1.0.0"})
        self.assertEqual(status, 200, data)
        ticket_id = json.loads(data)["ticket_id"]
        status, data = self.api("GET", f"/api/v1/support/tickets/{ticket_id}")
        self.assertEqual(status, 200, data)
        self.assertIn(long_ticket, data.decode("utf-8"))
        self.assert_refused(self.ddi("POST", "/posfleet/tickets", {"message": "打" * 2001}),
                            words=("message", "2000"))

        # Invalid UTF-8 in JSON bodies is refused and its bytes are not echoed.
        for resource in ("/posfleet/tickets", "/configData"):
            status, data = self.ddi("POST", resource, b'{"message":"\xe4\xb8","data":{"k":"\xff"}}')
            self.assertEqual(status, 400, data)
            self.assertNotIn(b"\xe4\xb8", data)
        status, data = self.api("POST", "/api/v1/tokens", b'{"name":"\xc0\xafroot","role":"auditor"}')
        self.assertEqual(status, 400, data)
        self.assertNotIn(b"\xc0\xaf", data)
        self.assert_refused(self.api("POST", "/api/v1/tokens", b'{"name":"x\\ud800","role":"auditor"}'),
                            code="parse")  # a lone surrogate

        # Query strings and paths: invalid UTF-8 and NUL are refused, never echoed.
        for path in ("/api/v1/merchants?q=%00%00", "/api/v1/terminals?q=%00%00", "/api/v1/terminals?q=%E4%B8",
                     "/api/v1/audit?actor=%FF%FE"):
            status, data = self.api("GET", path)
            self.assertEqual(status, 400, (path, data))
            self.assertNotIn(b"\x00", data)
        status, data = self.api("GET", "/api/v1/releases/%FF%E4%B8")
        self.assertIn(status, (400, 404), data)
        self.assert_refused(self.api("GET", "/api/v1/merchants?q=%20a%20"), words=("2",))

        # configData: bounded in value size, key count and key text.
        status, data = self.ddi("PUT", "/configData", {"data": {"blob": "A" * (4 << 20)}})
        self.assertIn(status, (400, 413), data)  # over the attribute limit, or over the body limit
        self.assert_refused(self.ddi("PUT", "/configData", {"data": {"blob": "打" * 1025}}),
                            words=("1024",))
        self.assert_refused(self.ddi("PUT", "/configData", {"data": {f"k{i}": "v" for i in range(65)}}),
                            words=("64",))
        self.assert_refused(self.ddi("PUT", "/configData", {"data": {"a\u001b[2J": "v"}}), code="parse")
        status, data = self.ddi("PUT", "/configData", {"mode": "merge", "data": {"os": "1.0.0", "型号": "A920"}})
        self.assertEqual(status, 200, data)

        # Tickets per terminal per day: a flood is turned away, each refusal said plainly.
        opened = 1
        for _ in range(TICKETS_PER_DAY + 5):
            status, data = self.ddi("POST", "/posfleet/tickets", {"message": "打印机坏了"})
            if status != 200:
                break
            opened += 1
        self.assertEqual(opened, TICKETS_PER_DAY)
        self.assert_refused((status, data), status=429, code="too_many_tickets", words=(str(TICKETS_PER_DAY),))

        # Token names: bounded, no control characters (a name becomes the audit actor).
        self.assert_refused(self.api("POST", "/api/v1/tokens", {"name": "ops\u001b[2J", "role": "auditor"}),
                            code="parse")
        self.assert_refused(self.api("POST", "/api/v1/tokens", {"name": "ops\u0085", "role": "auditor"}),
                            words=("control",))
        self.assert_refused(self.api("POST", "/api/v1/tokens", {"name": "n" * 65, "role": "auditor"}),
                            words=("name", "64"))
        status, data = self.api("POST", "/api/v1/tokens", {"name": "审计-" + "n" * 61, "role": "auditor"})
        self.assertEqual(status, 201, data)

        # Both chain checks: whole, the same count, no notice.
        server, cli = self.both_verifications()
        self.assertTrue(server["ok"], server)
        self.assertTrue(cli["ok"], cli)
        self.assertEqual(server["entries"], cli["entries"])
        self.assertEqual(server.get("invalid_text_entries", 0), 0)
        self.assert_answers_are_utf8()

    @unittest.skipIf(ON_POSTGRES, "PostgreSQL itself refuses text that is not UTF-8: no server on it "
                     "could have written such an entry")
    def test_a_log_with_text_broken_before_the_fix_is_reported_alike(self):
        self.api("POST", "/api/v1/tokens", {"name": "before-the-break", "role": "auditor"})
        self.server.stop()
        broken_id = append_broken_entry(self.server.data_dir)
        self.server.restart()
        self.cli.run("policy", "set", "--mode", "manual", "--reason", "after the break")  # the chain goes on

        server, cli = self.both_verifications()
        self.assertTrue(server["ok"], server)
        self.assertTrue(cli["ok"], cli)
        self.assertEqual(server["entries"], cli["entries"])
        self.assertEqual(server["invalid_text_entries"], 1)
        self.assertEqual(cli["invalid_text_entries"], 1)
        self.assertEqual(server["first_invalid_text_id"], broken_id)
        self.assertIn("not valid UTF-8", server["notice"])
        human = self.cli.run("audit", "verify")
        self.assertIn("not valid UTF-8", human.stdout)

        # The entry is shown with U+FFFD, its exact bytes in raw_hex.
        status, data = self.api("GET", f"/api/v1/audit?after={broken_id - 1}&limit=1")
        self.assertEqual(status, 200, data)
        entry = json.loads(data)["entries"][0]
        self.assertIn("\ufffd", entry["after"])
        self.assertEqual(bytes.fromhex(entry["raw_hex"]["after"]), "打印机坏了".encode()[:-1])
        status, data = self.api("GET", "/api/v1/audit/export?format=jsonl")
        self.assertEqual(status, 200, data)
        for line in data.decode("utf-8").splitlines():
            json.loads(line)
        self.assert_answers_are_utf8()


def append_broken_entry(data_dir):
    """Appends, as a server did before text was checked, a properly chained entry
    whose text was cut inside a character; moves the anchor with it."""
    db = sqlite3.connect(os.path.join(data_dir, "posfleet.db"))
    last_id, prev = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    e = {"id": last_id + 1, "time": 1800000000, "actor": "PFH001", "actor_kind": "terminal", "path": "terminal",
         "action": "ticket.open", "target": "ticket:1", "before": "", "after": "打印机坏了".encode()[:-1],
         "reason": ""}
    # core/json canonical(): keys sorted, no spaces, strings with their raw bytes.
    parts = []
    for k in sorted(e):
        v = e[k]
        if isinstance(v, int):
            raw = str(v).encode()
        else:
            raw = b'"' + (v if isinstance(v, bytes) else v.encode()) + b'"'
        parts.append(b'"' + k.encode() + b'":' + raw)
    canonical = b"{" + b",".join(parts) + b"}"
    digest = hashlib.sha256(prev.encode() + b"\n" + canonical).hexdigest()
    text = {k: (v.hex() if isinstance(v, bytes) else v.encode().hex()) for k, v in e.items() if k not in ("id", "time")}
    db.execute(
        "INSERT INTO audit_log (id, time, actor, actor_kind, path, action, target, before, after, reason,"
        " prev_hash, hash) VALUES (?, ?, " + ", ".join(f"CAST(x'{text[k]}' AS TEXT)" for k in (
            "actor", "actor_kind", "path", "action", "target", "before", "after", "reason")) + ", ?, ?)",
        (e["id"], e["time"], prev, digest))
    db.commit()
    db.close()
    with open(os.path.join(data_dir, "audit-head.json"), "w") as f:
        json.dump({"id": e["id"], "hash": digest}, f)
    return e["id"]


if __name__ == "__main__":
    unittest.main()
