"""events (stats, oom) and ps, read from the container's cgroup."""

import json

from cgroup_host import created, running
from runner import json_lines, wait_until


def test_events_stats_has_runcs_shape(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    result = env.rt.invoke("events", "--stats", cid).check()
    event = json.loads(result.out)
    assert event["type"] == "stats" and event["id"] == cid
    data = event["data"]
    for key in ("cpu", "memory", "pids", "blkio", "hugetlb"):
        assert key in data, f"{key} missing from {data}"
    assert "usage" in data["cpu"] and "throttling" in data["cpu"]
    assert "usage" in data["memory"]


def test_events_streams_until_the_container_stops(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    proc, io = env.rt.spawn("events", "--interval", "100ms", cid)
    env.defer(lambda: proc.kill() or proc.wait())
    wait_until(lambda: len(json_lines(io.out())) >= 2, timeout=10, what="two stats records")
    env.rt.kill(cid, "KILL").check()
    proc.wait(timeout=10)
    assert proc.returncode == 0, io.err()
    assert all(e["type"] == "stats" for e in json_lines(io.out()))


def test_events_of_a_stopped_container_fails(env, bundle):
    cid, pid, cgdir = created(env, bundle, "/probe", "exit", "0")
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    result = env.rt.invoke("events", "--stats", cid)
    assert result.rc != 0 and "not running" in result.err, result.describe()


def test_ps_lists_the_container_processes(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/bin/sh", "-c", "sleep 100 & sleep 100")
    wait_until(lambda: len(env.rt.invoke("ps", "--format", "json", cid).check().json()) == 2,
               what="two processes")
    pids = env.rt.invoke("ps", "--format", "json", cid).check().json()
    assert pid in pids
    table = env.rt.invoke("ps", cid).check().out.splitlines()
    assert "PID" in table[0].split()
    assert len(table) == 3, table
    custom = env.rt.invoke("ps", cid, "-o", "pid,comm").check().out.splitlines()
    assert custom[0].split() == ["PID", "COMMAND"] and len(custom) == 3, custom


def test_ps_without_a_pid_column_fails(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    result = env.rt.invoke("ps", cid, "-o", "comm")
    assert result.rc != 0 and "PID" in result.err, result.describe()
