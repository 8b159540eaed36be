"""A "cgroup" mount where cgroup2 cannot be mounted: the container's own cgroup directory is
bound read-only from the runtime's hierarchy instead (as crun does; runc binds the whole hierarchy
when the container has no cgroup namespace), never an error."""

import pytest

from runner import probe_output
from test_mounts import mount_at
from test_namespaces import userns_bundle

pytestmark = pytest.mark.runc_deviates("runc 1.1 binds the whole hierarchy (/sys/fs/cgroup) when the "
                                       "container has no cgroup namespace")

CGROUP_MOUNT = {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}


def cgroup_mount_seen_inside(env, bundle):
    """Runs the bundle; returns (the container's cgroup path, the mount on /sys/fs/cgroup)."""
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "cgroup"]
    bundle.config["mounts"].append(dict(CGROUP_MOUNT))
    bundle.remove_namespace("cgroup")  # so /proc/self/cgroup shows the full path
    bundle.args("/bin/sh", "-c", "cat /proc/self/cgroup; exec /probe").save()
    out = env.rt.run(env.new_id(), bundle.path).check().out
    path = next(line[3:] for line in out.splitlines() if line.startswith("0::"))
    return path, mount_at(probe_output(out), "/sys/fs/cgroup")


def assert_container_cgroup_bound_read_only(path, mount):
    assert mount["fstype"] == "cgroup2"
    assert mount["root"] == path, "not the container's own cgroup directory"
    assert "ro" in mount["options"]


def test_user_namespace_without_cgroup_namespace(env, bundle):
    # EPERM: the user namespace does not own the cgroup namespace.
    path, mount = cgroup_mount_seen_inside(env, userns_bundle(bundle))
    assert_container_cgroup_bound_read_only(path, mount)


def test_sys_bound_from_the_host(env, bundle):
    # EBUSY: the bound /sys brings the host's cgroup2 mount along, and the kernel refuses the
    # same filesystem root stacked on it.
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "sysfs"]
    bundle.bind("/sys", "/sys", "ro")
    path, mount = cgroup_mount_seen_inside(env, bundle)
    assert_container_cgroup_bound_read_only(path, mount)
