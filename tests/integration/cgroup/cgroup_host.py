"""Host-side view of the cgroup v2 hierarchy for the cgroup tests.

OCIRT_CGROUP_LANE says where the tests run: "host" (default: a private mount
namespace with the host's cgroup2 on /sys/fs/cgroup) or "vm" (the VM lane: a
kernel booted with cgroup_no_v1=all, every controller available).
"""

import os
import time
from pathlib import Path

import pytest

from host import cgroup_mounts

CG_ROOT = "/sys/fs/cgroup"


def lane():
    return os.environ.get("OCIRT_CGROUP_LANE", "host")


def is_cgroup2(path):
    """True if the last mount on `path` is cgroup2."""
    return cgroup_mounts().get(path, ("",))[0] == "cgroup2"


def controllers():
    return set(Path(CG_ROOT, "cgroup.controllers").read_text().split())


def require(*names):
    """Skips the test, saying why, unless cgroup2 offers every controller named."""
    have = controllers()
    missing = [n for n in names if n not in have]
    if missing:
        pytest.skip(f"cgroup2 at {CG_ROOT} lacks {', '.join(missing)} "
                    f"(offers: {' '.join(sorted(have)) or 'none'}; lane {lane()})")


def cgroup_path_of(pid):
    """The cgroup v2 path of a host process ("/ocirt/c1")."""
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return line[3:]
    raise AssertionError(f"process {pid} has no cgroup v2 entry")


def cgroup_dir_of(pid):
    return Path(CG_ROOT + cgroup_path_of(pid))


def read(cgdir, name):
    return Path(cgdir, name).read_text().strip()


def keyed(cgdir, name):
    """A flat keyed file ("key value" lines) as a dict of ints."""
    out = {}
    for line in read(cgdir, name).splitlines():
        key, _, value = line.partition(" ")
        if value.strip().isdigit():
            out[key] = int(value)
    return out


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_gone(path, timeout=10):
    deadline = time.monotonic() + timeout
    while Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not Path(path).exists()


def running(env, bundle, *argv):
    """Creates and starts a container running `argv`; returns (id, host pid, cgroup dir)."""
    cid = env.new_id()
    bundle.args(*argv).save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    pid = env.rt.state(cid)["pid"]
    return cid, pid, cgroup_dir_of(pid)


def created(env, bundle, *argv):
    """Creates (does not start) a container running `argv`; returns (id, host pid, cgroup dir)."""
    cid = env.new_id()
    bundle.args(*argv).save()
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    return cid, pid, cgroup_dir_of(pid)


def resources(bundle):
    """The config's linux.resources, created if absent."""
    return bundle.linux.setdefault("resources", {})
