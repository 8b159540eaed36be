"""pause/resume through the v1 freezer, kill --all, ps, events --stats and update on a hybrid or
legacy host."""

import json
import os
import signal

import pytest

from runner import wait_until
from v1_host import dir_of, in_path, leftovers, proc_cgroups, read, require, require_v1


@pytest.fixture(autouse=True)
def v1_host():
    require_v1()


def running(env, bundle, *argv):
    cid = env.new_id()
    in_path(env, bundle, cid)
    bundle.args(*argv).save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    return cid, env.rt.state(cid)["pid"]


def test_pause_and_resume_use_the_freezer(env, bundle):
    require("freezer")
    cid, pid = running(env, bundle, "/bin/sh", "-c", "sleep 100 & exec sleep 100")
    freezer = dir_of(pid, "freezer")
    env.rt.invoke("pause", cid).check()
    assert read(freezer, "freezer.state") == "FROZEN"
    assert env.rt.state(cid)["status"] == "paused"
    env.rt.invoke("resume", cid).check()
    assert read(freezer, "freezer.state") == "THAWED"
    assert env.rt.state(cid)["status"] == "running"


def test_delete_force_of_a_paused_container(env, bundle):
    require("freezer")
    cid, pid = running(env, bundle, "/bin/sh", "-c", "sleep 100 & exec sleep 100")
    env.rt.invoke("pause", cid).check()
    env.rt.invoke("delete", "--force", cid).check()


@pytest.mark.parametrize("stopped", [False, True], ids=["running", "stopped"])
def test_delete_removes_child_cgroups_made_below(env, bundle, stopped):
    """Child cgroups in every hierarchy below the container's (as a nested engine makes them),
    a process moved into the deepest of one: rmdir of the container's directory is refused
    until the process is killed and the children are gone."""
    require("memory")
    cid, pid = running(env, bundle, "/bin/sh", "-c", "sleep 100 & exec sleep 100")
    wait_until(lambda: len(json.loads(env.rt.invoke("ps", "--format", "json", cid).check().out)) == 2,
               timeout=10, what="two processes in ps")
    other = next(p for p in json.loads(env.rt.invoke("ps", "--format", "json", cid).check().out) if p != pid)
    for key in proc_cgroups(pid):
        if not key.startswith("name=") and key:
            controller = key.split(",")[0]
            (dir_of(pid, controller) / "a" / "b").mkdir(parents=True)
    (dir_of(pid, "memory") / "a" / "b" / "cgroup.procs").write_text(str(other))
    if stopped:
        env.rt.invoke("kill", cid, "KILL").check()
        env.rt.wait_status(cid, "stopped", timeout=20)
        env.rt.invoke("delete", cid).check()
    else:
        env.rt.invoke("delete", "--force", cid).check()
    assert not leftovers(f"/ocirt-v1-it/{cid}")
    wait_until(lambda: not os.path.exists(f"/proc/{other}"), timeout=10, what=f"process {other} gone")


def test_kill_all_reaches_every_process(env, bundle):
    cid, pid = running(env, bundle, "/bin/sh", "-c", "sleep 100 & sleep 100 & exec sleep 100")
    wait_until(lambda: len(json.loads(env.rt.invoke("ps", "--format", "json", cid).check().out)) == 3,
               timeout=10, what="three processes in ps")
    env.rt.invoke("kill", "--all", cid, "KILL").check()
    env.rt.wait_status(cid, "stopped", timeout=20)


def test_ps_lists_the_processes(env, bundle):
    cid, pid = running(env, bundle, "/bin/sh", "-c", "sleep 100 & exec sleep 100")
    wait_until(lambda: len(json.loads(env.rt.invoke("ps", "--format", "json", cid).check().out)) == 2,
               timeout=10, what="two processes in ps")
    assert pid in json.loads(env.rt.invoke("ps", "--format", "json", cid).check().out)


def test_events_stats_read_the_v1_files(env, bundle):
    require("memory", "pids")
    bundle.linux.setdefault("resources", {})["memory"] = {"limit": 64 << 20}
    bundle.linux["resources"]["pids"] = {"limit": 50}
    cid, pid = running(env, bundle, "/bin/sh", "-c", "sleep 100 & exec sleep 100")
    data = json.loads(env.rt.invoke("events", "--stats", cid).check().out)["data"]
    assert data["memory"]["usage"]["limit"] == 64 << 20
    assert data["memory"]["usage"]["usage"] > 0
    assert data["pids"]["current"] == 2
    assert data["pids"]["limit"] == 50


def test_update_writes_the_v1_files(env, bundle):
    require("memory", "pids", "cpu")
    cid, pid = running(env, bundle, "/probe", "sleep", "60")
    doc = env.tmp / "update.json"
    doc.write_text(json.dumps({"memory": {"limit": 48 << 20}, "pids": {"limit": 20},
                               "cpu": {"quota": 20000, "period": 100000}}))
    with open(doc) as f:
        env.rt.invoke("update", "-r", "-", cid, stdin=f).check()
    assert read(dir_of(pid, "memory"), "memory.limit_in_bytes") == str(48 << 20)
    assert read(dir_of(pid, "pids"), "pids.max") == "20"
    assert read(dir_of(pid, "cpu"), "cpu.cfs_quota_us") == "20000"


def test_exec_joins_every_hierarchy(env, bundle):
    cid, pid = running(env, bundle, "/probe", "sleep", "60")
    out = env.rt.invoke("exec", cid, "/bin/cat", "/proc/self/cgroup").check().out
    init = open(f"/proc/{pid}/cgroup").read()
    # The same cgroups as the container's process (a cgroup namespace may shorten the paths).
    assert len(out.splitlines()) == len(init.splitlines())
    exec_pid_cgroups = json.loads(env.rt.invoke("ps", "--format", "json", cid).check().out)
    assert len(exec_pid_cgroups) >= 1
