"""A "cgroup" mount inside a container on a hybrid or legacy host, as runc's mountCgroupV1: a tmpfs
on /sys/fs/cgroup holding each v1 hierarchy of the host, rooted at the container's own cgroup,
read-only; co-mounted controllers get symlinks, named hierarchies their name (systemd). ocirt binds
the container's directory (runc and crun mount the hierarchy afresh in the container's cgroup
namespace: the same view, but the kernel walks every cgroup of the hierarchy on each such mount),
and mounts afresh only in a cgroup namespace joined by path. The cgroup2 hierarchy of a hybrid
host is not shown, as with runc and crun. Checked from inside with the probe, against ocirt and
runc."""

import os

import pytest

from runner import json_lines, probe_output
from test_mounts import mount_at
from test_namespaces import namespace_holder, userns_bundle
from v1_host import hierarchies, in_path, proc_cgroups, require, require_v1, resources

LIMIT = 48 * 2 ** 20
CGROUP_MOUNT = {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}


@pytest.fixture(autouse=True)
def v1_host():
    require_v1()


def names():
    """{directory name under /sys/fs/cgroup inside: hierarchy key}, as the host mounts them."""
    return {os.path.basename(point): key for key, point in hierarchies().items()}


def in_a_namespace_with_shared_hierarchies():
    """A shell_prefix running the runtime in a mount namespace of its own where the host's v1
    hierarchies are shared mounts (a systemd host's are; this host's are private)."""
    shared = " && ".join(f"mount --make-shared {point}" for point in hierarchies().values())
    return ("exec unshare -m --propagation unchanged /bin/sh -c "
            f"'mount --make-rprivate / && {shared} && exec \"$@\"' sh \"$@\"")


def seen_inside(env, bundle, cgroupns=True, shell_prefix=None):
    """Runs a container with a memory limit; returns (path, memory.limit_in_bytes seen inside,
    whether a write there worked, the probe's stat of every name below /sys/fs/cgroup, the probe
    report)."""
    cid = env.new_id()
    path = in_path(env, bundle, cid)
    resources(bundle)["memory"] = {"limit": LIMIT}
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "cgroup"]
    bundle.config["mounts"].append(dict(CGROUP_MOUNT))
    if not cgroupns:
        bundle.remove_namespace("cgroup")
    elif not any(n["type"] == "cgroup" for n in bundle.linux["namespaces"]):
        bundle.linux["namespaces"].append({"type": "cgroup"})
    links = [f"/sys/fs/cgroup/{c}" for key in hierarchies() for c in key.split(",") if "=" not in c]
    script = ("cat /sys/fs/cgroup/memory/memory.limit_in_bytes; "
              "echo 1 > /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null && echo WROTE; "
              f"/probe stat /sys/fs/cgroup {' '.join(links)}; exec /probe")
    bundle.args("/bin/sh", "-c", script).save()
    out = env.rt.run(cid, bundle.path, shell_prefix=shell_prefix).check().out
    objects = json_lines(out)
    return path, out.splitlines()[0], "WROTE" in out.splitlines(), objects[-2], probe_output(out)


def check_layout(limit_seen, wrote, stats, report, fstype="cgroup"):
    require("memory")
    assert limit_seen == str(LIMIT), "memory.limit_in_bytes inside is not the container's limit"
    assert not wrote, "the cgroup files are writable inside"
    top = mount_at(report, "/sys/fs/cgroup")
    assert top["fstype"] == "tmpfs"
    for name, key in names().items():
        m = mount_at(report, f"/sys/fs/cgroup/{name}")
        assert m["fstype"] == fstype, (name, m)
        assert "ro" in m["options"], (name, m["options"])
        assert key.split(",")[-1] in m["super_options"] or key.split(",")[0] in m["super_options"], (name, m)
    # Nothing of the hybrid host's cgroup2 hierarchy, and nothing but the v1 hierarchies.
    below = [m["mount_point"] for m in report["mounts"] if m["mount_point"].startswith("/sys/fs/cgroup/")]
    assert sorted(set(below)) == sorted(f"/sys/fs/cgroup/{n}" for n in names())
    for key in hierarchies():
        parts = [c for c in key.split(",") if "=" not in c]
        name = next(n for n, k in names().items() if k == key)
        for c in parts:
            st = stats[f"/sys/fs/cgroup/{c}"]
            if c == name:
                assert st["type"] == "dir", (c, st)
            else:
                assert st["type"] == "lnk" and st["link"] == name, (c, st)


def test_with_a_cgroup_namespace_each_hierarchy_is_rooted_at_the_container_cgroup(env, bundle):
    path, limit_seen, wrote, stats, report = seen_inside(
        env, bundle, cgroupns=True, shell_prefix=in_a_namespace_with_shared_hierarchies())
    check_layout(limit_seen, wrote, stats, report)
    # The namespace's root is the container's cgroup: the hierarchies show it as "/", and no
    # mount event of the host's hierarchy reaches them, shared as it is.
    for name in names():
        m = mount_at(report, f"/sys/fs/cgroup/{name}")
        assert m["root"] == "/", (name, m)
        assert not [o for o in m["optional"] if o.startswith(("master:", "shared:"))], (name, m)


def test_in_a_joined_cgroup_namespace_each_hierarchy_is_mounted_afresh(env, bundle):
    # A namespace joined by path is rooted elsewhere than the container's cgroup: a fresh mount
    # shows that root (a bind of the container's directory would not be below it).
    bundle.add_namespace("cgroup", namespace_holder(env, "cgroup"))
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "cgroup"]
    bundle.config["mounts"].append(dict(CGROUP_MOUNT))
    bundle.args("/probe").save()
    report = probe_output(env.rt.run(env.new_id(), bundle.path).check().out)
    for key, point in hierarchies().items():
        m = mount_at(report, f"/sys/fs/cgroup/{os.path.basename(point)}")
        assert m["fstype"] == "cgroup" and m["root"] == "/", (key, m)


def test_without_a_cgroup_namespace_the_container_cgroup_is_bound(env, bundle):
    path, limit_seen, wrote, stats, report = seen_inside(env, bundle, cgroupns=False)
    check_layout(limit_seen, wrote, stats, report)
    for name in names():
        assert mount_at(report, f"/sys/fs/cgroup/{name}")["root"] == path


def test_in_a_user_namespace_without_a_cgroup_namespace(env, bundle):
    path, limit_seen, wrote, stats, report = seen_inside(env, userns_bundle(bundle), cgroupns=False)
    check_layout(limit_seen, wrote, stats, report)
    for name in names():
        assert mount_at(report, f"/sys/fs/cgroup/{name}")["root"] == path


def test_in_a_user_namespace_with_a_cgroup_namespace(env, bundle):
    path, limit_seen, wrote, stats, report = seen_inside(env, userns_bundle(bundle), cgroupns=True)
    check_layout(limit_seen, wrote, stats, report)
    for name in names():
        assert mount_at(report, f"/sys/fs/cgroup/{name}")["root"] == "/"


@pytest.mark.ocirt_only("crun's --cgroup-manager=disabled; runc has no such flag")
def test_without_a_container_cgroup_the_runtimes_own_cgroups_are_shown(env, bundle):
    # No cgroup of its own: the container stays in the runtime's cgroups, and the mount shows
    # those, as runc reads them from /proc/self/cgroup.
    cid = env.new_id()
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "cgroup"]
    bundle.config["mounts"].append(dict(CGROUP_MOUNT))
    bundle.remove_namespace("cgroup")
    bundle.args("/probe").save()
    report = probe_output(env.rt.invoke("--cgroup-manager=disabled", "run", "--bundle", bundle.path, cid).check().out)
    own = proc_cgroups(os.getpid())
    for name, key in names().items():
        m = mount_at(report, f"/sys/fs/cgroup/{name}")
        assert m["root"] == own[key], (name, m["root"], own[key])
        assert "ro" in m["options"]
