"""End to end, real processes: the update policy (seed §1, §3).

Each of the three paths — the terminal itself, the back office, support after
identity verification — turns a running agent's updates off: a pending
deployment then does not install and no update notification appears; turning
updates back on the same way resumes it. Also: a locked mode is refused on the
terminal with its reason; an offline change meets a newer back-office change
and loses by the documented rule, with both in history; support is refused
without verification, with a wrong, expired or too-often-tried code; security
releases past their deadline install despite `never` unless the fleet says
otherwise; a read-only user cannot change policy; tampering with the audit log
is detected.
"""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ON_POSTGRES, Agent, DatabaseError, FleetTestCase, binary, wait_until  # noqa: E402

RESIDENT_ID = "11010519491231002X"
PHONE = "13800138000"


class PolicyTest(FleetTestCase, unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.versions = 0

    # helpers ---------------------------------------------------------------

    def release(self, extra=()):
        self.versions += 1
        version = f"2.0.{self.versions}"
        path = os.path.join(self.ws.path, f"app-{version}.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(10_000))
        self.cli.run("release", "create", "--dir", f"rel-{version}", "--version", version, "--model", "A920",
                     "--component", f"app={path}", "--notes-zh", "更快的支付", "--notes-en", "Faster payments", *extra)
        self.cli.run("release", "sign", "--dir", f"rel-{version}", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", f"rel-{version}")
        return version

    def terminal(self, serial, start=True, **config):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")], **config)
        self.agents.append(agent)
        if start:
            agent.start()
        return agent

    def agent_cmd(self, agent, *args, check=True):
        p = subprocess.run([binary("POSFLEET_AGENT"), "-c", agent.config_path, *args, "--json"],
                           capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError(f"posfleet-agent {' '.join(args)} failed:\n{p.stdout}{p.stderr}")
        return json.loads(p.stdout) if p.stdout.strip() else {}

    def notices(self, agent):
        return agent.call({"cmd": "notifications"})["notifications"]

    def mode_on(self, agent):
        return agent.call({"cmd": "status"})["policy"]["mode"]

    def effective_mode(self, serial):
        return self.cli.json("policy", "show", "--terminal", serial)["effective"]["mode"]

    def deployment(self, dep):
        return self.cli.json("deployment", "show", str(dep))

    def assert_held_back(self, agent, dep, version):
        """A few polls later the deployment has not started and nothing was announced."""
        time.sleep(4)  # 4 polls at 1 s
        d = self.deployment(dep)
        self.assertEqual((d["status"], d["result"]), ("scheduled", "none"), d)
        self.assertEqual(agent.status()["version"], "1.0.0")
        kinds = [n["kind"] for n in self.notices(agent)]
        self.assertNotIn("update_available", kinds)
        self.assertIsNone(self.agent_cmd(agent, "check")["update_available"])

    def wait_installed(self, agent, dep, version):  # noqa: D401
        wait_until(f"deployment {dep} to succeed", lambda: self.deployment(dep)["result"] == "success", timeout=30)
        self.assertEqual(agent.status()["version"], version)

    def admin_token_for(self, role):
        return self.cli.json("token", "create", "--name", f"{role}-user", "--role", role)["token"]

    def as_user(self, token, *args, check=True):
        env = dict(os.environ, POSFLEET_SERVER=self.server.url, POSFLEET_TOKEN=token)
        p = subprocess.run([binary("POSFLEET_CLI"), *args], cwd=self.ws.path, env=env, capture_output=True, text=True,
                           timeout=60)
        if check and p.returncode != 0:
            raise AssertionError(f"posfleet {' '.join(args)} failed:\n{p.stdout}{p.stderr}")
        return p

    def sms_code(self):
        messages = self.cli.json("sms", "outbox")["messages"]
        self.assertTrue(messages)
        text = messages[-1]["text"]
        self.assertEqual(messages[-1]["to"], PHONE)
        return text.split("验证码 ")[1][:6]

    def merchant_with(self, serial):
        m = self.cli.json("merchant", "create", "--name", "张三", "--phone", PHONE, "--resident-id", RESIDENT_ID)
        self.assertNotIn(RESIDENT_ID, json.dumps(m))  # shown masked
        self.cli.run("merchant", "link", str(m["id"]), "--terminal", serial)
        return m

    # the three paths ---------------------------------------------------------

    def test_terminal_path_turns_updates_off_and_on(self):
        agent = self.terminal("PF-T")
        answer = self.agent_cmd(agent, "set", "update-mode", "never")
        self.assertIn("never", answer["message_en"])
        wait_until("the server to hold never", lambda: self.effective_mode("PF-T") == "never")
        version = self.release()
        dep = self.cli.json("deploy", "--release", version, "--terminal", "PF-T")["id"]
        self.assert_held_back(agent, dep, version)
        self.agent_cmd(agent, "set", "update-mode", "auto")
        self.wait_installed(agent, dep, version)
        history = self.cli.json("policy", "show", "--terminal", "PF-T")["history"]
        self.assertEqual([(h["path"], h["outcome"], h["after"].get("mode")) for h in history][:2],
                         [("terminal", "applied", "auto"), ("terminal", "applied", "never")])

    def test_back_office_path_turns_updates_off_and_on(self):
        agent = self.terminal("PF-C")
        self.cli.run("policy", "set", "--terminal", "PF-C", "--mode", "never", "--reason", "merchant asked by email")
        wait_until("the agent to learn never", lambda: self.mode_on(agent) == "never")
        version = self.release()
        dep = self.cli.json("deploy", "--release", version, "--terminal", "PF-C")["id"]
        self.assert_held_back(agent, dep, version)
        changed = [n for n in self.notices(agent) if n["kind"] == "policy_changed"]
        self.assertTrue(changed and "back office" in changed[0]["text"]["en"], changed)
        self.cli.run("policy", "set", "--terminal", "PF-C", "--mode", "auto", "--reason", "merchant asked again")
        self.wait_installed(agent, dep, version)

    def test_support_path_needs_verification_and_turns_updates_off_and_on(self):
        agent = self.terminal("PF-S")
        merchant = self.merchant_with("PF-S")
        ticket = self.ticket(agent, "请关闭自动更新")
        tickets = self.cli.json("support", "tickets")["tickets"]
        self.assertEqual((tickets[0]["id"], tickets[0]["terminal"], tickets[0]["version"]), (ticket, "PF-S", "1.0.0"))
        self.assertEqual(tickets[0]["policy"]["mode"], "auto")

        support = self.admin_token_for("support")
        # Without verification: refused.
        refused = self.as_user(support, "support", "set-policy", "1", "--mode", "never", "--reason", "x", check=False)
        self.assertNotEqual(refused.returncode, 0)
        # Wrong name or ID digits: refused, no code sent.
        bad = self.as_user(support, "support", "verify", "--terminal", "PF-S", "--name", "李四", "--id-last4", "002X",
                           check=False)
        self.assertIn("identity not verified", bad.stderr)
        self.assertEqual(self.cli.json("sms", "outbox")["messages"], [])
        # Right answers: a code goes to the registered phone.
        v = json.loads(self.as_user(support, "--json", "support", "verify", "--terminal", "PF-S", "--name", "张三",
                                    "--id-last4", "002x").stdout)
        self.assertEqual(v["code_sent_to"], "138****8000")
        code = self.sms_code()
        wrong = self.as_user(support, "support", "code", str(v["id"]), "000000" if code != "000000" else "111111",
                             check=False)
        self.assertIn("wrong code; 4 tries left", wrong.stderr)
        self.as_user(support, "support", "code", str(v["id"]), code)
        self.as_user(support, "support", "set-policy", str(v["id"]), "--mode", "never", "--reason", "ticket: merchant request")
        self.assertEqual(self.effective_mode("PF-S"), "never")

        version = self.release()
        dep = self.cli.json("deploy", "--release", version, "--terminal", "PF-S")["id"]
        self.assert_held_back(agent, dep, version)
        by_support = [n for n in self.notices(agent) if n["kind"] == "policy_changed"]
        self.assertIn("customer service", by_support[0]["text"]["en"])
        self.as_user(support, "support", "set-policy", str(v["id"]), "--mode", "auto", "--reason", "merchant changed mind")
        self.wait_installed(agent, dep, version)

        audit = self.audit_entries()
        actions = [(e["action"], e["path"], e["actor"]) for e in audit]
        self.assertIn(("support.verify.identity_mismatch", "support", "token:support-user"), actions)
        self.assertIn(("support.verify.code_wrong", "support", "token:support-user"), actions)
        self.assertIn(("support.verify.ok", "support", "token:support-user"), actions)
        self.assertIn(("policy.change", "support", "token:support-user"), actions)
        change = next(e for e in audit if e["action"] == "policy.change" and e["path"] == "support")
        self.assertEqual(change["reason"], "ticket: merchant request")
        self.assertIn('"never"', change["after"])

    def ticket(self, agent, message):
        answer = agent.call({"cmd": "ticket", "message": message})
        self.assertTrue(answer["ok"], answer)
        return answer["ticket_id"]

    def audit_entries(self):
        out = os.path.join(self.ws.path, "audit.jsonl")
        self.cli.run("audit", "export", "--out", out)
        with open(out) as f:
            return [json.loads(line) for line in f]

    # verification limits -----------------------------------------------------

    def test_codes_expire_and_tries_are_limited(self):
        self.terminal("PF-V", start=False)
        self.merchant_with("PF-V")
        support = self.admin_token_for("support")
        verify = ("--json", "support", "verify", "--terminal", "PF-V", "--name", "张三", "--id-last4", "002X")
        v1 = json.loads(self.as_user(support, *verify).stdout)
        code = self.sms_code()
        # Expired: move the code's expiry into the past (time travel in the database).
        self.server.sql("UPDATE verifications SET expires = 0 WHERE id = ?", (v1["id"],))
        expired = self.as_user(support, "support", "code", str(v1["id"]), code, check=False)
        self.assertIn("expired", expired.stderr)
        # Five wrong tries end the verification; the right code is then refused too.
        v2 = json.loads(self.as_user(support, *verify).stdout)
        code = self.sms_code()
        wrong = "000000" if code != "000000" else "111111"
        for left in (4, 3, 2, 1):
            self.assertIn(f"{left} tries left", self.as_user(support, "support", "code", str(v2["id"]), wrong, check=False).stderr)
        self.assertIn("too many wrong codes", self.as_user(support, "support", "code", str(v2["id"]), wrong, check=False).stderr)
        self.assertNotEqual(self.as_user(support, "support", "code", str(v2["id"]), code, check=False).returncode, 0)
        refused = self.as_user(support, "support", "set-policy", str(v2["id"]), "--mode", "never", "--reason", "x",
                               check=False)
        self.assertIn("verify the merchant's identity first", refused.stderr)
        # Another agent cannot use someone else's verification.
        v3 = json.loads(self.as_user(support, *verify).stdout)
        other = self.cli.json("token", "create", "--name", "second-agent", "--role", "support")["token"]
        self.assertIn("another support agent",
                      self.as_user(other, "support", "code", str(v3["id"]), self.sms_code(), check=False).stderr)

    # locks and conflicts -----------------------------------------------------

    def test_a_locked_mode_is_refused_on_the_terminal_with_its_reason(self):
        agent = self.terminal("PF-L")
        self.cli.run("policy", "set", "--terminal", "PF-L", "--mode", "auto", "--lock", "--lock-reason",
                     "双十一 peak season", "--reason", "protect the peak")
        wait_until("the agent to learn the lock", lambda: agent.call({"cmd": "status"})["policy"]["locked"])
        answer = self.agent_cmd(agent, "set", "update-mode", "never", check=False)
        self.assertEqual(answer["error"], "locked")
        self.assertIn("双十一 peak season", answer["message_en"])
        self.assertIn("已由管理员锁定", answer["message_zh"])
        self.assertEqual(self.effective_mode("PF-L"), "auto")
        # Support cannot lift it either; a release manager cannot lock at all.
        manager = self.admin_token_for("release_manager")
        p = self.as_user(manager, "policy", "set", "--terminal", "PF-L", "--unlock", "--reason", "x", check=False)
        self.assertIn("only an administrator", p.stderr)

    def test_support_on_a_locked_terminal_passes_the_request_to_an_administrator(self):
        agent = self.terminal("PF-K")
        self.merchant_with("PF-K")
        self.cli.run("policy", "set", "--terminal", "PF-K", "--mode", "auto", "--lock", "--lock-reason", "peak",
                     "--reason", "protect the peak")
        ticket = self.ticket(agent, "请关闭自动更新")
        support = self.admin_token_for("support")

        def call(method, path, body=None):
            req = urllib.request.Request(self.server.url + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": "Bearer " + support,
                                                  "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, json.loads(r.read())
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())

        # The desk sees the lock before the call gets there.
        status, found = call("GET", "/api/v1/merchants?q=PF-K")
        term = found["merchants"][0]["terminals"][0]
        self.assertEqual((status, term["locked"], term["lock_reason"]), (200, True, "peak"))
        v = json.loads(self.as_user(support, "--json", "support", "verify", "--terminal", "PF-K", "--name", "张三",
                                    "--id-last4", "002x").stdout)
        self.as_user(support, "support", "code", str(v["id"]), self.sms_code())
        # Not a dead end: the refusal names the way on ...
        status, refused = call("POST", f"/api/v1/support/verifications/{v['id']}/policy",
                               {"mode": "never", "reason": "merchant asks"})
        self.assertEqual((status, refused["error"]["code"]), (409, "locked"), refused)
        # ... which passes the request to an administrator, and the lock holds.
        status, asked = call("POST", refused["error"]["ask_admin"], {"mode": "never", "reason": "merchant asks"})
        self.assertEqual((status, asked["terminals"]), (200, ["PF-K"]), asked)
        self.assertEqual(self.effective_mode("PF-K"), "auto")
        self.assertTrue(any(e["action"] == "support.ask_admin" and e["target"] == "terminal:PF-K"
                            for e in self.audit_entries()))
        notes = call("GET", f"/api/v1/support/tickets/{ticket}")[1]
        self.assertTrue(any("administrator" in n["text"] for n in notes["notes"]), notes)
        wait_until("the terminal to be told", lambda: [n for n in self.notices(agent) if n["kind"] == "support_ask_admin"])

    def test_a_lock_holds_against_back_office_changes_below_it(self):
        self.cli.run("terminal", "register", "--serial", "PF-M1", "--model", "A920")
        self.cli.run("terminal", "group", "PF-M1", "--group", "mall")
        manager = self.admin_token_for("release_manager")
        # A terminal's own mode set before the group is locked ...
        self.as_user(manager, "policy", "set", "--terminal", "PF-M1", "--mode", "auto", "--reason", "before the lock")
        self.cli.run("policy", "set", "--group", "mall", "--mode", "never", "--lock", "--lock-reason", "双十一",
                     "--reason", "peak season")
        # ... does not count under the lock, and a release manager cannot change it afterwards.
        self.assertEqual(self.effective_mode("PF-M1"), "never")
        for scope in (("--terminal", "PF-M1"), ("--group", "mall")):
            p = self.as_user(manager, "policy", "set", *scope, "--mode", "auto", "--reason", "after the lock",
                             check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("locked by an administrator (双十一)", p.stderr)
        self.assertEqual(self.effective_mode("PF-M1"), "never")
        self.cli.run("policy", "set", "--group", "mall", "--unlock", "--reason", "after the peak")
        self.assertEqual(self.effective_mode("PF-M1"), "auto")  # the terminal's own mode is back

    def test_an_offline_change_loses_to_a_newer_back_office_change(self):
        agent = self.terminal("PF-O", server="http://127.0.0.1:9")  # nothing listens: offline
        answer = self.agent_cmd(agent, "set", "update-mode", "never")
        self.assertIn("back online", answer["message_en"])
        self.assertEqual(self.mode_on(agent), "never")  # applies on the terminal at once
        self.cli.run("policy", "set", "--terminal", "PF-O", "--mode", "manual", "--reason", "operator decision")
        agent.stop()
        agent.write_config(server=self.server.url)
        agent.start()
        wait_until("the offline change to be answered", lambda: agent.call({"cmd": "status"})["policy"]["pending_change"] is None)
        self.assertEqual(self.mode_on(agent), "manual")
        self.assertEqual(self.effective_mode("PF-O"), "manual")
        history = self.cli.json("policy", "show", "--terminal", "PF-O")["history"]
        self.assertEqual([(h["path"], h["outcome"]) for h in history[:2]],
                         [("terminal", "superseded"), ("console", "applied")])
        # The server's verdict reaches the terminal's notifications on the next poll.
        conflict = wait_until("the conflict notice",
                              lambda: [n for n in self.notices(agent) if n["kind"] == "policy_conflict"])
        self.assertIn("was not applied", conflict[0]["text"]["en"])

    def test_an_offline_change_without_conflict_is_applied_when_back_online(self):
        agent = self.terminal("PF-O2", server="http://127.0.0.1:9")
        self.agent_cmd(agent, "set", "update-mode", "manual")
        agent.stop()
        agent.write_config(server=self.server.url)
        agent.start()
        wait_until("the change to reach the server", lambda: self.effective_mode("PF-O2") == "manual")
        # The terminal's own earlier change never counts against its next one,
        # even if the terminal did not hear the server's answer in between.
        wait_until("the answer", lambda: agent.call({"cmd": "status"})["policy"]["pending_change"] is None)
        agent.stop()
        state = os.path.join(agent.device_dir, "state", "terminal.json")
        with open(state) as f:
            saved = json.load(f)
        saved["policy"]["revision"] = 0  # as if the reply had been lost
        with open(state, "w") as f:
            json.dump(saved, f)
        agent.write_config(server="http://127.0.0.1:9")
        agent.start()
        self.agent_cmd(agent, "set", "update-mode", "never")
        agent.stop()
        agent.write_config(server=self.server.url)
        agent.start()
        wait_until("the second change to be applied", lambda: self.effective_mode("PF-O2") == "never")
        outcomes = [h["outcome"] for h in self.cli.json("policy", "show", "--terminal", "PF-O2")["history"][:2]]
        self.assertEqual(outcomes, ["applied", "applied"])

    # security releases -------------------------------------------------------

    def test_a_security_release_past_its_deadline_installs_despite_never(self):
        agent = self.terminal("PF-SEC")
        self.cli.run("policy", "set", "--terminal", "PF-SEC", "--mode", "never", "--reason", "merchant asked")
        version = self.release(extra=("--security",))
        self.assertIsNotNone(self.cli.json("release", "list")["releases"][-1]["security_deadline"])  # 30 days by default
        dep = self.cli.json("deploy", "--release", version, "--terminal", "PF-SEC")["id"]
        self.assert_held_back(agent, dep, version)  # before the deadline: never holds
        self.cli.run("release", "deadline", version, "--deadline", "2020-01-01T00:00:00Z", "--reason", "CVE fix")
        self.wait_installed(agent, dep, version)
        kinds = [n["kind"] for n in self.notices(agent)]
        self.assertIn("security_install", kinds)
        self.assertNotIn("update_available", kinds)

    def test_the_fleet_may_let_never_hold_back_security_releases(self):
        agent = self.terminal("PF-SEC2")
        self.cli.run("policy", "set", "--never-defers-security", "true", "--reason", "acquirer's decision")
        self.cli.run("policy", "set", "--terminal", "PF-SEC2", "--mode", "never", "--reason", "merchant asked")
        version = self.release(extra=("--security",))
        self.cli.run("release", "deadline", version, "--deadline", "2020-01-01T00:00:00Z", "--reason", "CVE fix")
        dep = self.cli.json("deploy", "--release", version, "--terminal", "PF-SEC2")["id"]
        self.assert_held_back(agent, dep, version)

    # permissions and audit ---------------------------------------------------

    def test_a_read_only_user_cannot_change_policy(self):
        self.terminal("PF-R", start=False)
        auditor = self.admin_token_for("auditor")
        p = self.as_user(auditor, "policy", "set", "--terminal", "PF-R", "--mode", "never", "--reason", "x", check=False)
        self.assertIn("may not do this", p.stderr)
        self.assertEqual(self.effective_mode("PF-R"), "auto")
        self.as_user(auditor, "policy", "show", "--terminal", "PF-R")  # reading is fine
        self.as_user(auditor, "audit", "verify")

    def test_audit_tampering_is_detected(self):
        self.terminal("PF-A", start=False)
        for mode in ("never", "manual", "auto"):
            self.cli.run("policy", "set", "--terminal", "PF-A", "--mode", mode, "--reason", f"set {mode}")
        self.assertIn("audit log intact", self.cli.run("audit", "verify").stdout)
        with self.assertRaises(DatabaseError):  # append-only by trigger
            self.server.sql("UPDATE audit_log SET reason = 'nothing happened' WHERE id = 2")
        # Someone with the database drops the guard and edits an entry.
        on_table = " ON audit_log" if ON_POSTGRES else ""
        self.server.sql("DROP TRIGGER audit_log_no_update" + on_table)
        self.server.sql("UPDATE audit_log SET reason = 'nothing happened' WHERE id = 2")
        p = self.cli.run("audit", "verify", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("entry 2 was altered", p.stderr)
        self.server.sql("DROP TRIGGER audit_log_no_delete" + on_table)
        self.server.sql("DELETE FROM audit_log WHERE id = 2")
        self.assertIn("entry 2 is missing", self.cli.run("audit", "verify", check=False).stderr)
        # Cut the end off instead: the anchor notices.
        self.server.sql("DELETE FROM audit_log WHERE id >= 2")
        self.assertIn("entries removed from the end", self.cli.run("audit", "verify", check=False).stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
