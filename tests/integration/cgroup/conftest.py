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

The v1 modules are the exception — those with `v1` as a word of their name
(test_v1_*.py, test_rootless_v1.py): they test the host's v1 hierarchies (a
hybrid or legacy host) in the host's own mount namespace, and skip on a unified
host.
"""

import os
import subprocess

import pytest

from cgroup_host import CG_ROOT, is_cgroup2, lane
from host import private_mount_namespace


@pytest.fixture(scope="module", autouse=True)
def cgroup2_on_sys_fs_cgroup(request):
    # The v1 modules (`v1` a word of the name) test the host's own v1 hierarchies (v1_host.py):
    # no private mount.
    if "v1" in request.module.__name__.split(".")[-1].split("_"):
        yield
        return
    if is_cgroup2(CG_ROOT):
        yield
        return
    if lane() == "vm":
        pytest.fail(f"VM lane: {CG_ROOT} is not a cgroup2 mount")
    if os.geteuid() != 0:
        pytest.skip("the cgroup tests mount cgroup2 in a private mount namespace and need root")
    with private_mount_namespace():
        subprocess.run(["mount", "-t", "cgroup2", "none", CG_ROOT], check=True)
        yield
