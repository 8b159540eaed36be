#!/usr/bin/python3
"""link/startup-order.txt still names the binary's functions.

The list (link/README.md) is recorded from a release build; a function that is
renamed or removed drops out of it silently and its code falls back among the
code a start does not run, costing RSS, not correctness. This fails when so
much of the list is stale that it no longer orders the start-up: fewer than
75 % of its names in the binary (a debugoptimized build, which inlines
differently, has about 93 %).
"""
import subprocess
import sys

THRESHOLD = 0.75

binary, listing = sys.argv[1], sys.argv[2]
names = [line.strip() for line in open(listing) if line.strip() and not line.startswith("#")]
nm = subprocess.run(["nm", "--defined-only", binary], check=True, capture_output=True, text=True).stdout
defined = {line.split()[-1] for line in nm.splitlines() if line.split()}
present = sum(name in defined for name in names)
share = present / len(names) if names else 0.0
print(f"{listing}: {present} of {len(names)} names are functions of {binary} ({share:.0%})")
if share < THRESHOLD:
    print(f"fewer than {THRESHOLD:.0%}: record the list again with link/record-startup-order.py "
          "(link/README.md)")
    sys.exit(1)
