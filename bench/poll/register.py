#!/usr/bin/python3
"""Register N terminals on a running posfleetd and write "serial token" lines.

Usage: register.py BASE_URL ADMIN_TOKEN N OUT_FILE [CONNECTIONS]

Registration is not what we measure, so it only has to be fast enough not to
dominate the run: a few keep-alive connections in parallel threads (each
insert is a small SQLite write, so more than a handful gains nothing).
Also saves one real poll reply to OUT_FILE.reply so the nginx baseline can
serve a body of exactly the same size.
"""
import http.client
import json
import sys
import threading
import urllib.parse


def connect(base):
    u = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def register(base, admin, serials, out, errors):
    conn = connect(base)
    headers = {"Authorization": "Bearer " + admin, "Content-Type": "application/json"}
    for serial in serials:
        body = json.dumps({"serial": serial, "model": "bench"})
        conn.request("POST", "/api/v1/terminals", body, headers)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 201:
            errors.append(f"{serial}: HTTP {resp.status} {data[:200]!r}")
            return
        out.append((serial, json.loads(data)["token"]))
    conn.close()


def main():
    base, admin, n, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    nconn = int(sys.argv[5]) if len(sys.argv) > 5 else 4
    # Fixed-width serials so every poll reply (which echoes the serial in its
    # links) has the same length as the one the nginx baseline copies.
    serials = [f"BENCH{i:07d}" for i in range(n)]
    results = [[] for _ in range(nconn)]
    errors = []
    threads = [
        threading.Thread(target=register, args=(base, admin, serials[k::nconn], results[k], errors))
        for k in range(nconn)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit("register.py: " + "; ".join(errors[:3]))
    pairs = sorted(p for r in results for p in r)
    with open(path, "w") as f:
        for serial, token in pairs:
            f.write(f"{serial} {token}\n")

    # Sample one poll reply with a terminal wrk is not going to skew: the body
    # is the same for all of them apart from the fixed-width serial.
    serial, token = pairs[0]
    conn = connect(base)
    conn.request("GET", f"/DEFAULT/controller/v1/{serial}", headers={"Authorization": "TargetToken " + token})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        sys.exit(f"register.py: sample poll got HTTP {resp.status} {data[:200]!r}")
    with open(path + ".reply", "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
