"""End to end: staged rollouts (灰度发布, docs/rollouts.md) with a real posfleetd
(its rollout engine ticking every 200 ms), real agents and the posfleet CLI.

- Three waves of groups: the pilot succeeds; the second wave waits for an
  approval, which the creator cannot give (two-person rule) and a second user
  gives; a terminal whose health check fails (it rolls back) pushes the second
  wave's failures over its threshold and pauses the rollout, audited with the
  figures; the failed terminal is fixed, retried in one action, the rollout is
  resumed and finishes through the third wave. A webhook receiver on 127.0.0.1
  is told when the rollout needs the approval, pauses (with the figures) and
  finishes.
- The kill switch mid-download: two terminals downloading a big artifact slowly;
  `posfleet rollout stop --all --release V` stops the rollout, the terminals get
  the DDI cancel and stay on their version, no terminal starts the release
  afterwards, nothing new of it can be deployed until `rollout unstop`; the
  overview lists the stopped release.
- A freeze of one group holds that group's wave (the rollout says why and starts
  nothing there) until it is lifted; then a terminal whose own time zone puts it
  outside the maintenance window waits for it, shown as waiting for the window,
  and installs once its zone puts it inside.
- A restart of posfleetd mid-rollout (waiting for an approval) loses nothing:
  the rollout, its waves, their terminals and counts read the same, and the
  rollout goes on to the end after it.
- A stock swupdate client (Debian's, suricatta mode, as tests/interop runs it)
  takes part in a rollout wave unchanged.
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import unittest
import urllib.error

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
sys.dont_write_bytecode = True
from harness import Agent, Cli, FleetTestCase, publish_release, wait_until  # noqa: E402
from receiver import Receiver  # noqa: E402
from freeze_test import etc_zone, utc_date  # noqa: E402

OPEN = ("scheduled", "running", "canceling")


class RolloutsTest(FleetTestCase, unittest.TestCase):
    SERVER_ARGS = ("--rollout-tick-ms", "200", "--webhook-ms", "200")

    # helpers ---------------------------------------------------------------

    def terminal(self, serial, group=None, start=True, faults=None, time_zone=None, **config):
        zone = ["--time-zone", time_zone] if time_zone else []
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920", *zone)
        if group:
            self.cli.run("terminal", "group", serial, "--group", group)
        config.setdefault("precheck_retry_seconds", 1)
        agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")], **config)
        self.agents.append(agent)
        if faults:
            self.set_faults(agent, faults)
        if start:
            agent.start()
        return agent

    def set_faults(self, agent, faults):
        d = os.path.join(agent.device_dir, "hw")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "faults.json")
        if faults is None:
            os.remove(path)
            return
        with open(path + ".new", "w") as f:
            json.dump(faults, f)
        os.replace(path + ".new", path)

    def second_user(self, name="li.release"):
        """A CLI acting as another release manager (the approver)."""
        token = self.cli.json("token", "create", "--name", name, "--role", "release_manager")["token"]
        return Cli(self.server, self.ws.path, env={"POSFLEET_TOKEN": token})

    def rollout(self, rid):
        return self.cli.json("rollout", "show", str(rid))

    def wait_state(self, rid, *states, timeout=60):
        return wait_until(f"rollout {rid} to be {states}",
                          lambda: (lambda r: r if r["state"] in states else None)(self.rollout(rid)),
                          timeout=timeout)

    def version(self, serial):
        return self.server.api("GET", f"/api/v1/terminals/{serial}")["installed_version"]

    def wait_version(self, serial, version, timeout=60):
        wait_until(f"{serial} to run {version}", lambda: self.version(serial) == version, timeout=timeout)

    def deployments(self, release):
        return self.server.api("GET", f"/api/v1/deployments?release={release}&limit=1000")["deployments"]

    def audit(self):
        return self.server.api("GET", "/api/v1/audit?limit=5000")["entries"]

    def rollout_audit(self, rid):
        return [e for e in self.audit() if e["action"].startswith("rollout") and str(rid) in e["target"]]

    def told(self, receiver, event, rid, timeout=30):
        """The webhook body of `event` for rollout `rid` the receiver got (waits for it)."""
        def find():
            return next((r["body"] for r in receiver.to("/ops")
                         if r["body"]["event"] == event and r["body"]["rollout_id"] == rid), None)
        return wait_until(f"the webhook {event} of rollout {rid}", find, timeout=timeout)

    def api_error(self, method, path, body=None):
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.server.api(method, path, body)
        return e.exception.code, json.loads(e.exception.read() or b"{}")

    # three waves, approval, pause by threshold, retry ------------------------

    def test_three_waves_pause_on_failures_wait_for_a_second_user_and_retry(self):
        publish_release(self.cli, self.ws.path, "2.0.0")
        self.terminal("PF-P1", "pilot")
        self.terminal("PF-N1", "north")
        sick = self.terminal("PF-N2", "north", faults={"health_fail": ["b"]})
        self.terminal("PF-S1", "south")
        self.terminal("PF-S2", "south")
        for serial in ("PF-P1", "PF-N1", "PF-N2", "PF-S1", "PF-S2"):
            self.wait_version(serial, "1.0.0")  # each has polled once: reachable
        approver = self.second_user()
        receiver = Receiver()
        self.addCleanup(receiver.stop)
        self.cli.json("webhook", "add", "--name", "ops", "--url", receiver.url + "/ops", "--format", "json",
                      "--events", "rollout.approval_needed,rollout.paused,rollout.finished")

        common = ["--release", "2.0.0", "--filter", "model=A920", "--wave-groups", "pilot,north,south",
                  "--success", "100", "--error", "20", "--soak", "0", "--approval-before", "2"]
        preview = self.cli.json("rollout", "create", *common, "--preview")
        self.assertEqual(preview["total"], 5, preview)
        self.assertEqual([w["terminals"] for w in preview["waves"]], [1, 2, 2], preview)
        text = self.cli.run("rollout", "create", *common, "--preview").stdout
        self.assertIn("preview only", text)

        r = self.cli.json("rollout", "create", *common, "--name", "2.0.0 by region", "--start",
                          "--reason", "pilot stores first")
        rid = r["id"]
        self.assertEqual([w["spec"].get("needs_approval") for w in r["waves"]], [False, True, False], r)

        # The pilot succeeds; wave 2 waits for someone other than the creator.
        self.wait_version("PF-P1", "2.0.0")
        r = self.wait_state(rid, "waiting_approval")
        self.assertEqual(self.version("PF-N1"), "1.0.0")
        asked = self.told(receiver, "rollout.approval_needed", rid)
        self.assertEqual(asked["release"], "2.0.0", asked)
        refused = self.cli.run("rollout", "approve", str(rid), "--reason", "me myself", check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("two-person rule", refused.stderr)
        self.assertIn("403", refused.stderr)
        self.assertEqual(self.rollout(rid)["state"], "waiting_approval")
        approved = approver.json("rollout", "approve", str(rid), "--reason", "pilot looks good")
        self.assertIn("li.release", approved["waves"][1]["approved_by"], approved)

        # PF-N2 fails its health check and rolls back: 1 of 2 failed > 20 %: paused by the threshold.
        r = self.wait_state(rid, "paused")
        self.assertIn("threshold", r["state_reason"])
        # The pause may come before PF-N1 has finished; a pause starts nothing new but lets the
        # wave's started installs run to their end.
        settled = lambda c: c["success"] + c["failed"] + c["rolled_back"] == 2
        r = wait_until("wave 2 to settle", lambda: (lambda x: x if settled(x["waves"][1]["counts"]) else None)(
            self.rollout(rid)), timeout=60)
        self.assertEqual(r["state"], "paused", r)
        wave2 = r["waves"][1]["counts"]
        self.assertEqual(wave2["success"] + wave2["failed"] + wave2["rolled_back"], 2, wave2)
        self.assertEqual(wave2["failed"] + wave2["rolled_back"], 1, wave2)
        self.assertEqual(self.version("PF-N2"), "1.0.0")
        self.assertEqual([self.version(s) for s in ("PF-S1", "PF-S2")], ["1.0.0", "1.0.0"])
        paused = [e for e in self.rollout_audit(rid) if "pause" in e["action"]]
        self.assertTrue(paused, [e["action"] for e in self.audit()][-10:])
        self.assertIn("50", json.dumps(paused[-1], ensure_ascii=False))  # the figures: 1 of 2 failed
        # The operators were told, by a webhook with the same figures.
        hook = self.told(receiver, "rollout.paused", rid)
        figures = hook["figures"]
        self.assertEqual((figures["wave"], figures["failed"], figures["reachable"], figures["error_threshold"]),
                         (1, 1, 2, 20), hook)  # wave: the index, from 0
        self.assertIn("threshold", hook["title_en"])
        shown = self.cli.run("rollout", "show", str(rid)).stdout
        self.assertIn("paused", shown)
        self.assertIn("ROLLED BACK", shown)
        zh = Cli(self.server, self.ws.path, env={"LANG": "zh_CN.UTF-8"}).run("rollout", "show", str(rid)).stdout
        self.assertIn("已暂停", zh)
        self.assertIn("回滚", zh)
        failed = self.cli.json("rollout", "terminals", str(rid), "--wave", "2")["terminals"]
        self.assertEqual({t["serial"]: t["phase"] in ("failed", "rolled_back") for t in failed},
                         {"PF-N1": False, "PF-N2": True}, failed)

        # Fixed, retried in one action, resumed: the rollout goes on to the end.
        self.set_faults(sick, None)
        self.cli.run("rollout", "retry", str(rid), "--reason", "the health check is fixed")
        self.wait_version("PF-N2", "2.0.0")
        self.cli.run("rollout", "resume", str(rid), "--reason", "wave 2 is healthy now")
        r = self.wait_state(rid, "finished", timeout=90)
        self.told(receiver, "rollout.finished", rid)
        for serial in ("PF-S1", "PF-S2"):
            self.assertEqual(self.version(serial), "2.0.0")
        self.assertEqual(r["progress"]["total"], 5, r)
        self.assertEqual(r["progress"]["success"], 5, r)
        listed = self.cli.json("rollout", "list")["rollouts"]
        self.assertEqual([(x["id"], x["state"]) for x in listed], [(rid, "finished")])
        self.assertIn("finished", self.cli.run("rollout", "list").stdout)
        actions = {e["action"] for e in self.rollout_audit(rid)}
        self.assertTrue({a for a in actions if "approve" in a} and {a for a in actions if "retry" in a}
                        and {a for a in actions if "resume" in a}, actions)
        self.assertTrue(self.server.api("GET", f"/api/v1/rollouts/{rid}/history")["samples"])

    # kill switch --------------------------------------------------------------

    def test_the_kill_switch_cancels_downloads_and_nothing_starts_the_release_afterwards(self):
        publish_release(self.cli, self.ws.path, "3.0.0", size=3_000_000)
        # ~30 s for 3 MB at 100 kB/s: time to stop it mid-way.
        agents = [self.terminal(s, download_rate_limit=100_000) for s in ("PF-K1", "PF-K2")]
        late = self.terminal("PF-K3", start=False)  # has never polled: gets it later, if ever
        for serial in ("PF-K1", "PF-K2"):
            self.wait_version(serial, "1.0.0")
        r = self.server.api("POST", "/api/v1/rollouts", {
            "release": "3.0.0", "target": {"serials": ["PF-K1", "PF-K2", "PF-K3"]},
            "waves": [{"percent": 100, "success_threshold": 95, "error_threshold": 50}],
            "offline_days": 7, "start": True, "reason": "recall test"})
        rid = r["id"]
        for a in agents:
            wait_until(f"{a.config['terminal']} to download", lambda a=a: a.status()["update_state"] == "download")

        out = self.cli.run("rollout", "stop", "--all", "--release", "3.0.0", "--reason",
                           "crash reports from the pilot").stdout
        self.assertIn("stopped", out)
        r = self.rollout(rid)
        self.assertEqual(r["state"], "stopped", r)
        for a in agents:  # the DDI cancel reached them mid-download
            wait_until(f"{a.config['terminal']} to take the cancel",
                       lambda a=a: (a.status().get("last_update") or {}).get("result") == "canceled")
        wait_until("every deployment of 3.0.0 to have ended",
                   lambda: all(d["status"] == "canceled" for d in self.deployments("3.0.0")))

        # Nothing of 3.0.0 starts afterwards: the late terminal polls and gets nothing.
        late.start()
        self.wait_version("PF-K3", "1.0.0")
        seen = self.server.api("GET", "/api/v1/terminals/PF-K3")["last_seen"]
        wait_until("PF-K3 to poll again", lambda: self.server.api("GET", "/api/v1/terminals/PF-K3")["last_seen"]
                   != seen)
        for a in agents + [late]:
            st = a.status()
            self.assertEqual((st["version"], st["slot"]), ("1.0.0", "a"), st)
        self.assertFalse([d for d in self.deployments("3.0.0") if d["status"] in OPEN])
        code, err = self.api_error("POST", "/api/v1/deployments", {"release": "3.0.0", "terminal": "PF-K1"})
        self.assertIn(code, (403, 409), err)
        code, err = self.api_error("POST", "/api/v1/rollouts", {
            "release": "3.0.0", "target": {"serials": ["PF-K1"]}, "waves": [{"percent": 100}], "reason": "again"})
        self.assertIn(code, (403, 409), err)
        stopped = self.server.api("GET", "/api/v1/overview")["stopped_releases"]
        self.assertEqual([(s["version"], s["reason"]) for s in stopped], [("3.0.0", "crash reports from the pilot")])
        self.assertTrue(any(e["action"].endswith("stop") and "3.0.0" in e["target"] for e in self.audit()))

        # Lifted: the release may be deployed again.
        self.cli.run("rollout", "unstop", "--release", "3.0.0", "--reason", "fixed build")
        self.assertEqual(self.server.api("GET", "/api/v1/overview")["stopped_releases"], [])
        self.server.api("POST", "/api/v1/deployments", {"release": "3.0.0", "terminal": "PF-K3"})

    # restart ------------------------------------------------------------------

    def test_a_restart_mid_rollout_loses_nothing(self):
        publish_release(self.cli, self.ws.path, "4.0.0")
        serials = [f"PF-R{i}" for i in range(1, 5)]
        agents = [self.terminal(s) for s in serials]
        for s in serials:
            self.wait_version(s, "1.0.0")
        approver = self.second_user()
        r = self.cli.json("rollout", "create", "--release", "4.0.0", "--serials", ",".join(serials),
                          "--waves", "50,100", "--success", "100", "--error", "50", "--soak", "0",
                          "--approval-before", "2", "--start", "--reason", "half first")
        rid = r["id"]
        before = self.wait_state(rid, "waiting_approval")
        first = {t["serial"] for t in self.server.api("GET", f"/api/v1/rollouts/{rid}/terminals?wave=0")["terminals"]}
        self.assertEqual(len(first), 2, first)
        for s in first:
            self.assertEqual(self.version(s), "4.0.0")
        terminals = self.server.api("GET", f"/api/v1/rollouts/{rid}/terminals?limit=1000")
        history = self.server.api("GET", f"/api/v1/rollouts/{rid}/history")

        for a in agents:
            a.stop()
        self.server.restart()  # the CLIs read its new url

        after = self.rollout(rid)
        for key in ("state", "release", "target", "created_by", "started", "current_wave"):
            self.assertEqual(after[key], before[key], key)
        self.assertEqual([(w["state"], w["terminals"], w["started"], w["counts"]) for w in after["waves"]],
                         [(w["state"], w["terminals"], w["started"], w["counts"]) for w in before["waves"]])
        self.assertEqual(self.server.api("GET", f"/api/v1/rollouts/{rid}/terminals?limit=1000"), terminals)
        self.assertEqual(self.server.api("GET", f"/api/v1/rollouts/{rid}/history")["samples"][:len(history["samples"])],
                         history["samples"])

        for a in agents:  # the server has a new port
            a.write_config(server=self.server.url)
            a.start()
        approver.run("rollout", "approve", str(rid), "--reason", "first half is fine")
        self.wait_state(rid, "finished", timeout=90)
        for s in serials:
            self.assertEqual(self.version(s), "4.0.0")


    # freezes and time zones ---------------------------------------------------

    def test_a_freeze_holds_a_wave_and_a_terminal_waits_for_the_window_of_its_own_zone(self):
        # The fleet's window is 12:00-14:00 local: open now in one fixed-offset zone, closed in
        # another (zones picked from the current UTC hour, as tests/e2e/freeze_test.py does).
        hour = datetime.datetime.now(datetime.timezone.utc).hour
        open_offset = 12 - hour
        closed_offset = open_offset + 6 if open_offset + 6 <= 14 else open_offset - 6
        open_zone, closed_zone = etc_zone(open_offset), etc_zone(closed_offset)
        self.cli.run("policy", "set", "--window", "12:00-14:00", "--reason", "installs at lunch, local time")
        publish_release(self.cli, self.ws.path, "6.0.0")
        self.terminal("PF-Z1", "pilot", time_zone=open_zone)
        far = self.terminal("PF-Z2", "north", time_zone=closed_zone)
        self.terminal("PF-Z3", "north", time_zone=open_zone)
        for serial in ("PF-Z1", "PF-Z2", "PF-Z3"):
            self.wait_version(serial, "1.0.0")
        # The north's stocktaking: a freeze of that group covering today in every zone.
        freeze = self.cli.json("freeze", "add", "--group", "north", "--from", utc_date(-1), "--to", utc_date(1),
                               "--reason", "北区盘点 stocktaking")

        r = self.cli.json("rollout", "create", "--release", "6.0.0", "--filter", "model=A920",
                          "--wave-groups", "pilot,north", "--success", "100", "--error", "50", "--soak", "0",
                          "--start", "--reason", "pilot first")
        rid = r["id"]
        # The pilot installs; the north's wave holds for the freeze, says so, and starts nothing.
        self.wait_version("PF-Z1", "6.0.0")
        r = wait_until("the rollout to wait for the freeze",
                       lambda: (lambda x: x if "北区盘点" in x["state_reason"] else None)(self.rollout(rid)))
        self.assertEqual((r["state"], r["current_wave"]), ("running", 1), r)
        north = self.server.api("GET", f"/api/v1/rollouts/{rid}/terminals?wave=1")["terminals"]
        self.assertEqual({t["serial"]: t["deployment_id"] for t in north}, {"PF-Z2": None, "PF-Z3": None}, north)
        self.assertEqual([self.version(s) for s in ("PF-Z2", "PF-Z3")], ["1.0.0", "1.0.0"])

        # The freeze is lifted: PF-Z3 (window open) installs; PF-Z2 waits for its own window,
        # shown as waiting for the window in the rollout, and the wave waits for it.
        self.cli.run("freeze", "remove", str(freeze["id"]), "--reason", "stocktaking done")
        self.wait_version("PF-Z3", "6.0.0")

        def phase_of(serial):
            rows = self.server.api("GET", f"/api/v1/rollouts/{rid}/terminals?wave=1")["terminals"]
            return next(t["phase"] for t in rows if t["serial"] == serial)
        wait_until("PF-Z2 to wait for its window", lambda: phase_of("PF-Z2") == "waiting_window")
        self.assertEqual(far.call({"cmd": "status"})["update_available"]["waiting_for"], "window")
        self.assertEqual(self.version("PF-Z2"), "1.0.0")
        self.assertEqual(self.rollout(rid)["state"], "running")

        # The store is really where the window is open now: it installs, and the rollout ends.
        self.cli.run("terminal", "set-time-zone", "PF-Z2", open_zone, "--reason", "the store's real zone")
        self.wait_version("PF-Z2", "6.0.0")
        self.wait_state(rid, "finished", timeout=60)
        starts = [e for e in self.rollout_audit(rid) if e["action"] == "rollout.wave_start"]
        self.assertEqual(len(starts), 2, [e["action"] for e in self.rollout_audit(rid)])


class SwupdateRolloutTest(FleetTestCase, unittest.TestCase):
    """Debian's swupdate in suricatta (hawkBit DDI) mode, dry run, as
    tests/interop/swupdate_test.py runs it, is one wave of a rollout."""
    SERVER_ARGS = ("--rollout-tick-ms", "200", "--webhook-ms", "200")

    def test_a_stock_swupdate_client_takes_part_in_a_wave(self):
        from swupdate_test import CYCLE_DONE, HERE as INTEROP, HWREV, MODEL, Proc
        swupdate = shutil.which("swupdate")
        if not swupdate:
            self.fail("swupdate is not installed; run scripts/install-deps.sh")
        swu_dir = os.path.join(self.ws.path, "swu")
        subprocess.run(["sh", os.path.join(INTEROP, "make_swu.sh"), swu_dir], check=True, capture_output=True,
                       timeout=60)
        self.cli.run("release", "create", "--dir", "rel-swu", "--version", "5.0.0", "--model", MODEL,
                     "--component", "firmware=" + os.path.join(swu_dir, "test.swu"), "--notes-zh", "测试",
                     "--notes-en", "test")
        self.cli.run("release", "sign", "--dir", "rel-swu", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", "rel-swu")
        token = self.cli.json("terminal", "register", "--serial", "SWU-R1", "--model", MODEL)["token"]
        procs = []

        def run_swupdate(confirm=None):
            tmp = os.path.join(self.ws.path, f"sw{len(procs)}")
            os.makedirs(tmp)
            cfg = os.path.join(tmp, "swupdate.cfg")
            with open(cfg, "w") as f:
                f.write("globals : { };\n")
            suricatta = f"-t DEFAULT -u {self.server.url} -i SWU-R1 -p 1 -k {token}"
            if confirm:
                suricatta += f" -c {confirm}"
            p = Proc(f"swupdate#{len(procs)}", [swupdate, "-v", "-n", "-f", cfg, "-k",
                                                os.path.join(swu_dir, "cert.pem"), "-H", HWREV, "-u", suricatta],
                     dict(os.environ, TMPDIR=tmp))
            procs.append(p)
            return p

        try:
            sw = run_swupdate()  # run 1: polls; then downloads, installs (dry run), reports "proceeding"
            wait_until("swupdate to poll", lambda: self.server.api("GET", "/api/v1/terminals/SWU-R1")["last_seen"])
            rid = self.cli.json("rollout", "create", "--release", "5.0.0", "--serials", "SWU-R1", "--waves", "100", "--soak", "0",
                                "--start", "--reason", "stock DDI client")["id"]
            self.assertIsNotNone(sw.wait_for_line(re.escape(CYCLE_DONE), 60), sw.text()[-3000:])
            sw.stop()
            sw = run_swupdate(confirm=2)  # run 2, "after the reboot": closed/success
            r = wait_until("the swupdate wave to finish",
                           lambda: (lambda r: r if r["state"] == "finished" else None)(
                               self.cli.json("rollout", "show", str(rid))), timeout=60)
            self.assertEqual(r["waves"][0]["counts"]["success"], 1, r)
        except AssertionError:
            for p in procs:
                print(f"--- {p.name} ---\n{p.text()[-4000:]}", file=sys.stderr)
            raise
        finally:
            for p in procs:
                p.stop()


if __name__ == "__main__":
    unittest.main()
