#!/usr/bin/python3
"""Add terminals straight into a posfleetd database (already migrated by one
start of posfleetd) and write "serial token" lines for poll.lua.

Usage: seed.py sqlite DB_PATH FIRST N OUT_FILE
       seed.py postgres CONNINFO FIRST N OUT_FILE

Registers terminals BENCH{FIRST:07d} .. BENCH{FIRST+N-1:07d} of model "bench",
each with a token derived from its serial (64 hex digits, the format posfleetd
hands out) and the token's SHA-256 as posfleetd stores it. A million API calls
would take most of an hour; this takes seconds. Appends to OUT_FILE.
SQLite: one transaction through Python's sqlite3. PostgreSQL: COPY through psql.
"""
import hashlib
import os
import subprocess
import sqlite3
import sys
import time

COLUMNS = "tenant, serial, model, token_hash, created, last_seen"


def rows(first, n, now, seen_ago):
    for i in range(first, first + n):
        serial = f"BENCH{i:07d}"
        token = hashlib.sha256(f"posfleet-bench-{serial}".encode()).hexdigest()
        # Last seen SEEN_AGO seconds ago (an hour by default): then the first poll of each writes
        # last_seen, as in the field, where a terminal polls once an interval and posfleetd
        # records a poll once a step (a third of the online window, the interval by default).
        # SEEN_AGO=0 is a fleet that has just polled: its polls within the step write nothing.
        yield serial, token, hashlib.sha256(token.encode()).hexdigest(), now - seen_ago


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in ("sqlite", "postgres"):
        sys.exit(__doc__)
    backend, target, first, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    now = int(time.time())
    seen_ago = int(os.environ.get("SEEN_AGO", "3600"))
    t0 = time.monotonic()
    with open(out, "a") as pairs:
        if backend == "sqlite":
            c = sqlite3.connect(target, timeout=60)
            c.execute("BEGIN")
            batch = []
            for serial, token, token_hash, seen in rows(first, n, now, seen_ago):
                pairs.write(f"{serial} {token}\n")
                batch.append(("DEFAULT", serial, "bench", token_hash, now, seen))
                if len(batch) == 50_000:
                    c.executemany(f"INSERT INTO terminals ({COLUMNS}) VALUES (?,?,?,?,?,?)", batch)
                    batch.clear()
            c.executemany(f"INSERT INTO terminals ({COLUMNS}) VALUES (?,?,?,?,?,?)", batch)
            c.commit()
            c.close()
        else:
            psql = subprocess.Popen(
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", target, "-c",
                 f"\\copy terminals ({COLUMNS}) FROM STDIN WITH (FORMAT csv)"],
                stdin=subprocess.PIPE, text=True)
            for serial, token, token_hash, seen in rows(first, n, now, seen_ago):
                pairs.write(f"{serial} {token}\n")
                psql.stdin.write(f"DEFAULT,{serial},bench,{token_hash},{now},{seen}\n")
            psql.stdin.close()
            if psql.wait(timeout=3600) != 0:
                sys.exit("seed.py: psql COPY failed")
            subprocess.run(["psql", "-X", "-q", target, "-c", "ANALYZE terminals"], check=True)
    print(f"seeded {n} terminals in {time.monotonic() - t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
