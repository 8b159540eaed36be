"""Host-side view of the cgroup v1 hierarchies for the v1 modules (test_v1_*, test_rootless_v1).

They run on a legacy (v1 only) or hybrid (v1 controllers + cgroup2 at
/sys/fs/cgroup/unified) host in the host's own mount namespace — without the
private cgroup2 mount the other modules of this directory use — and skip,
saying why, on a unified host.
"""

import time
from pathlib import Path

import pytest

# The file readers are the cgroup2 tests' own; v1 files have the same formats.
from cgroup_host import keyed, read  # noqa: F401 (re-exported to the test_v1_* modules)
from host import cgroup_mounts as host_cgroup_mounts


def cgroup_mounts():
    """[(mount point, fstype, super options)] of the cgroup mounts, the last on a point winning."""
    return [(p, t, o) for p, (t, o) in host_cgroup_mounts().items()]


def host_kind():
    mounts = cgroup_mounts()
    if any(p == "/sys/fs/cgroup" and t == "cgroup2" for p, t, _ in mounts):
        return "unified"
    v1 = [p for p, t, _ in mounts if t == "cgroup"]
    v2 = [p for p, t, _ in mounts if t == "cgroup2"]
    if v1:
        return "hybrid" if v2 else "legacy"
    return "unified" if v2 else "none"


def require_v1():
    kind = host_kind()
    if kind not in ("hybrid", "legacy"):
        pytest.skip(f"a {kind} host: the v1 tests need cgroup v1 hierarchies (a hybrid or legacy host)")


def hierarchies():
    """{key as /proc/<pid>/cgroup names it ("cpu,cpuacct", "name=systemd"): mount point}."""
    out = {}
    for point, fstype, options in cgroup_mounts():
        if fstype != "cgroup":
            continue
        opts = options.split(",")
        names = [o for o in opts if "=" not in o and o not in ("rw", "ro", "xattr", "noprefix", "clone_children",
                                                               "cpuset_v2_mode", "favordynmods", "none")]
        names += [o for o in opts if o.startswith("name=")]
        out.setdefault(",".join(names), point)
    return out


def unified_mount():
    for point, fstype, _ in cgroup_mounts():
        if fstype == "cgroup2":
            return point
    return None


def mount_of(controller):
    for key, point in hierarchies().items():
        if controller in key.split(","):
            return point
    return None


def require(*controllers):
    missing = [c for c in controllers if not mount_of(c)]
    if missing:
        pytest.skip(f"no cgroup v1 {', '.join(missing)} hierarchy is mounted on this host")


def proc_cgroups(pid):
    """{hierarchy key: path} of a process ("" for the cgroup2 entry)."""
    out = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, key, path = line.split(":", 2)
        out[key] = path
    return out


def dir_of(pid, controller):
    """The v1 directory of `controller` holding process `pid`."""
    for key, path in proc_cgroups(pid).items():
        if controller in key.split(","):
            return Path(mount_of(controller) + path)
    raise AssertionError(f"process {pid} has no {controller} entry")


def leftovers(path):
    """Directories of hierarchy path `path` that exist in any hierarchy."""
    points = list(hierarchies().values())
    if unified_mount():
        points.append(unified_mount())
    return [p + path for p in points if Path(p + path).exists()]


def wait_no_leftovers(path, timeout=10):
    deadline = time.monotonic() + timeout
    while leftovers(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return leftovers(path)


def resources(bundle):
    return bundle.linux.setdefault("resources", {})


def in_path(env, bundle, cid):
    """Gives the container the cgroupsPath /ocirt-v1-it/<cid>, checked empty at teardown."""
    path = f"/ocirt-v1-it/{cid}"
    bundle.linux["cgroupsPath"] = path
    env.defer(lambda: check_removed(env, cid, path))
    return path


def remove_empty(path):
    """rmdir of `path` and the parents up to /ocirt-v1-it in every hierarchy, where empty."""
    parts = path.strip("/").split("/")
    for n in range(len(parts), 0, -1):
        for d in leftovers("/" + "/".join(parts[:n])):
            try:
                Path(d).rmdir()
            except OSError:
                pass


def check_removed(env, cid, path):
    env.rt.invoke("delete", "--force", cid)
    container_dir = f"/ocirt-v1-it/{cid}"
    left = wait_no_leftovers(container_dir if env.info.is_runc else path)
    # runc leaves the parents it made; the test removes them (ocirt must not need it).
    if env.info.is_runc:
        remove_empty(path)
    else:
        remove_empty("/ocirt-v1-it")
    assert not left, f"cgroup directories left behind: {left}"
