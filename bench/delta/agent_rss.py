#!/usr/bin/python3
"""The agent's own peak memory while it updates by a delta patch, against the same agent
downloading the full image, as the image grows.

For each size: a real posfleetd on 127.0.0.1, release 1.1.0 with an os image of that size and
release 2.0.0 with the image changed in places plus `posfleet release delta` from 1.1.0. One
posfleet-agent installs 1.1.0 (the full image: its peak is the "full" column), is restarted so
the kernel's high-water mark starts again, and updates to 2.0.0 by the patch (the "patch"
column; the test fails if the patch was not used). Each figure is VmHWM from /proc, the agent's
whole peak resident memory: polling, TLS-less HTTP, reading the running slot, writing the new
one, hashing.

    bench/delta/agent_rss.py                  # SIZES_MIB="16 256" by default
    SIZES_MIB="16 256 1024" bench/delta/agent_rss.py

Needs the built binaries (build/bin, or POSFLEETD / POSFLEET_CLI / POSFLEET_AGENT). Everything
lives in one temp dir, removed at the end; making the patch for 1 GiB takes a few minutes.
"""
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
for var, name in (("POSFLEETD", "posfleetd"), ("POSFLEET_CLI", "posfleet"),
                  ("POSFLEET_AGENT", "posfleet-agent")):
    os.environ.setdefault(var, os.path.join(ROOT, "build", "bin", name))
from harness import Agent, Cli, Server, Workspace, wait_until  # noqa: E402

MIB = 1 << 20


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM for pid %d" % pid)


def write_images(path, size):
    """The old image (random, written in 1 MiB pieces) and the new one: three changed places and
    1 MiB added at the end, as in bench/delta/run.sh's synthetic pair."""
    rng = random.Random(size)
    old, new = os.path.join(path, "os-1.1.0.img"), os.path.join(path, "os-2.0.0.img")
    changed = {size // 4 // MIB, size // 2 // MIB, 3 * size // 4 // MIB}
    with open(old, "wb") as fo, open(new, "wb") as fn:
        for i in range(size // MIB):
            block = rng.randbytes(MIB)
            fo.write(block)
            if i in changed:
                block = block[:4096] + rng.randbytes(4096) + block[8192:]
            fn.write(block)
        fn.write(rng.randbytes(MIB))


def deployed(cli, serial, version):
    dep = cli.json("deploy", "--release", version, "--terminal", serial)["id"]

    def done():
        d = cli.json("deployment", "show", str(dep))
        return d if d["status"] == "finished" else None
    d = wait_until(f"{version} on {serial}", done, timeout=1800, interval=0.5)
    details = "\n".join(line for h in d["history"] for line in h["details"])
    if d["result"] != "success":
        raise RuntimeError(f"{version} failed on {serial}:\n{details}")
    return details


def one_size(size_mib):
    ws = Workspace(f"rss{size_mib}")
    server = Server(ws.path)
    agent = None
    try:
        cli = Cli(server, ws.path)
        cli.run("policy", "set", "--window", "00:00-00:00", "--reason", "benchmark")
        cli.run("key", "generate", "--out", "keys/release")
        write_images(ws.path, size_mib * MIB)
        t0 = time.monotonic()
        for version, delta_from in (("1.1.0", None), ("2.0.0", "1.1.0")):
            d = f"rel-{version}"
            slow = 1800  # making and uploading a 1 GiB release takes minutes
            cli.run("release", "create", "--dir", d, "--version", version, "--model", "A920",
                    "--component", f"os=os-{version}.img", timeout=slow)
            if delta_from:
                cli.run("release", "delta", "--from", f"rel-{delta_from}", "--to", d, timeout=slow)
            cli.run("release", "sign", "--dir", d, "--key", "keys/release.key", timeout=slow)
            cli.run("release", "publish", "--dir", d, timeout=slow)
        made = time.monotonic() - t0
        reg = cli.json("terminal", "register", "--serial", "RSS-1", "--model", "A920")
        agent = Agent(ws.path, server.url, "RSS-1", reg["token"], "A920",
                      [os.path.join(ws.path, "keys/release.pub")])
        # The simulated device says 1 GiB free unless told: room for the largest image here.
        hw = os.path.join(agent.device_dir, "hw")
        os.makedirs(hw, exist_ok=True)
        with open(os.path.join(hw, "storage.json"), "w") as f:
            f.write('{"free_bytes": %d}' % (64 << 30))
        agent.start()
        deployed(cli, "RSS-1", "1.1.0")
        full = vm_hwm_kib(agent.proc.pid)
        agent.stop()
        agent.start()  # a new process: its high-water mark starts again
        time.sleep(2)  # a few polls
        idle = vm_hwm_kib(agent.proc.pid)
        t1 = time.monotonic()
        details = deployed(cli, "RSS-1", "2.0.0")
        took = time.monotonic() - t1
        if "made from a patch of" not in details:
            raise RuntimeError("the patch was not used:\n" + details)
        patched = vm_hwm_kib(agent.proc.pid)
        return idle, full, patched, made, took
    finally:
        if agent:
            agent.stop()
        server.stop()
        ws.cleanup()


def main():
    sizes = [int(s) for s in os.environ.get("SIZES_MIB", "16 256").split()]
    print("image     agent idle   full download   by patch   patch/full   (release+patch made, update)")
    for size in sizes:
        idle, full, patched, made, took = one_size(size)
        print(f"{size:6d} MiB  {idle / 1024:8.1f} MiB  {full / 1024:10.1f} MiB  {patched / 1024:7.1f} MiB"
              f"   {patched / full:8.2f}x   ({made:.0f} s, {took:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
