"""Rootless with a delegated cgroup v2 subtree (docs/rootless.md): the user's container gets its
cgroup there, can be paused, resumed and updated (the new limit in its files and seen from
inside), and the cgroup goes with delete. Runs as the user of test_rootless.py, in this
directory's private cgroup2 mount namespace; passes against runc 1.1.5 too."""

import json
import os
import uuid
from pathlib import Path

import pytest

from test_rootless import USER, rl, rl_user  # noqa: F401 (fixtures; `rl` after `delegated` in a
# test's arguments, so that its teardown deletes the container before the cgroup is removed)
from runner import wait_until

CG = Path("/sys/fs/cgroup")


@pytest.fixture
def delegated(rl_user):  # noqa: F811
    d = CG / f"ocirt-it-rl-{uuid.uuid4().hex[:8]}"
    # As systemd delegates: the user's own processes in a leaf ("caller"), beside the cgroups it
    # makes below the delegated one (cgroup2 lets no process sit in a cgroup whose controllers
    # are enabled for its children).
    (d / "caller").mkdir(parents=True)
    for p in [d, d / "cgroup.procs", d / "cgroup.subtree_control", d / "cgroup.threads",
              d / "caller", d / "caller" / "cgroup.procs"]:
        os.chown(p, rl_user.pw_uid, rl_user.pw_gid)
    yield d
    for sub in sorted(d.glob("**/"), key=lambda p: len(str(p)), reverse=True):
        if sub != d:
            sub.rmdir()
    d.rmdir()


def test_delegated_cgroup_is_used_and_pausable(runtime_info, delegated, rl):
    rl.bundle.linux["cgroupsPath"] = f"/{delegated.name}/c1"
    rl.bundle.args("/bin/sleep", "300")
    rl.save()

    def as_user(*args):  # moving a process into a cgroup needs write access to the common
        # ancestor's cgroup.procs: the user's commands run from the delegated cgroup's leaf
        return rl.run_as(*args, cgroup=delegated / "caller")

    r = as_user("run", "--detach", "--bundle", str(rl.bundle.path), "dg1")
    assert r.returncode == 0, r.stderr
    st = json.loads(rl.run_as("state", "dg1").stdout)
    procs = (delegated / "c1" / "cgroup.procs").read_text().split()
    assert str(st["pid"]) in procs
    p = as_user("pause", "dg1")
    assert p.returncode == 0, p.stderr
    assert json.loads(rl.run_as("state", "dg1").stdout)["status"] == "paused"
    assert as_user("resume", "dg1").returncode == 0
    assert as_user("delete", "--force", "dg1").returncode == 0
    wait_until(lambda: not (delegated / "c1").exists(), what="the container's cgroup to go")


def _update_case():
    """(controller, update args, file, expected value) for a controller this cgroup2 offers."""
    offered = (CG / "cgroup.controllers").read_text().split()
    if "pids" in offered:
        return "pids", ["--pids-limit", "30"], "pids.max", "30"
    if "hugetlb" in offered and Path("/sys/kernel/mm/hugepages/hugepages-2048kB").exists():
        doc = json.dumps({"hugepageLimits": [{"pageSize": "2MB", "limit": 3 * 2 ** 21}]})
        return "hugetlb", ["--resources", doc], "hugetlb.2MB.max", str(3 * 2 ** 21)
    pytest.skip(f"cgroup2 at {CG} offers neither pids nor hugetlb with 2MB pages (offers: {' '.join(offered)})")


def test_update_in_a_delegated_cgroup(runtime_info, delegated, rl):
    controller, args, name, value = _update_case()
    if controller == "hugetlb" and runtime_info.is_runc:
        pytest.skip("runc's update takes no hugepageLimits (it exits 0 and writes nothing); this cgroup2 "
                    "offers no pids controller to update instead")
    # The delegating admin enables the controller above the delegated cgroup (systemd's
    # Delegate= does the same); below it, enabling is the user's business (ocirt's, here).
    if controller not in (CG / "cgroup.subtree_control").read_text().split():
        (CG / "cgroup.subtree_control").write_text("+" + controller)
    rl.bundle.linux["cgroupsPath"] = f"/{delegated.name}/c1"
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    if args[0] == "--resources":  # a file of the user's
        doc = rl.tmp / "update.json"
        doc.write_text(args[1])
        os.chown(doc, rl.pw.pw_uid, rl.pw.pw_gid)
        args = ["--resources", str(doc)]
    r = rl.run("up1", "--detach", cgroup=delegated / "caller")
    assert r.returncode == 0, r.stderr
    cg = delegated / "c1"
    assert not (cg / name).exists() or (cg / name).read_text().strip() != value
    u = rl.run_as("update", *args, "up1")  # moves no process: runs from anywhere
    assert u.returncode == 0, u.stderr
    assert controller in (delegated / "cgroup.subtree_control").read_text().split()
    assert (cg / name).read_text().strip() == value
    # exec joins the container's cgroup: as run, from inside the delegated one.
    inside = rl.run_as("exec", "up1", "/bin/cat", f"/sys/fs/cgroup/{name}", cgroup=delegated / "caller")
    assert inside.returncode == 0, inside.stderr
    assert inside.stdout.strip() == value
    assert rl.run_as("delete", "--force", "up1").returncode == 0
    wait_until(lambda: not cg.exists(), what="the container's cgroup to go")


def test_update_devices_in_a_delegated_cgroup(runtime_info, delegated, rl):
    # A rootless container has no device filter (its devices are the host's nodes bound at
    # create): an update's device rules load none either. runc ignores the devices' errors
    # rootless; ocirt warns. Root's update of the same would deny /dev/null.
    rl.bundle.linux["cgroupsPath"] = f"/{delegated.name}/c1"
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    doc = rl.tmp / "devices.json"
    doc.write_text(json.dumps({"devices": [{"allow": False, "access": "rwm"}]}))
    os.chown(doc, rl.pw.pw_uid, rl.pw.pw_gid)
    r = rl.run("ud1", "--detach", cgroup=delegated / "caller")
    assert r.returncode == 0, r.stderr
    u = rl.run_as("update", "--resources", str(doc), "ud1")
    assert u.returncode == 0, u.stderr
    if not runtime_info.is_runc:
        assert "/linux/resources/devices: not applied: running rootless" in u.stderr, u.stderr
    inside = rl.run_as("exec", "ud1", "/bin/sh", "-c", "echo x > /dev/null && echo ok", cgroup=delegated / "caller")
    assert inside.returncode == 0 and inside.stdout.strip() == "ok", inside.stderr
    assert json.loads(rl.run_as("state", "ud1").stdout)["status"] == "running"
    assert rl.run_as("delete", "--force", "ud1").returncode == 0
    wait_until(lambda: not (delegated / "c1").exists(), what="the container's cgroup to go")


@pytest.mark.parametrize("limits", [False, True], ids=["no-limits", "limits"])
def test_delegated_cgroup_out_of_reach(runtime_info, delegated, rl, limits):
    # The user runs the runtime from outside the delegated subtree: it may make directories there,
    # but cgroup2 lets it move no process in (the common ancestor's cgroup.procs is root's).
    if runtime_info.is_runc and not limits:
        pytest.skip("runc 1.1 fails when it cannot join a cgroupsPath it was given (its fs2 manager ignores "
                    "permission errors only without one); ocirt runs without a cgroup, as for any path not "
                    "delegated (docs/rootless.md)")
    rl.bundle.linux["cgroupsPath"] = f"/{delegated.name}/c1"
    if limits:
        rl.bundle.linux["resources"] = {"pids": {"limit": 50}}
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    r = rl.run("or1", "--detach")
    if limits:
        assert r.returncode != 0
        if not runtime_info.is_runc:
            lines = r.stderr.strip().splitlines()
            assert len(lines) == 1 and "/linux/resources: running rootless" in lines[0], r.stderr
            assert "not delegated" in lines[0], r.stderr
        assert list(rl.root.iterdir()) == []
    else:
        assert r.returncode == 0, r.stderr
        pid = json.loads(rl.run_as("state", "or1").stdout)["pid"]
        assert Path(f"/proc/{pid}/cgroup").read_text() == Path("/proc/self/cgroup").read_text()
        assert rl.run_as("delete", "--force", "or1").returncode == 0
    assert not (delegated / "c1").exists()
