"""What the lane must not leave behind, looked at before and after.

- processes: any whose command line names the lane's work directory
  (daemons, shims, conmon) or whose cgroup is under a lane parent
  (/<engines.LANE>-*: the containers);
- cgroups: any under a lane parent; the empty parents themselves are the
  lane's to remove;
- mounts under the work directory once the engines have stopped (podman's
  storage is unmounted by `podman system reset`);
- paths the engines write outside their configured directories when they
  did not exist before: state roots of the runtimes and engines.
"""

import os

from engines import LANE

CG = "/sys/fs/cgroup"
# Paths an engine or runtime may create despite the lane's private
# directories; each new one is reported (and removed when it is an empty
# directory or a known file, so that the next run starts clean).
WATCHED = [
    "/run/ocirt", "/run/ocirt.cache", "/run/runc", "/run/containerd", "/run/docker", "/run/libpod", "/run/containers",
    "/var/lib/containerd", "/var/lib/docker", "/var/lib/containers", "/var/lib/cni",
    "/etc/docker/key.json", "/etc/cni/net.d/87-podman-bridge.conflist", "/opt/containerd",
    "/var/run/docker.sock", "/run/docker.sock",
]
# Made by an engine whatever it is told, so not the runtime's doing: removed
# when new and empty, and named in the log, without failing the lane.
# containerd 1.6 (also the one dockerd starts) puts its shims' sockets in
# /run/containerd/s (a constant in its shim package); dockerd 20.10 writes its
# trust key to /etc/docker/key.json and makes /run/docker/plugins whatever
# --exec-root says, and the containerd it starts makes /opt/containerd.
# containerd's runc shim, when it cleans up a task without reading the task's
# options (`containerd-shim-runc-v2 delete`), uses its default root
# /run/containerd/runc/<namespace> (seen after --uidmap; empty, no state in it).
# podman 4.3 keeps its image copy cache in /var/lib/containers/cache whatever
# --root says. podman calls the runtimes without --root as root, so runc and
# ocirt make their default state roots (an empty one is fine; a container's
# state left in it is not).
ENGINE_OWN = {"/run/containerd", "/run/containerd/s", "/run/docker", "/run/docker/plugins",
              "/etc/docker/key.json", "/opt/containerd", "/opt/containerd/bin", "/opt/containerd/lib",
              "/var/lib/containers", "/var/lib/containers/cache",
              "/var/lib/containers/cache/blob-info-cache-v1.boltdb", "/run/runc", "/run/ocirt",
              "/run/containerd/runc", f"/run/containerd/runc/{LANE}-containerd"}
# ocirt keeps compiled seccomp filters in <root>.cache/seccomp, beside its state
# root (docs/security.md), a cache meant to outlive containers: in
# /run/ocirt.cache when podman calls it.
RUNTIME_CACHE = "/run/ocirt.cache"


def is_runtime_cache(path):
    """True for ocirt's cache directory beside its default root and what is in it."""
    return path == RUNTIME_CACHE or path.startswith(RUNTIME_CACHE + "/")
# podman's cgroupfs manager puts every conmon in <parent>/conmon and leaves it.
ENGINE_OWN_CGROUPS = {f"/{LANE}-podman/conmon"}


def _listing(path):
    if not os.path.lexists(path):
        return None
    if os.path.isdir(path) and not os.path.islink(path):
        found = set()
        for root, dirs, files in os.walk(path):
            for n in dirs + files:
                found.add(os.path.join(root, n))
        return found
    return {path}


def snapshot():
    return {p: _listing(p) for p in WATCHED}


def lane_cgroups():
    found = []
    for name in os.listdir(CG):
        if name.startswith(f"{LANE}-") and os.path.isdir(os.path.join(CG, name)):
            for root, dirs, _ in os.walk(os.path.join(CG, name), topdown=False):
                found += [os.path.join(root, d) for d in dirs]
            found.append(os.path.join(CG, name))
    return found


def engine_cgroups(parent):
    """Cgroups under an engine's parent once its containers are gone (removed
    here when empty, so that the next scenario starts clean)."""
    left = []
    top = CG + parent
    if not os.path.isdir(top):
        return left
    for root, dirs, _ in os.walk(top, topdown=False):
        for d in dirs:
            path = os.path.join(root, d)
            if path[len(CG):] in ENGINE_OWN_CGROUPS:
                continue
            left.append(path[len(CG):])
            try:
                os.rmdir(path)
            except OSError:
                pass
    return left


def processes(work):
    found = []
    me = os.getpid()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == me:
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            with open(f"/proc/{pid}/cgroup") as f:
                cgroup = [l.split(":", 2)[2].strip() for l in f if l.startswith("0::")]
        except OSError:
            continue
        if work in cmd or any(c.startswith(f"/{LANE}-") for c in cgroup):
            found.append(f"pid {pid} ({cmd[:120]}) cgroup {cgroup[0] if cgroup else '?'}")
    return found


def mounts(work, own_mount=False):
    """Mount points at or under work (own_mount: the work dir's own tmpfs is the lane's)."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].replace("\\040", " ")
            if (point == work and not own_mount) or point.startswith(work + "/"):
                found.append(point)
    return found


def _new_under(before):
    """(watched path, the paths new under it since `before`), for each watched path."""
    after = snapshot()
    for path, was in before.items():
        now = after[path]
        if now is None:
            continue
        new = now - (was or set())
        if was is None:
            new.add(path)
        yield path, new


def new_paths(before):
    """Paths new since `before` (a snapshot) except the engines' own and ocirt's
    seccomp cache: what one scenario left on the host."""
    found = []
    for _, new in _new_under(before):
        found += [p for p in new if p not in ENGINE_OWN and not is_runtime_cache(p)]
    return sorted(found)


def check(before, work, notes, own_mount=False):
    """Problems (one line each) compared with `before`; cleans what it reports.
    Engine-made paths it removes go to `notes` instead."""
    problems = []
    for p in processes(work):
        problems.append(f"process left: {p}")
    for point in sorted(mounts(work, own_mount), key=len, reverse=True):
        problems.append(f"mount left: {point}")
        os.system(f"umount -l '{point}' 2>/dev/null")
    for cg in lane_cgroups():
        is_parent = os.path.dirname(cg) == CG
        if not is_parent and cg[len(CG):] not in ENGINE_OWN_CGROUPS:
            problems.append(f"cgroup left: {cg[len(CG):]}")
        try:
            os.rmdir(cg)
        except OSError as e:
            if is_parent:
                problems.append(f"cgroup {cg[len(CG):]} not removable: {e.strerror}")
    for path, new in _new_under(before):
        cache = {p for p in new if is_runtime_cache(p)}
        if cache:
            filters = sum(1 for p in cache if p.endswith(".bpf"))
            notes.append(f"ocirt's seccomp cache kept: {filters} filters in {RUNTIME_CACHE}")
            new -= cache
        new = sorted(new)
        if not new:
            continue
        if not set(new) <= ENGINE_OWN:
            # Reported, not removed: it may be someone else's (a runtime's
            # default state root is shared with whoever else uses it).
            problems.append(f"left on the host: {', '.join(new[:6])}{' …' if len(new) > 6 else ''}")
            continue
        notes.append(f"removed what the engines always make: {', '.join(new)}")
        for p in sorted(new, key=len, reverse=True):
            try:
                if os.path.isdir(p) and not os.path.islink(p):
                    os.rmdir(p)
                else:
                    os.unlink(p)
            except OSError:
                pass
    return problems
