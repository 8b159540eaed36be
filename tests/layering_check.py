#!/usr/bin/python3
"""Fails if a source or header includes a layer above its own.

Layers, lowest first (docs/architecture.md): util <- sys <- spec <- {ns, mount, cgroup,
seccomp, security, terminal, hooks, process, resctrl} <- runtime <- cli. The feature layers share one rank
and may not include each other.
"""
import re
import sys
from pathlib import Path

RANK = {"util": 0, "sys": 1, "spec": 2, "checkpoint": 3, "ns": 3, "mount": 3, "cgroup": 3, "seccomp": 3,
        "security": 3, "terminal": 3, "hooks": 3, "process": 3, "resctrl": 3, "runtime": 4, "cli": 5}
INCLUDE = re.compile(r'^\s*#\s*include\s+"ocirt/([a-z_]+)/')


def layer_of(path, root):
    parts = path.relative_to(root).parts
    if parts[0] == "include":
        return parts[2] if len(parts) > 2 else None
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def main(root):
    root = Path(root)
    problems = []
    for path in sorted(list(root.glob("src/**/*.[ch]pp")) + list(root.glob("include/**/*.hpp"))):
        own = layer_of(path, root)
        if own not in RANK:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m or m.group(1) not in RANK:
                continue
            other = m.group(1)
            upward = RANK[other] > RANK[own]
            sideways = RANK[other] == RANK[own] == 3 and other != own
            if upward or sideways:
                problems.append(f"{path.relative_to(root)}:{n}: layer {own} includes {other}")
    for p in problems:
        print(p)
    print(f"layering: {len(problems)} upward or sideways includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
