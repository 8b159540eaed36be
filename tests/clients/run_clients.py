#!/usr/bin/python3
"""Entry point of `meson test --suite clients`: podman, Docker and containerd
drive ocirt through the scenarios of scenarios_cli.py (podman, docker) and
scenarios_ctr.py (containerd), each scenario also with Debian's runc as the
control.

Usage: run_clients.py OCIRT_BIN [--vm] [--engine NAME]... [--scenario NAME]...

--vm: the VM lane's part (tests/vm runs it inside its VM, where cgroup2 has
every controller): containerd only, and only the scenarios registered with
vm=True, the limit scenarios that skip on a hybrid host.

Prints a table scenario x engine x runtime and one line per failure with its
error text, then "clients: N passed, N failed, N skipped in S s" where a
failure is a scenario ocirt fails and runc passes (and an engine that does
not start, or anything left behind); a scenario both fail is listed with the
reason. Exits 1 on any failure, 77 (meson's skip) when not root or no engine
is installed (scripts/install-deps.sh installs them); with CI=true (how
.ci/run runs) a missing engine or runtime fails instead, so that a lane that
could not run is never counted as passed.

The engines run in a private mount namespace of this process with cgroup2
mounted on /sys/fs/cgroup, so that on a v1/v2 hybrid host they see a cgroup
v2 host (with the controllers the host gives cgroup2); see README.md.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import image  # noqa: E402
import leftovers  # noqa: E402
import rootless  # noqa: E402,F401  (registers the engine podman-rootless)
import scenarios_cli  # noqa: E402,F401  (registers scenarios)
import scenarios_ctr  # noqa: E402,F401
from engines import ENGINES, RUNC, Context  # noqa: E402
from lane import SCENARIOS, Failure, Skip  # noqa: E402

SKIP = 77


def cannot_run(reason):
    """Skip outside CI; in CI (CI=true) a lane that cannot run fails."""
    if os.environ.get("CI") == "true":
        print(f"FAIL (CI=true): {reason}")
        return 1
    print(f"SKIP: {reason}")
    return SKIP
RUNTIMES = ("runc", "ocirt")
NS_MARK = "OCIRT_CLIENTS_IN_NAMESPACE"


def enter_namespace():
    """Re-runs this script in a private mount namespace with cgroup2 on /sys/fs/cgroup."""
    if os.environ.get(NS_MARK):
        fs = subprocess.run(["stat", "-f", "-c", "%T", "/sys/fs/cgroup"], capture_output=True,
                            text=True).stdout.strip()
        if fs != "cgroup2fs":
            subprocess.run(["mount", "-t", "cgroup2", "none", "/sys/fs/cgroup"], check=True)
        return
    os.environ[NS_MARK] = "1"
    os.execvp("unshare", ["unshare", "--mount", "--propagation", "private",
                          sys.executable, os.path.abspath(__file__), *sys.argv[1:]])


def run_scenario(fn, ctx):
    started = time.monotonic()
    try:
        fn(ctx)
        result = ("pass", "")
    except Skip as e:
        result = ("skip", str(e))
    except Failure as e:
        result = ("FAIL", str(e))
    except Exception as e:  # a scenario bug still shows, with where it happened
        tb = traceback.extract_tb(e.__traceback__)[-1]
        result = ("FAIL", f"{type(e).__name__}: {e} ({os.path.basename(tb.filename)}:{tb.lineno})")
    return result + (time.monotonic() - started,)


def verdict(runc, ocirt, pending=None):
    """The cell's meaning: ok, REGRESSION (ocirt fails, runc passes), both-fail, skip, ...
    pending: why ocirt is expected to fail this engine (rootless.py): a failure
    is then "pending (...)", not counted as failed; a pass is XPASS, a failure."""
    if pending and ocirt[0] == "FAIL" and runc[0] == "pass":
        return f"pending ({pending.split(':')[0]})"
    if pending and ocirt[0] == "pass":
        return "XPASS"
    if ocirt[0] == "pass":
        return "ok" if runc[0] == "pass" else "ok (runc fails)"
    if ocirt[0] == "skip":
        return "skip"
    if runc[0] == "pass":
        return "REGRESSION"
    if runc[0] == "skip":
        return "REGRESSION"
    return "both fail"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("ocirt")
    ap.add_argument("--engine", action="append", choices=sorted(ENGINES))
    ap.add_argument("--scenario", action="append")
    ap.add_argument("--vm", action="store_true", help="the VM lane's part: containerd, limit scenarios")
    args = ap.parse_args()
    if os.geteuid() != 0:
        return cannot_run("the client lane runs container engines and needs root")
    ocirt = os.path.abspath(args.ocirt)
    runtimes = {"runc": RUNC, "ocirt": ocirt}
    for name, path in runtimes.items():
        if not os.access(path, os.X_OK):
            return cannot_run(f"runtime {name} missing at {path} (scripts/install-deps.sh installs runc)")
    enter_namespace()

    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="ocirt-clients-", dir="/tmp")
    if args.vm:
        # The VM's root is itself an overlay, where containerd's overlay
        # snapshots cannot keep their trusted.overlay.* attributes: the work
        # dir gets a tmpfs of its own (in this process's private mount namespace).
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "ocirt-clients", work], check=True)
    os.chmod(work, 0o755)
    before = leftovers.snapshot()
    wanted = args.engine or (["containerd"] if args.vm else list(ENGINES))
    engines = [ENGINES[n](work, runtimes) for n in wanted]
    installed = [e for e in engines if not e.missing()]
    problems = []
    for e in engines:
        if e.missing():
            text = (f"{e.name}: not installed ({', '.join(e.missing())}); "
                    f"scripts/install-deps.sh installs it")
            print(f"clients: {text}")
            if os.environ.get("CI") == "true":
                problems.append(text)
    if not installed:
        _remove_work(work, args.vm)
        return cannot_run("no container engine installed (scripts/install-deps.sh installs them)")

    rootfs = image.rootfs_tar(os.environ.get("OCIRT_BUSYBOX", "/bin/busybox"))
    tar_path, oci_path = f"{work}/rootfs.tar", f"{work}/image-oci.tar"
    with open(tar_path, "wb") as f:
        f.write(rootfs)
    with open(oci_path, "wb") as f:
        f.write(image.oci_archive(rootfs))

    results = {}  # (scenario, engine) -> {runtime: (status, text, seconds)}
    pending = {e.name: getattr(e, "pending", {}).get("ocirt") for e in installed}
    order = []
    # meson's timeout sends SIGTERM: stop the engines on the way out all the same.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        for engine in installed:
            print(f"clients: == {engine.name}", flush=True)
            try:
                engine.start()
                img = engine.import_image(tar_path, oci_path, image.IMAGE_REF)
                run_engine(engine, img, args.scenario, args.vm, work, results, order)
            except Exception as e:
                problems.append(f"{engine.name}: {e}")
                print(f"clients: {engine.name}: {e}", flush=True)
            finally:
                _stop(engine, problems)
    except Terminated:
        problems.append("terminated (SIGTERM) before the end: the table is incomplete")

    notes = []
    problems += leftovers.check(before, work, notes, own_mount=args.vm)
    for n in notes:
        print(f"clients: {n}")
    _remove_work(work, args.vm)
    return report(order, results, problems, time.monotonic() - started, pending)


def _remove_work(work, own_mount):
    shutil.rmtree(work, ignore_errors=True)
    if own_mount:
        subprocess.run(["umount", work])
        os.rmdir(work)


class Terminated(BaseException):
    """SIGTERM; a BaseException so that no scenario's `except Exception` takes it."""


def _terminated(signum, frame):
    raise Terminated()


def run_engine(engine, img, only, vm_only, work, results, order):
    """Every scenario of this engine (with vm_only, those the VM lane runs),
    runc then ocirt, each followed by removing the containers and checking
    that they left no cgroup or host path."""
    for name, kinds, fn, vm in SCENARIOS:
        if engine.name not in kinds or (only and name not in only) or (vm_only and not vm):
            continue
        if (name, engine.name) not in results:
            order.append((name, engine.name))
        cell = results.setdefault((name, engine.name), {})
        for rt in RUNTIMES:
            scratch = tempfile.mkdtemp(prefix=f"{name}-{rt}-", dir=work)
            host = leftovers.snapshot()
            cell[rt] = run_scenario(fn, Context(engine, rt, img, scratch))
            try:
                engine.remove_all()
                left = leftovers.engine_cgroups(engine.cgroup_parent)
                if left:
                    raise Failure(f"cgroups left after the containers were removed: {', '.join(left)}")
                left = leftovers.new_paths(host)
                if left:
                    raise Failure(f"left on the host: {', '.join(left[:4])}")
            except Failure as e:
                cell[rt] = ("FAIL", f"{cell[rt][1]}; cleanup: {e}".lstrip("; "), cell[rt][2])
            status, text, secs = cell[rt]
            print(f"clients: {engine.name:<10} {name:<24} {rt:<5} {status:<4} {secs:5.1f}s"
                  f"{'  ' + text if text else ''}", flush=True)


def _stop(engine, problems):
    try:
        engine.remove_all()
    except Exception as e:
        problems.append(f"{engine.name}: removing containers: {e}")
    try:
        engine.stop()
    except Exception as e:
        problems.append(f"{engine.name}: stopping: {e}")


def report(order, results, problems, seconds, pending=None):
    engines = []
    for _, eng in order:
        if eng not in engines:
            engines.append(eng)
    names = []
    for name, _ in order:
        if name not in names:
            names.append(name)
    width = max(len(n) for n in names) if names else 10
    print()
    print(f"{'scenario':<{width}}  " + "  ".join(f"{e + ' runc/ocirt':<30}" for e in engines))
    pending = pending or {}
    counts = {"passed": 0, "failed": 0, "skipped": 0, "pending": 0}
    notes = []
    for name in names:
        row = f"{name:<{width}}  "
        for eng in engines:
            cell = results.get((name, eng))
            if cell is None:
                row += f"{'-':<30}  "
                continue
            v = verdict(cell["runc"], cell["ocirt"], pending.get(eng))
            row += f"{cell['runc'][0] + '/' + cell['ocirt'][0] + '  ' + v:<30}  "
            if v.startswith("ok"):
                counts["passed"] += 1
            elif v in ("REGRESSION", "XPASS"):
                counts["failed"] += 1
            elif v.startswith("pending"):
                counts["pending"] += 1
            else:
                counts["skipped"] += 1
            if cell["runc"][:2] == cell["ocirt"][:2] and cell["runc"][0] == "skip":
                notes.append(f"  {eng} {name} [both skip]: {cell['runc'][1]}")
                continue
            for rt in RUNTIMES:
                if cell[rt][0] != "pass":
                    notes.append(f"  {eng} {name} [{rt} {cell[rt][0]}"
                                 f"{', ' + v if rt == 'ocirt' else ''}]: {cell[rt][1]}")
        print(row.rstrip())
    if notes:
        print("\nnot passing (runtime, status, verdict: text):")
        print("\n".join(notes))
    for eng, why in pending.items():
        if why and eng in engines:
            print(f"\n{eng}: ocirt's cells are pending ({why}): a failure there is listed above "
                  f"and not counted; a pass (XPASS) fails the lane: then set OCIRT_PENDING "
                  f"in tests/clients/rootless.py to None")
    if problems:
        print("\nlane problems (each fails the lane):")
        print("\n".join(f"  {p}" for p in problems))
        counts["failed"] += len(problems)
    print(f"\nclients: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped"
          f"{', ' + str(counts['pending']) + ' pending' if counts['pending'] else ''} in {seconds:.1f}s")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
