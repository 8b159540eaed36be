#!/usr/bin/python3
"""Records which functions of the ocirt binary a container start runs, in the
order they first run, and writes them as the link's symbol order
(link/startup-order.txt; see link/README.md).

    sudo link/record-startup-order.py BUILD/src/ocirt [--out link/startup-order.txt]

How: one uprobe (tracefs) at the entry of every function symbol of the
binary, then a workload run by that binary: `run` of a busybox bundle, the
same as `create` + `start` + `state` + `delete` (the way containerd drives a
runtime), podman 4.3's full config when ../shared/data has it, and `list`.
Both processes count: the command and the re-exec'd init stage (its sealed
copy is an overlay of the same file, so the uprobes fire in it too). The
uprobes are removed on every exit path. Needs root and tracefs.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TRACEFS = "/sys/kernel/tracing"
GROUP = "ocirt_order"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tracefs(path, text, append=False):
    """One write(2) to a tracefs file (os.open: Python's append mode seeks, which tracefs refuses)."""
    fd = os.open(os.path.join(TRACEFS, path), os.O_WRONLY | (os.O_APPEND if append else os.O_TRUNC))
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def text_symbols(binary):
    """(name, file offset) of every function symbol, from the executable's own symbol table."""
    loads = []
    for line in subprocess.run(["readelf", "-lW", binary], check=True, capture_output=True, text=True).stdout.splitlines():
        p = line.split()
        if p and p[0] == "LOAD" and "E" in p[6:-1]:
            loads.append((int(p[2], 16), int(p[1], 16), int(p[4], 16)))  # vaddr, offset, filesz
    seen, out = set(), []
    nm = subprocess.run(["nm", "--defined-only", binary], check=True, capture_output=True, text=True).stdout
    for line in nm.splitlines():
        p = line.split()
        if len(p) != 3 or p[1] not in "tTwW" or p[2] in seen:
            continue
        addr = int(p[0], 16)
        for vaddr, offset, size in loads:
            if vaddr <= addr < vaddr + size:
                seen.add(p[2])
                out.append((p[2], addr - vaddr + offset))
    return out


def workload(binary, work):
    bundle = os.path.join(work, "bundle")
    subprocess.run([os.path.join(REPO, "scripts/make-bundle.sh"), "--runtime", binary, bundle, "/bin/true"],
                   check=True, stdout=subprocess.DEVNULL)
    root = ["--root", os.path.join(work, "root")]
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for i in range(3):
        subprocess.run([binary, *root, "run", "--bundle", bundle, f"order-run-{i}"], check=True, **quiet)
        subprocess.run([binary, *root, "create", "--bundle", bundle, f"order-csd-{i}"], check=True, **quiet)
        subprocess.run([binary, *root, "state", f"order-csd-{i}"], check=True, **quiet)
        subprocess.run([binary, *root, "list"], check=True, **quiet)
        subprocess.run([binary, *root, "start", f"order-csd-{i}"], check=True, **quiet)
        subprocess.run([binary, *root, "delete", "--force", f"order-csd-{i}"], check=True, **quiet)
    podman = os.path.join(REPO, "..", "shared", "data", "podman-4.3-config.json")
    if os.path.exists(podman):
        # podman's config with the busybox rootfs, /bin/true, and no host files it binds.
        with open(podman) as f:
            config = json.load(f)
        config["root"] = {"path": os.path.join(bundle, "rootfs"), "readonly": False}
        config["process"]["args"] = ["/bin/true"]
        config["process"]["terminal"] = False
        config["process"].pop("rlimits", None)
        config["mounts"] = [m for m in config.get("mounts", []) if m.get("type") != "bind"]
        config.pop("hooks", None)
        config["linux"].pop("cgroupsPath", None)
        podman_bundle = os.path.join(work, "podman")
        os.makedirs(podman_bundle)
        with open(os.path.join(podman_bundle, "config.json"), "w") as f:
            json.dump(config, f)
        run = subprocess.run([binary, *root, "run", "--bundle", podman_bundle, "order-podman"], **quiet)
        if run.returncode != 0:
            print("record-startup-order: podman's config did not run; recorded without it", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("--out", default=os.path.join(REPO, "link", "startup-order.txt"))
    args = ap.parse_args()
    binary = os.path.realpath(args.binary)
    symbols = text_symbols(binary)
    if not os.path.isdir(os.path.join(TRACEFS, "events")):
        subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS], check=True)
    work = tempfile.mkdtemp(prefix="ocirt-order-")
    placed, skipped = [], []
    try:
        for i, (_, off) in enumerate(symbols):
            try:
                tracefs("uprobe_events", f"p:{GROUP}/f{i} {binary}:{off:#x}\n", append=True)
                placed.append(i)
            except OSError:  # an offset the kernel refuses: that symbol stays unrecorded
                skipped.append(symbols[i][0])
        tracefs("buffer_size_kb", "65536")
        tracefs("trace", "")
        tracefs(f"events/{GROUP}/enable", "1")
        workload(binary, work)
        tracefs(f"events/{GROUP}/enable", "0")
        with open(os.path.join(TRACEFS, "trace")) as f:
            trace = f.read()
    finally:
        try:
            tracefs(f"events/{GROUP}/enable", "0")
        except OSError:
            pass
        for i in placed:
            tracefs("uprobe_events", f"-:{GROUP}/f{i}\n", append=True)
        tracefs("trace", "")
        shutil.rmtree(work, ignore_errors=True)
    order, seen, comms = [], set(), set()
    for line in trace.splitlines():
        m = re.search(rf"^\s*(\S+)-\d+\s.*\s{GROUP[:0]}f(\d+): \(", line)
        if not m:
            continue
        comms.add(m.group(1))
        i = int(m.group(2))
        if i not in seen:
            seen.add(i)
            order.append(symbols[i][0])
    if "ocirt" not in "".join(comms):
        sys.exit(f"record-startup-order: no uprobe hits recorded (processes seen: {sorted(comms)})")
    with open(args.out, "w") as f:
        f.write(f"# Written by link/record-startup-order.py: the {len(order)} functions a container start runs,\n"
                f"# in the order they first run (of {len(symbols)} in the binary). See link/README.md.\n")
        f.writelines(name + "\n" for name in order)
    print(f"{args.out}: {len(order)} of {len(symbols)} functions, from processes {sorted(comms)}"
          f"; {len(skipped)} symbols could not be probed")


if __name__ == "__main__":
    main()
