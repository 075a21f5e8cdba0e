#!/usr/bin/env python3
"""What a command's memory is made of at its peak (Linux): runs COMMAND, reads
/proc/PID/smaps every half millisecond, and prints the largest resident set seen, split by
mapping (anonymous memory, the program's own file, libraries, pack files), then the kernel's
own peak (VmHWM, what GNU time reports as maximum resident set size).

Usage: bench/resident.py COMMAND [ARGS...]
  e.g. rm -rf /tmp/tokio.git/guild; bench/resident.py target/release/cargo-guild -q \\
         -C /tmp/tokio.git --config domains.yml domains --format json
Sampling can miss a peak shorter than its interval: VmHWM is the exact figure.
"""
import os
import re
import subprocess
import sys
import time

if len(sys.argv) < 2:
    sys.exit(__doc__)

proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
best, best_total, hwm = None, 0, 0
while proc.poll() is None:
    try:
        with open(f"/proc/{proc.pid}/smaps") as f:
            text = f.read()
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = max(hwm, int(line.split()[1]))
    except OSError:
        break
    total = sum(int(k) for k in re.findall(r"^Rss:\s+(\d+)", text, re.M))
    if total > best_total:
        best, best_total = text, total
    time.sleep(0.0005)
if best is None:
    sys.exit("the command ended before it could be sampled")

by_mapping = {}
name = None
for line in best.splitlines():
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        fields = line.split(maxsplit=5)
        name = fields[5] if len(fields) > 5 else "[anonymous]"
    elif line.startswith("Rss:"):
        by_mapping[name] = by_mapping.get(name, 0) + int(line.split()[1])
print(f"largest resident set seen: {best_total / 1024:.1f} MiB")
for mapping, kb in sorted(by_mapping.items(), key=lambda kv: -kv[1]):
    if kb >= 100:
        print(f"{kb / 1024:8.1f} MiB  {os.path.basename(mapping) if mapping.startswith('/') else mapping}")
print(f"peak resident set (VmHWM, last read before the end): {hwm / 1024:.1f} MiB")
