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

Organisations (docs/organisations.md): ORGS resellers below the acquirer (2,000
from N = 100,000 up, else one per 500 terminals, at least 2), each with
MERCHANT_ORGS [5] merchant organisations below it; the terminals are shared
evenly among the merchant organisations in a shuffled order, so a reseller's
terminals are scattered over the serials as a fleet registered over time has
them. With RESELLER_TOKEN set, an API token of role admin for reseller
RESELLER [ORGS / 2] is stored as the server stores one (its SHA-256), and a
last line "reseller facts: KEY=VALUE ..." tells the benchmark the reseller's
organisation, how many terminals its subtree holds, one of them, and one of
the next reseller's.

Writes straight to SQLite in one transaction: registration is not what is
measured, and N API calls would take minutes.
"""
import hashlib
import json
import os
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

    # The organisation tree as the server makes it (server/store/sql/sql_store_organisations.cc):
    # ids in the order of creation, each reseller followed by its merchants, a path of ids from
    # the root ("/1/R/" and "/1/R/M/"), names unique among siblings. The acquirer is migration
    # 28's row 1.
    orgs = int(os.environ.get("ORGS") or (2000 if n >= 100000 else max(2, n // 500)))
    per_reseller = int(os.environ.get("MERCHANT_ORGS") or 5)
    if orgs < 1 or per_reseller < 1:
        sys.exit("seed.py: ORGS and MERCHANT_ORGS must be 1 or more")
    org_rows, merchant_orgs, merchants_of = [], [], []
    oid = 1
    for r in range(1, orgs + 1):
        oid += 1
        rid = oid
        org_rows.append((rid, 1, "reseller", "代理商 %04d" % r, "/1/%d/" % rid, "bench", now))
        own = []
        for m in range(1, per_reseller + 1):
            oid += 1
            org_rows.append((oid, rid, "merchant", "商户 %04d-%d" % (r, m), "/1/%d/%d/" % (rid, oid),
                             "bench", now))
            own.append(oid)
        merchant_orgs += own
        merchants_of.append((rid, own))
    c.executemany("INSERT INTO organisations (id, parent_id, kind, name, path, created_by, created)"
                  " VALUES (?,?,?,?,?,?,?)", org_rows)
    # Every merchant organisation holds N / its count terminals (the first N % count one more),
    # dealt out in an order of their own (not the rnd the rest of the seed draws from, so the
    # fleet is the same one it was before organisations).
    owner = [merchant_orgs[k % len(merchant_orgs)] for k in range(n)]
    random.Random(7).shuffle(owner)

    rows = []
    for i in range(1, n + 1):
        seen = now - rnd.randint(0, 50) if i % 2 else now - rnd.randint(3600, 30 * 86400)
        rows.append((i, "DEFAULT", "PF%06d" % i, models[i % 3], "h%d" % i, versions[rnd.randrange(3)],
                     json.dumps({"slot_active": "a", "slot_a_version": "1.0.0"}), now - 90 * 86400, seen,
                     "g%d" % (i % 40), 1 + (i % merchants), effective_mode(i), owner[i - 1]))
    c.executemany(
        "INSERT INTO terminals (id, tenant, serial, model, token_hash, installed_version, attributes, created,"
        " last_seen, group_name, merchant_id, effective_mode, org_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

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
    facts = None
    token = os.environ.get("RESELLER_TOKEN")
    if token:
        pick = int(os.environ.get("RESELLER") or max(1, orgs // 2))
        if orgs < 2 or not 1 <= pick <= orgs:
            sys.exit(f"seed.py: RESELLER must be 1..{orgs}, and the check needs 2 resellers or more")
        rid, own = merchants_of[pick - 1]
        own = set(own)
        held = [i for i in range(1, n + 1) if owner[i - 1] in own]
        if not held:
            sys.exit(f"seed.py: reseller {pick} holds no terminal; seed more terminals or fewer ORGS")
        # Its sibling: the next reseller (the one before for the last), whose terminals the
        # reseller's token must not see.
        sibling = set(merchants_of[pick if pick < orgs else pick - 2][1])
        other = next((i for i in range(1, n + 1) if owner[i - 1] in sibling), None)
        if other is None:
            sys.exit("seed.py: the next reseller holds no terminal; seed more terminals or fewer ORGS")
        # As create_api_token stores one (server/domain/api_tokens.cc): its SHA-256 in hex, its
        # maker's organisation. No audit entry: the seed writes none for anything it makes.
        c.execute("INSERT INTO api_tokens (token_hash, name, role, created, org_id) VALUES (?,?,?,?,?)",
                  (hashlib.sha256(token.encode()).hexdigest(), "bench-reseller", "admin", now, rid))
        facts = (f"reseller={pick} org={rid} terminals={len(held)} "
                 f"own_serial=PF{held[len(held) // 2]:06d} sibling_serial=PF{other:06d}")
    c.execute("COMMIT")
    c.close()
    print(f"seeded {n} terminals, {merchants} merchants, {did} deployments, {len(statuses)} status lines, "
          f"{rev} policy scopes, {orgs} resellers with {per_reseller} merchant organisations each")
    if facts:
        print(f"reseller facts: {facts}")


if __name__ == "__main__":
    main()
