#!/usr/bin/env python3
"""Runs one command and prints `seconds=S rss_kib=K` on stdout: its wall time and its peak
resident memory (the kernel's ru_maxrss of that process, from wait4). The command's own output
goes to stderr. Exits with the command's status."""
import os
import subprocess
import sys
import time

if len(sys.argv) < 2:
    sys.exit("usage: measure.py COMMAND [ARG...]")
start = time.monotonic()
child = subprocess.Popen(sys.argv[1:], stdout=sys.stderr)
_, status, usage = os.wait4(child.pid, 0)
seconds = time.monotonic() - start
print(f"seconds={seconds:.3f} rss_kib={usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
