"""exec --cgroup (an existing sub-cgroup of the container's) and --ignore-paused."""

import time

from cgroup_host import cgroup_path_of, running
from runner import wait_until


def make_sub_cgroup(env, cgdir, name):
    """A child cgroup of the container's, removed (once empty) before the container is deleted."""
    sub = cgdir / name
    sub.mkdir()

    def remove():
        if sub.exists():
            wait_until(lambda: not (sub / "cgroup.procs").read_text().strip(), what=f"{sub} to empty")
            sub.rmdir()
    env.defer(remove)
    return sub


def test_exec_cgroup_joins_the_sub_cgroup(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/bin/sleep", "300")
    make_sub_cgroup(env, cgdir, "sub")
    pid_file = env.tmp / "exec.pid"
    env.rt.exec(cid, "/bin/sleep", "300", flags=("--cgroup", "sub", "--detach", "--pid-file", pid_file)).check()
    exec_pid = int(pid_file.read_text())
    assert cgroup_path_of(exec_pid) == cgroup_path_of(pid) + "/sub"
    # Inside, the cgroup namespace is rooted at the container's cgroup.
    out = env.rt.exec(cid, "/bin/cat", "/proc/self/cgroup", flags=("--cgroup", "sub")).check().out
    assert "0::/sub" in out.splitlines(), out
    env.rt.kill(cid, "KILL", "--all").check()


def test_exec_cgroup_refuses_missing_and_escaping_paths(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/bin/sleep", "300")
    for wanted in ("missing", "../..", "cpu:sub"):
        r = env.rt.exec(cid, "/bin/true", flags=("--cgroup", wanted))
        assert r.rc != 0, r.describe()
        assert "unknown flag" not in r.err, r.describe()
    if env.info.flavor == "ocirt":
        r = env.rt.exec(cid, "/bin/true", flags=("--cgroup", "missing"))
        assert "does not exist" in r.err, r.describe()


def test_exec_into_a_paused_container_needs_ignore_paused(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/bin/sleep", "300")
    env.rt.invoke("pause", cid).check()
    r = env.rt.exec(cid, "/bin/true")
    assert r.rc != 0 and "paused" in r.err, r.describe()
    # With the flag the process starts in the frozen cgroup: exec waits until resume.
    proc, io = env.rt.spawn("exec", "--ignore-paused", cid, "/bin/sh", "-c", "echo ran")
    env.defer(lambda: proc.poll() is None and (proc.kill() or proc.wait()))
    time.sleep(1)
    assert proc.poll() is None, io.err()
    env.rt.invoke("resume", cid).check()
    assert proc.wait(timeout=30) == 0, io.err()
    assert io.out().split() == ["ran"]


def test_delete_removes_the_sub_cgroups_exec_joined(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/bin/sleep", "300")
    (cgdir / "sub" / "deeper").mkdir(parents=True)
    env.rt.exec(cid, "/bin/sleep", "300", flags=("--cgroup", "sub/deeper", "--detach")).check()
    env.rt.delete(cid, "--force").check()
    assert wait_until(lambda: not cgdir.exists(), what=f"{cgdir} to be removed")
