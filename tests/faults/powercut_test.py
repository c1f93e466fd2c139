"""Power-cut harness: kill the agent with SIGKILL at every state transition and
at random byte offsets of download and install, restart it, and check after
each run that

  - a bootable, committed slot exists and is the one running (nothing pending);
  - the terminal ends on exactly the old or the new version, in agreement with
    what the server recorded (success <=> new version);
  - no transaction journal entry is lost or duplicated, and the merchant's
    settings are intact.

Runs are randomized: good updates and ones whose new slot fails its health
check or never boots (rollback paths), each killed at a random crash point
(POSFLEET_FAULT, agent/state/fault_injection.h). The seed is printed; set
POSFLEET_POWERCUT_SEED to replay, POSFLEET_POWERCUT_RUNS for the count (CI:
300; bench/powercut runs 1,000).

What SIGKILL does not simulate: losing writes that were not yet fsync'ed. The
agent syncs every state file and slot before it moves on; a block-device
fault injector would be the next step.
"""
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import Agent, Cli, Server, Workspace, binary, wait_until  # noqa: E402

# The crash points among the update's states, from their one list (agent/state/states.def).
STATES = [m.group(1) for m in re.finditer(
    r"^POSFLEET_STATE\((\w+), \w+, true\)", open(os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "agent", "state", "states.def")).read(),
    re.MULTILINE)]
OLD, NEW = "1.0.0", "4.0.0"
SIZES = {"os": 400_000, "app": 60_000}
SETTINGS = {"receipt": "short", "tips": True}


class PowerCutTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("powercut")
        self.server = Server(self.ws.path)
        self.cli = Cli(self.server, self.ws.path)
        self.cli.run("policy", "set", "--window", "00:00-00:00", "--reason", "power-cut runs install at any hour")
        self.cli.run("key", "generate", "--out", "keys/release")
        args = ["release", "create", "--dir", "rel", "--version", NEW, "--model", "A920"]
        for name, size in SIZES.items():
            path = os.path.join(self.ws.path, name + ".img")
            with open(path, "wb") as f:
                f.write(os.urandom(size))
            args += ["--component", f"{name}={path}"]
        self.cli.run(*args)
        self.cli.run("release", "sign", "--dir", "rel", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", "rel")
        self.lock = threading.Lock()
        self.problems = []
        self.counts = {"runs": 0, "killed": 0, "unbootable": 0, "lost": 0, "duplicated": 0, "disagree": 0,
                       "hung": 0, "new": 0, "old": 0}

    def tearDown(self):
        self.server.stop()
        if not self.problems:
            self.ws.cleanup()
        else:
            print(f"kept {self.ws.path} for inspection", file=sys.stderr)

    # one run -----------------------------------------------------------------

    def run_agent(self, agent, fault):
        env = dict(os.environ)
        env.pop("POSFLEET_FAULT", None)
        if fault:
            env["POSFLEET_FAULT"] = fault
        log = open(agent.log_path, "a")
        return subprocess.Popen([binary("POSFLEET_AGENT"), "-c", agent.config_path, "run"], env=env,
                                stdout=log, stderr=subprocess.STDOUT), log

    def pay(self, agent, txn):
        subprocess.run([binary("POSFLEET_AGENT"), "-c", agent.config_path, "pay", "--amount", "100", "--id", txn],
                       check=True, capture_output=True, timeout=60)

    def one_run(self, i, rng):
        serial = f"PC{i:04d}"
        scenario = rng.choice(["good", "good", "health_fail", "boot_fail"])
        kind = rng.choice(["state", "state", "download", "install"])
        total = sum(SIZES.values())
        fault = f"state:{rng.choice(STATES)}" if kind == "state" else f"{kind}:{rng.randrange(1, total)}"
        token = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")["token"]
        agent = Agent(self.ws.path, self.server.url, serial, token, "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")], precheck_retry_seconds=1, max_boot_attempts=2)
        os.makedirs(os.path.join(agent.device_dir, "hw"), exist_ok=True)
        os.makedirs(os.path.join(agent.device_dir, "data"), exist_ok=True)
        if scenario != "good":
            with open(os.path.join(agent.device_dir, "hw", "faults.json"), "w") as f:
                json.dump({scenario: ["b"], "corrupt_settings": ["b"]}, f)
        with open(os.path.join(agent.device_dir, "data", "settings.json"), "w") as f:
            json.dump(SETTINGS, f)
        expected = [f"{serial}-1", f"{serial}-2"]
        for txn in expected:
            self.pay(agent, txn)
        dep = self.cli.json("deploy", "--release", NEW, "--terminal", serial)["id"]

        def finished():
            d = self.cli.json("deployment", "show", str(dep))
            return d if d["status"] == "finished" else None

        proc, log = self.run_agent(agent, fault)
        killed = False
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                killed = proc.returncode == -9
                break
            if finished():
                break
            time.sleep(0.1)
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
        log.close()
        if killed:
            # The merchant sells while the terminal is back on before the agent runs.
            expected.append(f"{serial}-3")
            self.pay(agent, expected[-1])
            proc, log = self.run_agent(agent, None)
        try:
            d = wait_until(f"run {i} ({fault}, {scenario}) to finish", finished, timeout=60, interval=0.2)
        except AssertionError:
            d = None
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
        log.close()
        self.check(i, agent, d, expected, fault, scenario, killed)

    def check(self, i, agent, d, expected, fault, scenario, killed):
        problems = []
        with open(os.path.join(agent.device_dir, "boot.json")) as f:
            boot = json.load(f)
        slot_json = os.path.join(agent.device_dir, "slots", boot["good"], "slot.json")
        bootable = os.path.exists(slot_json) and boot["booted"] == boot["good"] and boot["pending"] == ""
        version = None
        if bootable:
            with open(slot_json) as f:
                version = json.load(f)["version"]
        if not bootable or version not in (OLD, NEW):
            problems.append(("unbootable", f"boot {boot}, version {version}"))
        if d is None:
            problems.append(("hung", "the deployment did not finish"))
        else:
            installed = self.cli.json("terminal", "show", agent.config["terminal"])["installed_version"]
            agree = (d["result"] == "success") == (version == NEW) and (installed == NEW) == (version == NEW)
            if scenario != "good" and version == NEW:
                agree = False  # a slot that fails its checks must never be committed
            if not agree:
                problems.append(("disagree", f"server {d['result']} / {installed}, terminal {version}"))
        with open(os.path.join(agent.device_dir, "data", "journal.jsonl")) as f:
            ids = [json.loads(line)["id"] for line in f if line.strip()]
        if any(e not in ids for e in expected):
            problems.append(("lost", f"journal {ids}, expected {expected}"))
        if len(ids) != len(set(ids)) or len(ids) != len(expected):
            problems.append(("duplicated", f"journal {ids}, expected {expected}"))
        with open(os.path.join(agent.device_dir, "data", "settings.json")) as f:
            try:
                settings_ok = json.load(f) == SETTINGS or version == NEW
            except ValueError:
                settings_ok = False
        if not settings_ok:
            problems.append(("lost", "the merchant's settings were not restored"))
        if os.environ.get("POSFLEET_POWERCUT_VERBOSE"):
            print(f"run {i}: {scenario:11} {fault:22} killed={killed} -> {version} "
                  f"{d and d['result']} {problems or ''}", flush=True)
        with self.lock:
            self.counts["runs"] += 1
            self.counts["killed"] += killed
            self.counts["new" if version == NEW else "old"] += 1
            for kind, what in problems:
                self.counts[kind] += 1
                self.problems.append(f"run {i} [{scenario}, {fault}]: {kind}: {what}\n  log: {agent.log_path}")

    # the harness ------------------------------------------------------------

    def test_every_crash_point_ends_on_a_bootable_committed_slot(self):
        runs = int(os.environ.get("POSFLEET_POWERCUT_RUNS", "300"))
        seed = int(os.environ.get("POSFLEET_POWERCUT_SEED", str(random.randrange(1 << 30))))
        print(f"\npowercut: seed {seed}, {runs} runs (replay: POSFLEET_POWERCUT_SEED={seed})", flush=True)
        master = random.Random(seed)
        plan = [(i, random.Random(master.randrange(1 << 30))) for i in range(runs)]
        started = time.monotonic()

        def worker(items):
            for i, rng in items:
                try:
                    self.one_run(i, rng)
                except Exception as e:  # a harness error is a failure too, with its run
                    with self.lock:
                        self.problems.append(f"run {i}: harness error {e!r}")

        threads = [threading.Thread(target=worker, args=(plan[k::4],)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        c = self.counts
        print(f"powercut: {c['runs']} runs in {time.monotonic() - started:.0f} s, {c['killed']} killed; "
              f"ended on new {c['new']}, old {c['old']}; unbootable {c['unbootable']}, lost {c['lost']}, "
              f"duplicated {c['duplicated']}, disagreements {c['disagree']}, hung {c['hung']}", flush=True)
        self.assertEqual(self.problems, [], "\n".join(self.problems[:20]))
        self.assertEqual(c["runs"], runs)
        self.assertGreater(c["killed"], runs // 2)  # the crash points are really reached


if __name__ == "__main__":
    unittest.main(verbosity=2)
