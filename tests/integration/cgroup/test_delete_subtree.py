"""delete of a container whose processes made cgroups below its own.

systemd, a nested engine, anything with a cgroup namespace and a writable
cgroup mount makes child cgroups inside the container's. The kernel refuses
to remove a cgroup that still has children, so delete must remove the whole
subtree, deepest first, after killing what is in it. The tests make the
children from the host side, as the container would from inside, and move
one of its processes into the deepest one.
"""

import time

import pytest

from cgroup_host import read, running
from runner import wait_until

# A few seconds: runc and crun take ~50 ms; the bug was a 10 s wait and a failure.
FAST = 5.0


def nest(cgdir, pid=None):
    """Makes <cgdir>/a/b and <cgdir>/a/c, and moves `pid` (if any) into a/b."""
    (cgdir / "a" / "b").mkdir(parents=True)
    (cgdir / "a" / "c").mkdir()
    if pid is not None:
        (cgdir / "a" / "b" / "cgroup.procs").write_text(str(pid))
        assert str(pid) in read(cgdir / "a" / "b", "cgroup.procs").split()


def other_process(cgdir, pid, count):
    """A process of the cgroup that is not `pid`, once `count` are listed."""
    wait_until(lambda: len(read(cgdir, "cgroup.procs").split()) == count,
               what=f"{count} processes in {cgdir}")
    return next(int(p) for p in read(cgdir, "cgroup.procs").split() if int(p) != pid)


def timed(fn):
    began = time.monotonic()
    result = fn()
    return result, time.monotonic() - began


def test_delete_force_removes_the_cgroups_the_container_made(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/bin/sh", "-c", "sleep 300 & sleep 300 & wait")
    nest(cgdir, other_process(cgdir, pid, 3))
    result, took = timed(lambda: env.rt.delete(cid, "--force"))
    result.check()
    assert not cgdir.exists(), f"{cgdir} left: {sorted(p.name for p in cgdir.rglob('*') if p.is_dir())}"
    assert took < FAST, f"delete --force took {took:.1f} s"
    env.assert_nothing_left(cid)


@pytest.mark.parametrize("leftover_process", [
    False,
    pytest.param(True, marks=pytest.mark.runc_deviates(
        "runc 1.1.5's delete returns 0 and leaves the cgroup when a process outlived the "
        "container's init in a child cgroup")),
])
def test_delete_of_a_stopped_container_removes_the_cgroups_left_below(env, bundle, leftover_process):
    if leftover_process:
        # Without a PID namespace a process outlives the container's init, in a child cgroup.
        bundle.remove_namespace("pid")
        cid, pid, cgdir = running(env, bundle, "/bin/sh", "-c", "sleep 300 & exec sleep 300")
        nest(cgdir, other_process(cgdir, pid, 2))
    else:
        cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "300")
        nest(cgdir)
    env.rt.kill(cid, "KILL").check()
    env.rt.wait_status(cid, "stopped")
    result, took = timed(lambda: env.rt.delete(cid))
    result.check()
    assert not cgdir.exists(), f"{cgdir} left"
    assert took < FAST, f"delete took {took:.1f} s"
    env.assert_nothing_left(cid)
