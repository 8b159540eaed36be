"""Rootless on a cgroup v1 (hybrid or legacy) host, in the host's own mount namespace
(conftest.py: a v1 module). The user of test_rootless.py runs the runtime (runuser):

- nothing delegated, no limits: the container runs without a cgroup of its own (it stays in the
  caller's cgroups), as runc's rootless manager does;
- nothing delegated, limits asked: refused, nothing left;
- a v1 subtree delegated to the user (a directory of the admin's in every hierarchy, chown -R to
  the user, as runc's rootless tests delegate v1; on a hybrid host with and without the cgroup2
  directory): the container's cgroups are made below it in every delegated hierarchy, the
  limits written there, the process (and exec's) in them; update, pause and resume work there;
  all gone after delete. Without cgroup2 delegated (or with the user's processes outside the
  delegated cgroup2 subtree, so that it cannot move one there), the container stays in the
  caller's cgroup2 cgroup, as with runc 1.1.

Passes against runc 1.1.5 too (OCIRT_BIN=/usr/sbin/runc); only the refusal's wording differs.
"""

import json
import os
import signal
import uuid
from pathlib import Path

import pytest

from test_rootless import rl, rl_user  # noqa: F401 (fixtures; `rl` after `v1_delegated` in a test's
# arguments, so that its teardown deletes the container before the cgroups are removed)
from runner import wait_until
from v1_host import hierarchies, leftovers, mount_of, proc_cgroups, require, require_v1, unified_mount


@pytest.fixture(autouse=True)
def v1_host():
    require_v1()


def _own_cgroups():
    """The test process's cgroups: what runuser, the runtime and a cgroup-less container inherit."""
    return proc_cgroups(os.getpid())


def _running(rl, cid, cgroup=None):
    rl.bundle.args("/bin/sleep", "300")
    rl.save()
    r = rl.run(cid, "--detach", cgroup=cgroup)
    assert r.returncode == 0, r.stderr
    return json.loads(rl.run_as("state", cid).stdout)["pid"]


def _default_paths(cid):
    # ocirt's default cgroupsPath, and runc's (its rootless config has none: /<id>).
    return [f"/ocirt/{cid}", f"/{cid}"]


def test_nothing_delegated_no_limits_runs_without_a_cgroup(rl):
    pid = _running(rl, "nl1")
    assert proc_cgroups(pid) == _own_cgroups()
    for path in _default_paths("nl1"):
        assert leftovers(path) == [], f"a cgroup was made for a container that cannot have one: {path}"
    assert rl.run_as("delete", "--force", "nl1").returncode == 0


def test_nothing_delegated_limits_are_refused(rl, runtime_info):
    require("pids")
    rl.bundle.linux["resources"] = {"pids": {"limit": 100}}
    rl.bundle.args("/bin/true")
    rl.save()
    r = rl.run("lim1")
    assert r.returncode != 0
    if runtime_info.is_runc:
        # runc 1.1: "cannot set pids limit: container could not join or create cgroup".
        assert "cannot set pids limit" in r.stderr, r.stderr
    else:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr
        assert "/linux/resources: running rootless" in lines[0] and "not delegated" in lines[0], r.stderr
    assert list(rl.root.iterdir()) == []
    for path in _default_paths("lim1"):
        assert leftovers(path) == []


def _chown_tree(path, pw):
    for dirpath, _, filenames in os.walk(path):
        os.chown(dirpath, pw.pw_uid, pw.pw_gid)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), pw.pw_uid, pw.pw_gid)


def _cgroup_pids(d):
    pids = []
    for sub in [Path(p) for p, _, _ in os.walk(d)]:
        try:
            pids += [int(x) for x in (sub / "cgroup.procs").read_text().split()]
        except OSError:
            pass
    return pids


@pytest.fixture(params=["with-cgroup2", "v1-only", "cgroup2-unreachable"])
def v1_delegated(request, rl_user):  # noqa: F811
    """/ocirt-it-rlv1-<hex> in every v1 hierarchy belonging to the user, and (not v1-only, on a
    hybrid host) in cgroup2 with a leaf "caller" for the user's commands (cgroup2 moves a process
    only for a writer of the common ancestor's cgroup.procs; v1 has no such rule). Yields the
    hierarchy path and that leaf; None for v1-only, and for cgroup2-unreachable, whose user runs
    the runtime from outside the delegated cgroup2 subtree (so it cannot move anything there)."""
    unified = unified_mount() if request.param != "v1-only" else None
    if request.param != "v1-only" and not unified:
        pytest.skip("a legacy host: no cgroup2 hierarchy to delegate")
    name = f"ocirt-it-rlv1-{uuid.uuid4().hex[:8]}"
    made = []
    try:
        for point in hierarchies().values():
            d = Path(point) / name
            d.mkdir()
            made.append(d)
            if (d / "cpuset.cpus").exists():  # a new v1 cpuset is empty: no task could join
                for f in ["cpuset.cpus", "cpuset.mems"]:
                    (d / f).write_text((Path(point) / f).read_text())
            _chown_tree(d, rl_user)
        if unified:
            d = Path(unified) / name
            (d / "caller").mkdir(parents=True)
            made.append(d)
            _chown_tree(d, rl_user)
        yield "/" + name, (Path(unified) / name / "caller") if request.param == "with-cgroup2" else None
    finally:
        for d in made:
            for pid in _cgroup_pids(d):  # a failed test's container
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            wait_until(lambda: not _cgroup_pids(d), timeout=10, what=f"{d} to be empty")
            for sub in sorted((Path(p) for p, _, _ in os.walk(d)), key=lambda p: len(str(p)), reverse=True):
                sub.rmdir()


def _joined(runtime_info):
    """The hierarchy keys the runtime puts a container in: all, but runc 1.1 knows no misc."""
    return [k for k in hierarchies() if not (runtime_info.is_runc and "misc" in k.split(","))]


def test_delegated_v1_cgroup_is_used(v1_delegated, rl, runtime_info):
    require("pids", "memory")
    base, caller = v1_delegated
    path = f"{base}/c1"
    rl.bundle.linux["cgroupsPath"] = path
    rl.bundle.linux["resources"] = {"pids": {"limit": 50}, "memory": {"limit": 64 << 20}}
    pid = _running(rl, "dg1", cgroup=caller)
    cgroups = proc_cgroups(pid)
    for key in _joined(runtime_info):
        assert cgroups[key] == path, f"{key}: the container is in {cgroups[key]}, not {path}"
    pids_dir = Path(mount_of("pids") + path)
    memory_dir = Path(mount_of("memory") + path)
    assert (pids_dir / "pids.max").read_text().strip() == "50"
    assert int((memory_dir / "memory.limit_in_bytes").read_text()) == 64 << 20
    if caller:  # cgroup2 delegated too: joined as well (docs/cgroup-v1.md)
        assert cgroups[""] == path
    elif unified_mount():  # cgroup2 not delegated, or out of reach: the container stays in the caller's
        assert cgroups[""] == _own_cgroups()[""]
    # exec joins the same cgroups; update and pause/resume work in them.
    pid_file = rl.tmp / "exec.pid"
    e = rl.run_as("exec", "--detach", "--pid-file", str(pid_file), "dg1", "/bin/sleep", "300", cgroup=caller)
    assert e.returncode == 0, e.stderr
    exec_cgroups = proc_cgroups(int(pid_file.read_text()))
    assert {k: exec_cgroups[k] for k in _joined(runtime_info)} == {k: path for k in _joined(runtime_info)}
    u = rl.run_as("update", "--pids-limit", "40", "dg1")
    assert u.returncode == 0, u.stderr
    assert (pids_dir / "pids.max").read_text().strip() == "40"
    if mount_of("freezer"):
        freezer = Path(mount_of("freezer") + path) / "freezer.state"
        p = rl.run_as("pause", "dg1")
        assert p.returncode == 0, p.stderr
        assert freezer.read_text().strip() == "FROZEN"
        assert json.loads(rl.run_as("state", "dg1").stdout)["status"] == "paused"
        r = rl.run_as("resume", "dg1")
        assert r.returncode == 0, r.stderr
        assert freezer.read_text().strip() == "THAWED"
    d = rl.run_as("delete", "--force", "dg1")
    assert d.returncode == 0, d.stderr
    wait_until(lambda: not leftovers(path), timeout=10, what="the container's cgroups to go")
    assert list(rl.root.iterdir()) == []
