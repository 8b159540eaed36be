"""The cgroup tests need cgroup2 on /sys/fs/cgroup, as a unified host (and the VM lane) has it.

On a v1/v2 hybrid host (/sys/fs/cgroup a tmpfs of v1 hierarchies, cgroup2 at
/sys/fs/cgroup/unified) each test module of this directory runs in a private
mount namespace of the pytest process with cgroup2 mounted on /sys/fs/cgroup:

    unshare(CLONE_NEWNS); mount --make-rprivate /; mount -t cgroup2 none /sys/fs/cgroup

The runtime and the containers started by the tests inherit that namespace.
It is the same cgroup2 hierarchy as /sys/fs/cgroup/unified, with the
controllers the host gives it (here: hugetlb only); tests of a controller it
lacks skip and say so. At the end of the module the process returns to its
original mount namespace (setns), so the other tests see the host unchanged.
"""

import ctypes
import os
import subprocess

import pytest

from cgroup_host import CG_ROOT, is_cgroup2, lane

CLONE_NEWNS = 0x00020000


def _libc_call(name, *args):
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")


@pytest.fixture(scope="module", autouse=True)
def cgroup2_on_sys_fs_cgroup():
    if is_cgroup2(CG_ROOT):
        yield
        return
    if lane() == "vm":
        pytest.fail(f"VM lane: {CG_ROOT} is not a cgroup2 mount")
    if os.geteuid() != 0:
        pytest.skip("the cgroup tests mount cgroup2 in a private mount namespace and need root")
    original = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    cwd = os.getcwd()
    try:
        _libc_call("unshare", CLONE_NEWNS)
        subprocess.run(["mount", "--make-rprivate", "/"], check=True)
        subprocess.run(["mount", "-t", "cgroup2", "none", CG_ROOT], check=True)
        yield
    finally:
        # setns into a mount namespace resets the working directory: restore it.
        _libc_call("setns", original, CLONE_NEWNS)
        os.close(original)
        os.chdir(cwd)
