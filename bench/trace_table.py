#!/usr/bin/python3
"""Runs `ocirt --trace FILE run` and the same `run` with runc and crun, interleaved, and prints
ocirt's phase table beside the three runtimes' wall times. bench/trace.sh prepares the binary and
the bundle and calls this; see bench/README.md ("trace.sh") and docs/trace.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CRUN_WRAPPER = ["unshare", "-m", "sh", "-c",
                'mount --make-rprivate / && mount -t cgroup2 none /sys/fs/cgroup && exec "$@"', "sh"]


def timed(argv, env=None):
    """Runs argv to completion; returns its wall time in µs (fails loudly on an error)."""
    t0 = time.monotonic_ns()
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=env, check=False)
    t1 = time.monotonic_ns()
    if r.returncode != 0:
        sys.exit(f"trace bench: {' '.join(map(str, argv))} exited {r.returncode}: {r.stderr.decode().strip()}")
    return (t1 - t0) / 1000


def crun_bundle(bundle, work):
    """crun 1.8.1 refuses ociVersion values it does not know: its copy says 1.0.2 (nothing else)."""
    config = json.loads((bundle / "config.json").read_text())
    config["root"]["path"] = str(bundle / "rootfs")
    config["ociVersion"] = "1.0.2"
    out = work / "bundle-crun"
    out.mkdir(exist_ok=True)
    (out / "config.json").write_text(json.dumps(config, indent=2))
    return out


def commands(args, work):
    """name -> function(i, trace_path) -> argv, for every runtime whose binary exists."""
    bundle = Path(args.bundle)
    cmds = {"ocirt": lambda i, t: [args.ocirt, "--root", str(work / "root-ocirt"), "--trace", str(t), "run",
                                   "--bundle", str(bundle), f"tr-ocirt-{i}"]}
    if os.access(args.runc, os.X_OK):
        cmds["runc"] = lambda i, t: [args.runc, "--root", str(work / "root-runc"), "run", "--bundle", str(bundle),
                                     f"tr-runc-{i}"]
    if os.access(args.crun, os.X_OK):
        crun_dir = crun_bundle(bundle, work)
        base = [args.crun, "--root", str(work / "root-crun")]
        if args.crun_wrapped:
            base = CRUN_WRAPPER + [args.crun, "--cgroup-manager=disabled", "--root", str(work / "root-crun")]
        cmds["crun"] = lambda i, t: base + ["run", "--bundle", str(crun_dir), f"tr-crun-{i}"]
        if args.crun_wrapped:
            cmds["crun-wrapper"] = lambda i, t: CRUN_WRAPPER + ["true"]
    return cmds


def read_trace(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def one(records, phase, stage="runtime"):
    found = [r for r in records if r["phase"] == phase and r["stage"] == stage]
    return found[0] if len(found) == 1 else None


def depth_of(records):
    """(stage, phase) -> how many spans of the same run enclose it (for the indent): the command's
    spans enclose the init stage's, never the other way round (the command waits meanwhile)."""
    depth = {}
    for r in records:
        n = 0
        for o in records:
            if o is r or (r["stage"] == "runtime" and o["stage"] == "init"):
                continue
            longer = (o["end_us"] - o["start_us"]) > (r["end_us"] - r["start_us"])
            if o["start_us"] <= r["start_us"] and r["end_us"] <= o["end_us"] and longer:
                n += 1
        depth[(r["stage"], r["phase"])] = n
    return depth


def derived(records, wall_us):
    """The gaps no span covers, worked out from the spans around them."""
    out = {}
    run = one(records, "run")
    if run:
        out["ocirt process start + exit (wall - run)"] = wall_us - (run["end_us"] - run["start_us"])
    launch, first = one(records, "launch"), one(records, "cgroup_join", "init")
    if launch and first:
        out["init stage before its first record (exec, loader, bootstrap)"] = first["start_us"] - launch["end_us"]
    prep, wait = one(records, "exec_prep", "init"), one(records, "exec_wait")
    if prep and wait:
        out["seccomp load + execve + parent wake-up (untraced)"] = wait["end_us"] - prep["end_us"]
    return out


def fmt_ms(us):
    return f"{us / 1000:8.2f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ocirt", required=True)
    p.add_argument("--ocirt-build", default="")
    p.add_argument("--runc", default="/usr/sbin/runc")
    p.add_argument("--crun", default="/usr/bin/crun")
    p.add_argument("--crun-wrapped", action="store_true")
    p.add_argument("--bundle", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    args = p.parse_args()
    work = Path(args.work)
    env = dict(os.environ)
    env.pop("OCIRT_TRACE", None)  # only the ocirt runs trace, through --trace
    cmds = commands(args, work)
    for name in cmds:
        (work / f"root-{name}").mkdir(exist_ok=True)
    walls = {name: [] for name in cmds}
    traces = []
    # Interleaved, so that whatever else the machine does falls on every runtime alike.
    for i in range(-args.warmup, args.runs):
        for name, cmd in cmds.items():
            trace = work / f"trace-{i}.jsonl"
            us = timed(cmd(i + args.warmup, trace), env)
            if i < 0:
                continue
            walls[name].append(us)
            if name == "ocirt":
                traces.append((read_trace(trace), us))

    ocirt_wall = statistics.median(walls["ocirt"])
    durations, starts = {}, {}
    for records, _ in traces:
        run = one(records, "run")
        origin = run["start_us"] if run else min(r["start_us"] for r in records)
        for r in records:
            key = (r["stage"], r["phase"])
            durations.setdefault(key, []).append(r["end_us"] - r["start_us"])
            starts.setdefault(key, []).append(r["start_us"] - origin)
    depth = depth_of(traces[0][0])
    rows = sorted(durations, key=lambda k: (statistics.median(starts[k]), -statistics.median(durations[k])))

    print(f"ocirt trace bench: `run` of /bin/true, busybox bundle; {args.runs} runs of each runtime after "
          f"{args.warmup} warm-ups, interleaved")
    print(f"ocirt: {args.ocirt} ({args.ocirt_build or 'build unknown'})")
    print()
    print(f"{'phase (indent = nesting)':<62} {'stage':<8} {'median ms':>9} {'share':>6}  {'runs':>4}")
    for key in rows:
        stage, phase = key
        med = statistics.median(durations[key])
        name = "  " * depth.get(key, 0) + phase
        print(f"{name:<62} {stage:<8} {fmt_ms(med):>9} {100 * med / ocirt_wall:5.1f}%  {len(durations[key]):>4}")
    gaps = {}
    for records, wall in traces:
        for k, v in derived(records, wall).items():
            gaps.setdefault(k, []).append(v)
    print()
    print("untraced gaps, worked out from the spans around them:")
    for k, v in gaps.items():
        med = statistics.median(v)
        print(f"  {k:<60} {'':<8} {fmt_ms(med):>9} {100 * med / ocirt_wall:5.1f}%")
    print()
    print("share = the phase's median over ocirt's median wall time; nested phases are part of their parent,")
    print("and the init stage's phases overlap the command's spawn, so shares do not add up to 100%.")
    print()
    print(f"{'wall time of `run`':<20} {'median ms':>9} {'min ms':>8} {'max ms':>8} {'vs ocirt':>9}")
    for name, values in walls.items():
        med = statistics.median(values)
        print(f"{name:<20} {fmt_ms(med):>9} {fmt_ms(min(values))} {fmt_ms(max(values))} {med / ocirt_wall:8.2f}x")
    if args.crun_wrapped and "crun" in walls:
        print("crun ran in `unshare -m` with cgroup2 mounted and --cgroup-manager=disabled (hybrid host);")
        print("its row includes that wrapper, timed alone as crun-wrapper. Its config said ociVersion 1.0.2.")


if __name__ == "__main__":
    main()
