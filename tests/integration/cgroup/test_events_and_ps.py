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


def test_events_stats_keys_are_runcs_types_stats(env, bundle):
    """The keys runc's types.Stats has (types/events.go), nothing else; lists where runc has them."""
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    data = json.loads(env.rt.invoke("events", "--stats", cid).check().out)["data"]
    assert set(data) == {"cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"}
    assert set(data["cpu"]["usage"]) <= {"total", "percpu", "percpu_kernel", "percpu_user", "kernel", "user"}
    assert {"kernel", "user"} <= set(data["cpu"]["usage"])
    assert set(data["cpu"]["throttling"]) <= {"periods", "throttledPeriods", "throttledTime"}
    assert set(data["memory"]) <= {"cache", "usage", "swap", "kernel", "kernelTCP", "raw", "psi", "event_count"}
    for entry in ("usage", "swap", "kernel", "kernelTCP"):
        assert {"limit", "failcnt"} <= set(data["memory"][entry]) <= {"limit", "usage", "max", "failcnt"}
    assert set(data["pids"]) <= {"current", "limit"}
    assert data["pids"].get("current", 0) >= 1  # counted from cgroup.procs without the pids controller
    for size, h in data["hugetlb"].items():
        assert "failcnt" in h and set(h) <= {"usage", "max", "failcnt"}, (size, h)
    cpuset = data["cpuset"]
    assert cpuset["cpu_exclusive"] == 0 and "sched_relax_domain_level" in cpuset
    for key in ("cpus", "mems"):
        if key in cpuset:
            assert all(isinstance(n, int) for n in cpuset[key]), cpuset


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
