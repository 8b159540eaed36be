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
    """[(file offset, [names])] of every function symbol, from the executable's own symbol
    table; aliases (a destructor's D1 and D2, say) share one offset and one uprobe."""
    loads = []
    for line in subprocess.run(["readelf", "-lW", binary], check=True, capture_output=True, text=True).stdout.splitlines():
        p = line.split()
        if p and p[0] == "LOAD" and "E" in p[6:-1]:
            loads.append((int(p[2], 16), int(p[1], 16), int(p[4], 16)))  # vaddr, offset, filesz
    by_offset = {}
    nm = subprocess.run(["nm", "--defined-only", binary], check=True, capture_output=True, text=True).stdout
    for line in nm.splitlines():
        p = line.split()
        if len(p) != 3 or p[1] not in "tTwW":
            continue
        addr = int(p[0], 16)
        for vaddr, offset, size in loads:
            if vaddr <= addr < vaddr + size:
                names = by_offset.setdefault(addr - vaddr + offset, [])
                if p[2] not in names:
                    names.append(p[2])
    return sorted(by_offset.items())


def workload(binary, work):
    """The steps of the recording, each a list of commands (argv lists)."""
    bundle = os.path.join(work, "bundle")
    subprocess.run([os.path.join(REPO, "scripts/make-bundle.sh"), "--runtime", binary, bundle, "/bin/true"],
                   check=True, stdout=subprocess.DEVNULL)
    ocirt = [binary, "--root", os.path.join(work, "root")]
    steps = []
    for i in range(2):
        steps.append([[*ocirt, "run", "--bundle", bundle, f"order-run-{i}"]])
        steps.append([[*ocirt, "create", "--bundle", bundle, f"order-csd-{i}"],
                      [*ocirt, "state", f"order-csd-{i}"],
                      [*ocirt, "list"],
                      [*ocirt, "start", f"order-csd-{i}"],
                      [*ocirt, "delete", "--force", f"order-csd-{i}"]])
    podman = os.path.join(REPO, "..", "shared", "data", "podman-4.3-config.json")
    if os.path.exists(podman):
        # podman's config with the busybox rootfs, /bin/true, and none of the host files it binds.
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
        steps.append([[*ocirt, "run", "--bundle", podman_bundle, "order-podman"]])
    else:
        print(f"record-startup-order: no {podman}: recorded without podman's config", file=sys.stderr)
    return steps


# A hit: "ocirt-1234   [001] .....  12.345678: f42: (0x55d0c0ffee00)"
HIT = re.compile(r"^\s*(\S+)-\d+\s.*\sf(\d+): \(")


def harvest(order, seen, comms):
    """Adds the probes hit since the last call, in first-hit order, then turns them off so
    that the next steps' trace holds only code not yet seen (the buffer cannot overflow
    with calls of a hot function)."""
    with open(os.path.join(TRACEFS, "trace")) as f:
        trace = f.read()
    m = re.search(r"entries-in-buffer/entries-written: (\d+)/(\d+)", trace)
    if m and m.group(1) != m.group(2):
        sys.exit(f"record-startup-order: the trace buffer overflowed ({m.group(1)} of {m.group(2)} kept); "
                 "raise buffer_size_kb in this script")
    for line in trace.splitlines():
        m = HIT.search(line)
        if not m:
            continue
        comms.add(m.group(1))
        i = int(m.group(2))
        if i not in seen:
            seen.add(i)
            order.append(i)
            tracefs(f"events/{GROUP}/f{i}/enable", "0")
    tracefs("trace", "")


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
    placed, skipped = [], 0
    buffer_kb = None
    order, seen, comms = [], set(), set()
    steps = []
    # Files, not pipes: a created container's init stage holds the command's stdio until `start`.
    errors = os.path.join(work, "stderr")
    try:
        steps = workload(binary, work)
        for i, (offset, _) in enumerate(symbols):
            try:
                tracefs("uprobe_events", f"p:{GROUP}/f{i} {binary}:{offset:#x}\n", append=True)
                placed.append(i)
            except OSError:  # an offset the kernel refuses: that function stays unrecorded
                skipped += 1
        with open(os.path.join(TRACEFS, "buffer_size_kb")) as f:
            size = f.read()  # "1410", or "7 (expanded: 1408)" before the buffer is first used
        expanded = re.search(r"expanded: (\d+)", size)
        buffer_kb = expanded.group(1) if expanded else size.split()[0]  # given back below
        tracefs("buffer_size_kb", "65536")
        tracefs("trace", "")
        tracefs(f"events/{GROUP}/enable", "1")
        for step in steps:
            for argv in step:
                with open(errors, "w") as err:
                    code = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err).returncode
                if code != 0:
                    with open(errors) as err:
                        sys.exit(f"record-startup-order: {' '.join(argv[3:])} failed: {err.read().strip()}")
            harvest(order, seen, comms)
    finally:
        try:
            tracefs(f"events/{GROUP}/enable", "0")
        except OSError:
            pass
        for i in placed:
            tracefs("uprobe_events", f"-:{GROUP}/f{i}\n", append=True)
        tracefs("trace", "")
        if buffer_kb:
            tracefs("buffer_size_kb", buffer_kb)
        # Whatever a failed step left: its containers (and their cgroups), then the work dir.
        for argv in (argv for step in steps for argv in step if argv[3] in ("run", "create")):
            subprocess.run([*argv[:3], "delete", "--force", argv[-1]], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    if not order:
        sys.exit(f"record-startup-order: no uprobe hits recorded (processes seen: {sorted(comms)})")
    names = [name for i in order for name in symbols[i][1]]
    with open(args.out, "w") as f:
        f.write(f"# Written by link/record-startup-order.py: the {len(order)} functions a container start runs,\n"
                f"# in the order they first run (of {len(symbols)} in the binary). See link/README.md.\n")
        f.writelines(name + "\n" for name in names)
    print(f"{args.out}: {len(order)} of {len(symbols)} functions ({len(names)} names), from processes "
          f"{sorted(comms)}; {skipped} could not be probed")


if __name__ == "__main__":
    main()
