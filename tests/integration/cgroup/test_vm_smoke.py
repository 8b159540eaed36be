"""The VM lane itself (tests/vm/run-vm-tests.sh): a kernel with cgroup v2 alone
on /sys/fs/cgroup and every controller, a real block device for io.max, and
an ocirt that runs containers there. The cgroup tests rely on all of it, so
when one of these fails, read it before their failures.

Runs only in the VM (OCIRT_CGROUP_LANE=vm); on the host lane every test here
skips with that reason.
"""

import os
import stat
import uuid
from pathlib import Path

import pytest

from runner import probe_output

pytestmark = pytest.mark.skipif(
    os.environ.get("OCIRT_CGROUP_LANE") != "vm",
    reason="checks the VM lane's kernel; runs only inside it (OCIRT_CGROUP_LANE=vm, "
           "meson test --suite vm)")

CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = {"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"}


def mount_types():
    """{mount point: filesystem type} from our mountinfo."""
    types = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            fs_type = fields[fields.index("-") + 1]
            types[fields[4]] = fs_type
    return types


def test_cgroup2_alone_is_mounted_on_sys_fs_cgroup():
    types = mount_types()
    assert types.get(str(CGROUP_ROOT)) == "cgroup2", types
    v1 = [point for point, fs_type in types.items() if fs_type == "cgroup"]
    assert not v1, f"cgroup v1 hierarchies mounted: {v1}"


def test_every_controller_is_available():
    available = set((CGROUP_ROOT / "cgroup.controllers").read_text().split())
    assert CONTROLLERS <= available, f"missing controllers: {sorted(CONTROLLERS - available)}"


def test_v1_controllers_are_disabled_on_the_command_line():
    assert "cgroup_no_v1=all" in Path("/proc/cmdline").read_text().split()


def test_the_virtio_disk_takes_io_max_and_weights():
    device = os.environ.get("OCIRT_VM_BLOCK_DEVICE", "/dev/vda")
    st = os.stat(device)
    assert stat.S_ISBLK(st.st_mode), f"{device} is not a block device"
    numbers = f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    (CGROUP_ROOT / "cgroup.subtree_control").write_text("+io")
    group = CGROUP_ROOT / f"vm-smoke-{uuid.uuid4().hex[:8]}"
    group.mkdir()
    try:
        (group / "io.max").write_text(f"{numbers} wbps=1048576")
        assert f"{numbers} rbps=max wbps=1048576" in (group / "io.max").read_text()
        assert (group / "io.weight").exists()
        assert (group / "io.bfq.weight").exists(), "bfq is not loaded for the disk"
    finally:
        group.rmdir()


def test_ocirt_runs_a_container(env, bundle):
    cid = env.new_id()
    bundle.args("/bin/true").save()
    env.rt.run(cid, bundle.path).check()


def test_ocirt_runs_the_probe_as_pid_1(env, bundle):
    cid = env.new_id()
    bundle.probe("report").save()
    result = env.rt.run(cid, bundle.path).check()
    assert probe_output(result.out)["pid"] == 1
