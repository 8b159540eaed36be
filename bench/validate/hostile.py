#!/usr/bin/env python3
"""Prints how `ocirt validate` scales with the number of entries of a list: minified configs
(one line, the worst case for columns) with 1,000, 10,000 and 100,000 entries of each kind,
CPU seconds and peak RSS of the validate process. Linear or n log n checks give ~10x per row;
a quadratic one ~100x.

usage: bench/validate/hostile.py [BUILD_DIR] [SIZES...]     (default: build, 1000 10000 100000)
"""

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def base():
    return {"ociVersion": "1.3.0", "root": {"path": "rootfs"},
            "process": {"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0}, "env": []},
            "mounts": [],
            "linux": {"namespaces": [{"type": "mount"}, {"type": "network"}]}}


def fill(kind, c, n):
    p, l = c["process"], c["linux"]
    if kind == "devices (repeated)":
        l["devices"] = [{"path": "/dev/x", "type": "c", "major": 1, "minor": 3}] * n
    elif kind == "namespaces (repeated)":
        l["namespaces"] += [{"type": "pid"}] * n
    elif kind == "rlimits (repeated)":
        p["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}] * n
    elif kind == "hugepageLimits (repeated)":
        l["resources"] = {"hugepageLimits": [{"pageSize": "2MB", "limit": 0}] * n}
    elif kind == "capabilities (unknown)":
        p["capabilities"] = {"bounding": [f"CAP_X{i}" for i in range(n)]}
    elif kind == "netDevices (clashing)":
        l["netDevices"] = {f"d{i}": {"name": "eth0"} for i in range(n)}
    elif kind == "sysctl (host)":
        l["sysctl"] = {f"vm.x{i}": "1" for i in range(n)}
    elif kind == "mounts":
        c["mounts"] = [{"destination": f"/m/{i}", "type": "tmpfs", "source": "tmpfs"} for i in range(n)]
    elif kind == "env":
        p["env"] = [f"V{i}=x" for i in range(n)]
    elif kind == "maskedPaths":
        l["maskedPaths"] = [f"/p/{i}" for i in range(n)]
    elif kind == "readonlyPaths (NUL)":
        l["readonlyPaths"] = [f"/p\0{i}" for i in range(n)]
    elif kind == "duplicate keys":
        return "{" + ",".join(['"k":1'] * n) + "," + json.dumps(c)[1:]
    return json.dumps(c)


KINDS = ["devices (repeated)", "namespaces (repeated)", "rlimits (repeated)", "hugepageLimits (repeated)",
         "capabilities (unknown)", "netDevices (clashing)", "sysctl (host)", "mounts", "env", "maskedPaths",
         "readonlyPaths (NUL)", "duplicate keys"]


def main():
    build = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build"
    sizes = [int(s) for s in sys.argv[2:]] or [1000, 10000, 100000]
    ocirt = build / "src" / "ocirt"
    print(f"{'list':28}" + "".join(f"{n:>20,}" for n in sizes))
    print(f"{'':28}" + "".join(f"{'cpu s / RSS MiB':>20}" for _ in sizes))
    with tempfile.TemporaryDirectory() as tmp:
        for kind in KINDS:
            row = f"{kind:28}"
            for n in sizes:
                path = Path(tmp) / "config.json"
                path.write_text(fill(kind, base(), n))
                pid = os.fork()
                if pid == 0:
                    fd = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(fd, 1)
                    os.execv(str(ocirt), [str(ocirt), "validate", "--config", str(path)])
                _, _, usage = os.wait4(pid, 0)
                cpu = usage.ru_utime + usage.ru_stime
                row += f"{cpu:>12.2f} / {usage.ru_maxrss // 1024:>4}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
