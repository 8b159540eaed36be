"""pause / resume through cgroup.freeze, and kill --all through the cgroup."""

import time

import pytest

from cgroup_host import cpu_ticks, keyed, read, running, wait_gone
from runner import wait_until

BUSY = ("/bin/sh", "-c", "while :; do :; done")


def test_pause_stops_a_busy_loop_and_resume_continues_it(env, bundle):
    cid, pid, cgdir = running(env, bundle, *BUSY)
    env.rt.invoke("pause", cid).check()
    assert env.rt.state(cid)["status"] == "paused"
    assert keyed(cgdir, "cgroup.events")["frozen"] == 1
    before = cpu_ticks(pid)
    time.sleep(0.5)
    assert cpu_ticks(pid) == before, "a frozen process used CPU"
    env.rt.invoke("resume", cid).check()
    assert env.rt.state(cid)["status"] == "running"
    wait_until(lambda: cpu_ticks(pid) > before, timeout=10, what="the loop to run again")


def test_pause_and_resume_refuse_the_wrong_state(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    result = env.rt.invoke("resume", cid)
    assert result.rc != 0 and "not paused" in result.err, result.describe()
    env.rt.invoke("pause", cid).check()
    result = env.rt.invoke("pause", cid)
    assert result.rc != 0 and "already paused" in result.err, result.describe()
    env.rt.invoke("resume", cid).check()
    env.rt.kill(cid, "KILL").check()
    env.rt.wait_status(cid, "stopped")
    result = env.rt.invoke("pause", cid)
    assert result.rc != 0 and "not running" in result.err, result.describe()


@pytest.mark.ocirt_only("runc keeps a paused container's state")
def test_delete_force_of_a_paused_container_removes_its_cgroup(env, bundle):
    cid, pid, cgdir = running(env, bundle, *BUSY)
    env.rt.invoke("pause", cid).check()
    env.rt.delete(cid, "--force").check()
    assert wait_gone(cgdir, 1), f"{cgdir} left"


def test_kill_all_reaches_every_process_of_the_cgroup(env, bundle):
    # Without a pid namespace only the cgroup knows the daemonised children.
    bundle.remove_namespace("pid")
    cid, pid, cgdir = running(env, bundle, "/bin/sh", "-c", "sleep 100 & sleep 100 & sleep 100")
    wait_until(lambda: len(read(cgdir, "cgroup.procs").split()) == 3, what="three processes")
    env.rt.kill(cid, "KILL", "--all").check()
    wait_until(lambda: keyed(cgdir, "cgroup.events")["populated"] == 0, what="the cgroup to empty")


def test_kill_all_with_a_catchable_signal(env, bundle):
    bundle.remove_namespace("pid")
    cid, pid, cgdir = running(env, bundle, "/bin/sh", "-c", "sleep 100 & sleep 100")
    wait_until(lambda: len(read(cgdir, "cgroup.procs").split()) == 2, what="two processes")
    env.rt.kill(cid, "TERM", "--all").check()
    wait_until(lambda: keyed(cgdir, "cgroup.events")["populated"] == 0, what="the cgroup to empty")
