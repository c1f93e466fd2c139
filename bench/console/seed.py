#!/usr/bin/python3
"""Seed a posfleetd database (already migrated by one start of posfleetd) with
a fleet for the console benchmark.

Usage: seed.py DB_PATH N

N terminals PF000001..: models A920/A80/S300, three versions, 40 groups, one
merchant per 20 terminals (some names with % and _), a fleet policy, a mode
for 10 groups and for 1 % of the terminals, three releases (3.0.0 security
with a deadline a week ahead), deployments for 60 % of the terminals over the
last 14 days (succeeded, failed, rolled back, running, scheduled) with their
status history, half of the terminals seen in the last minute.
Writes straight to SQLite in one transaction: registration is not what is
measured, and N API calls would take minutes.
"""
import json
import random
import sqlite3
import sys
import time


def main():
    db, n = sys.argv[1], int(sys.argv[2])
    rnd = random.Random(42)
    now = int(time.time())
    c = sqlite3.connect(db)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("BEGIN")
    names = ["茶馆", "面馆", "Noodle Bar", "Tea House", "100% Fresh", "Shop_A", "便利店", "Bakery"]
    merchants = max(1, n // 20)
    c.executemany(
        "INSERT INTO merchants (id, legal_name, phone, resident_id_enc, created) VALUES (?,?,?,?,?)",
        ((i, f"{names[i % len(names)]} {i}", "138%08d" % i, "", now) for i in range(1, merchants + 1)))
    models = ["A920", "A80", "S300"]
    versions = ["1.0.0", "2.0.0", "2.1.0"]
    # The policies seeded below (no locks): a terminal's own mode over its group's over the
    # fleet's "auto". The row keeps its effective mode (migration 22); the store's triggers keep
    # the tally and each terminal's update state as these rows go in.
    def effective_mode(i):
        if i % 100 == 1:
            return ["never", "manual", "auto"][i % 3]
        if i % 40 < 10:
            return ["manual", "never"][(i % 40) % 2]
        return "auto"

    rows = []
    for i in range(1, n + 1):
        seen = now - rnd.randint(0, 50) if i % 2 else now - rnd.randint(3600, 30 * 86400)
        rows.append((i, "DEFAULT", "PF%06d" % i, models[i % 3], "h%d" % i, versions[rnd.randrange(3)],
                     json.dumps({"slot_active": "a", "slot_a_version": "1.0.0"}), now - 90 * 86400, seen,
                     "g%d" % (i % 40), 1 + (i % merchants), effective_mode(i)))
    c.executemany(
        "INSERT INTO terminals (id, tenant, serial, model, token_hash, installed_version, attributes, created,"
        " last_seen, group_name, merchant_id, effective_mode) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def policy(scope, key, patch, rev):
        c.execute("INSERT INTO policies (scope, scope_key, patch, revision, mode_revision) VALUES (?,?,?,?,?)",
                  (scope, key, json.dumps(patch), rev, rev))
        c.execute("INSERT INTO policy_changes (id, scope, scope_key, before, after, actor, path, reason, outcome, time)"
                  " VALUES (?,?,?,?,?,?,?,?,?,?)",
                  (rev, scope, key, "{}", json.dumps(patch), "bench", "console", "bench", "applied", now))

    rev = 1
    policy("fleet", "", {"mode": "auto", "window": {"start": "22:00", "end": "06:00"}}, rev)
    for g in range(10):
        rev += 1
        policy("group", "g%d" % g, {"mode": ["manual", "never"][g % 2]}, rev)
    for i in range(1, n + 1, 100):
        rev += 1
        policy("terminal", "PF%06d" % i, {"mode": ["never", "manual", "auto"][i % 3]}, rev)

    c.execute("INSERT INTO artifacts (sha256, sha1, md5, size) VALUES ('00', '00', '00', 1)")
    for rid, (v, sec) in enumerate([("2.0.0", 0), ("2.1.0", 0), ("3.0.0", 1)], start=1):
        c.execute("INSERT INTO releases (id, version, manifest, models, key_ids, expires, security, created,"
                  " security_deadline) VALUES (?,?,?,?,?,?,?,?,?)",
                  (rid, v, "{}", "A920,A80,S300", "bench", now + 365 * 86400, sec, now,
                   now + 7 * 86400 if sec else 0))
        c.execute("INSERT INTO components (release_id, name, version, filename, sha256, length)"
                  " VALUES (?,?,?,?,?,?)", (rid, "os", v, "os.img", "00", 1))
    deployments, statuses = [], []
    did = 0
    for i in range(1, n + 1):
        if rnd.random() >= 0.6:
            continue
        did += 1
        rel = rnd.choice([1, 2, 3])
        updated = now - rnd.randint(0, 14 * 86400)
        kind = rnd.random()
        if kind < 0.7:
            st, res, code = "finished", "success", 0
        elif kind < 0.8:
            st, res, code = "finished", "failure", 16
        elif kind < 0.85:
            st, res, code = "finished", "failure", rnd.choice([31, 32])
        elif kind < 0.95:
            st, res, code = "running", "none", 0
        else:
            st, res, code = "scheduled", "none", 0
        # An open deployment entered its phase a minute ago: a healthy fleet's, which the
        # timeout sweep leaves alone (phase_since 0 would make all of them stuck, and the sweep
        # would end them a thousand at a time in the middle of the timings).
        if st == "running":
            updated, phase = now - 60, "downloading"
        else:
            phase = {"scheduled": "scheduled", "finished": "success" if res == "success" else "failed"}[st]
            if st == "scheduled":
                updated = now - 60
        deployments.append((did, i, rel, st, res, "bench", updated - 600, updated, phase, updated))
        if st != "scheduled":
            statuses.append((did, updated - 300, "proceeding", "none", 0, '["downloaded 50%"]', 500, 1000))
        if st == "finished":
            statuses.append((did, updated, "closed", res, code, '["done"]', 0, 0))
    c.executemany("INSERT INTO deployments (id, terminal_id, release_id, status, result, message, created, updated,"
                  " phase, phase_since) VALUES (?,?,?,?,?,?,?,?,?,?)", deployments)
    c.executemany("INSERT INTO action_status (deployment_id, time, execution, result, code, details, progress_cnt,"
                  " progress_of) VALUES (?,?,?,?,?,?,?,?)", statuses)
    c.execute("COMMIT")
    c.close()
    print(f"seeded {n} terminals, {merchants} merchants, {did} deployments, {len(statuses)} status lines, "
          f"{rev} policy scopes")


if __name__ == "__main__":
    main()
