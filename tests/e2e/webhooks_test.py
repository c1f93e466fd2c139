"""End to end: webhooks tell operators about rollouts, through a real posfleetd and a Python
HTTP receiver on 127.0.0.1 that records every request.

- Webhooks in the three formats (generic JSON, DingTalk and WeCom group robots) take a test
  message from `posfleet webhook test`; the DingTalk one with a secret gets DingTalk's signed URL
  (checked here with Python's hmac); the robots' messages are Chinese first, then English. The
  secret is in no answer and no audit entry; plain http:// to another host is refused.
- A receiver that fails first (500) gets the event again and takes it.
- A receiver that never answers is cut off after 10 s and tried again, and the server answers
  the API meanwhile.
- An event queued while its receiver is down is delivered after posfleetd restarts.
Events are queued with the test route (`{"queue": true}`); rollout-driven events (approval
needed, paused with its figures, finished) are covered by tests/e2e/rollouts_test.py.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BOOTSTRAP_TOKEN, FleetTestCase, wait_until  # noqa: E402
from receiver import OK, Receiver  # noqa: E402

SECRET = "SECwebhook-e2e-secret-0123456789"


class WebhooksTest(FleetTestCase, unittest.TestCase):
    SERVER_ARGS = ("--webhook-ms", "200", "--webhook-retry-seconds", "1")

    def setUp(self):
        super().setUp()
        self.receiver = Receiver()

    def tearDown(self):
        self.receiver.stop()
        super().tearDown()

    def add(self, name, path, fmt, events="rollout.paused,rollout.finished", secret=None):
        args = ["webhook", "add", "--name", name, "--url", self.receiver.url + path, "--format", fmt,
                "--events", events]
        if secret:
            secret_file = os.path.join(self.ws.path, name + ".secret")
            with open(secret_file, "w") as f:
                f.write(secret + "\n")
            args += ["--secret-file", secret_file]
        return self.cli.json(*args)

    def hooks(self):
        return {w["name"]: w for w in self.server.api("GET", "/api/v1/webhooks")["webhooks"]}

    def queue(self, hook_id):
        return self.server.api("POST", f"/api/v1/webhooks/{hook_id}/test", {"queue": True})

    def test_three_formats_take_a_test_message(self):
        plain = self.add("ops-json", "/json", "json")
        ding = self.add("ops-dingtalk", "/dingtalk", "dingtalk", secret=SECRET)
        wecom = self.cli.json("webhook", "add", "--name", "ops-wecom", "--url",
                              self.receiver.url + "/wecom?key=wecomkey123456", "--format", "wecom",
                              "--events", "rollout.stopped,deployment.timed_out")
        self.assertTrue(ding["has_secret"])
        self.assertFalse(plain["has_secret"])
        self.assertEqual(wecom["url"], self.receiver.url + "/wecom?key=weco…")
        for hook in (plain, ding, wecom):
            out = self.cli.run("webhook", "test", str(hook["id"])).stdout
            self.assertIn("HTTP 200", out)

        [j] = self.receiver.to("/json")
        self.assertEqual(j["body"]["event"], "webhook.test")
        self.assertIn("sent_by", j["body"]["figures"])
        self.assertIn("title_zh", j["body"])
        self.assertIn("title_en", j["body"])
        self.assertIsInstance(j["body"]["time"], int)
        self.assertTrue(j["headers"]["Content-Type"].startswith("application/json"))

        [d] = self.receiver.to("/dingtalk")
        self.assertEqual(d["body"]["msgtype"], "markdown")
        text = d["body"]["markdown"]["text"]
        self.assertLess(text.index("测试消息"), text.index("Test"))  # Chinese first
        ts = d["query"]["timestamp"][0]
        self.assertLess(abs(int(ts) / 1000 - time.time()), 300)
        expected = base64.b64encode(hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(),
                                             hashlib.sha256).digest()).decode()
        self.assertEqual(d["query"]["sign"][0], expected)

        [w] = self.receiver.to("/wecom")
        self.assertEqual(w["query"]["key"], ["wecomkey123456"])
        content = w["body"]["markdown"]["content"]
        self.assertLess(content.index("测试消息"), content.index("Test"))

        listed = self.cli.run("--json", "webhook", "list").stdout
        self.assertNotIn(SECRET, listed)
        self.assertNotIn("wecomkey123456", listed)
        hooks = {h["name"]: h for h in json.loads(listed)["webhooks"]}
        self.assertEqual(hooks["ops-dingtalk"]["events"], ["rollout.paused", "rollout.finished"])
        human = self.cli.run("webhook", "list").stdout
        self.assertIn("ops-wecom", human)
        audit = json.dumps(self.server.api("GET", "/api/v1/audit?limit=200"))
        self.assertIn("webhook.create", audit)
        self.assertIn("webhook.test", audit)
        self.assertNotIn(SECRET, audit)
        self.assertNotIn("wecomkey123456", audit)

        # A receiver that refuses: the test says what it answered.
        self.receiver.script["/json"] = ["fail"]
        refused = self.cli.run("webhook", "test", str(plain["id"]), check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("HTTP 500", refused.stdout + refused.stderr)
        self.assertIn("webhook_failed", refused.stdout + refused.stderr)

        # Plain http:// leaves this machine only with --webhook-allow-http.
        bad = self.cli.run("webhook", "add", "--name", "far", "--url", "http://hooks.example.com/x",
                           "--format", "json", "--events", "rollout.paused", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("--webhook-allow-http", bad.stdout + bad.stderr)
        # Only administrators add them; auditors read them.
        auditor = self.server.api("POST", "/api/v1/tokens", {"name": "aud", "role": "auditor"})["token"]

        def as_auditor(method, body=None):
            req = urllib.request.Request(self.server.url + "/api/v1/webhooks", method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": "Bearer " + auditor,
                                                  "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status
            except urllib.error.HTTPError as e:
                return e.code
        self.assertEqual(as_auditor("GET"), 200)
        self.assertEqual(as_auditor("POST", {"name": "x", "url": self.receiver.url + "/x", "format": "json",
                                             "events": ["rollout.paused"]}), 403)

        self.cli.run("webhook", "remove", str(wecom["id"]), "--reason", "robot retired")
        self.assertNotIn("ops-wecom", self.hooks())

    def test_a_failing_receiver_gets_the_event_again(self):
        hook = self.add("flaky", "/flaky", "json")
        self.receiver.script["/flaky"] = ["fail"]
        self.assertIn("queued", self.queue(hook["id"]))
        wait_until("the retry to be taken",
                   lambda: (self.hooks()["flaky"]["last_delivery"] or {}).get("status") == 200
                   and self.hooks()["flaky"]["pending"] == 0, timeout=30)
        got = self.receiver.to("/flaky")
        self.assertEqual(len(got), 2)
        self.assertEqual(got[0]["body"], got[1]["body"])  # the same event, again
        self.assertIn("not delivered (the receiver answered HTTP 500)", self.server.output())

    def test_a_receiver_that_never_answers_is_cut_off_and_tried_again(self):
        hook = self.add("silent", "/silent", "dingtalk")
        self.receiver.script["/silent"] = ["hang"]
        self.queue(hook["id"])
        wait_until("the first POST to arrive", lambda: self.receiver.to("/silent"), timeout=20)
        # posfleetd answers while its webhook job waits for the receiver.
        self.assertIn("silent", self.hooks())
        self.assertEqual(self.server.api("GET", "/api/v1/webhooks")["webhooks"][0]["pending"], 1)
        wait_until("the retry after the timeout to be taken",
                   lambda: len(self.receiver.to("/silent")) == 2 and self.hooks()["silent"]["pending"] == 0,
                   timeout=60)
        self.assertIn("no answer within 10 s", self.server.output())

    def test_an_event_waiting_at_a_restart_is_delivered_after_it(self):
        hook = self.add("later", "/later", "wecom")
        # The job runs at start and then not for an hour; the receiver is down meanwhile.
        self.server.args = [a if a != "200" else "3600000" for a in self.server.args]
        self.server.restart()
        self.receiver.script["/later"] = ["down"]
        self.queue(hook["id"])
        self.assertEqual(self.hooks()["later"]["pending"], 1)
        self.server.stop()
        self.receiver.up.set()
        self.server.args = [a if a != "3600000" else "200" for a in self.server.args]
        self.server.restart()
        wait_until("the event queued before the restart to be delivered",
                   lambda: self.hooks()["later"]["pending"] == 0, timeout=30)
        delivered = [r for r in self.receiver.to("/later")]
        self.assertGreaterEqual(len(delivered), 1)
        self.assertEqual(delivered[-1]["body"]["msgtype"], "markdown")
        self.assertEqual(self.hooks()["later"]["last_delivery"]["status"], 200)


if __name__ == "__main__":
    unittest.main()
