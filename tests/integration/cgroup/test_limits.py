"""Limits that need real controllers: they skip on this development host (its cgroup2 has only
hugetlb) and run in the VM lane (a kernel booted with cgroup_no_v1=all)."""

import json
from pathlib import Path

import pytest

from cgroup_host import created, keyed, read, require, resources, running
from runner import json_lines, wait_until

BUSY = ("/bin/sh", "-c", "while :; do :; done")


def test_memory_limit_oom_kills_and_events_reports_it(env, bundle):
    require("memory")
    limit = 32 * 2 ** 20
    # swap == limit: no swap, so the allocation cannot escape to it.
    resources(bundle)["memory"] = {"limit": limit, "swap": limit}
    cid, pid, cgdir = created(env, bundle, "/probe", "alloc", "256")
    assert read(cgdir, "memory.max") == str(limit)
    watcher, io = env.rt.spawn("events", "--interval", "1s", cid)
    env.defer(lambda: watcher.kill() or watcher.wait())
    wait_until(lambda: json_lines(io.out()), timeout=20, what="events to start")
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped", timeout=60)
    watcher.wait(timeout=30)
    events = json_lines(io.out())
    assert any(e["type"] == "oom" for e in events), io.out()
    assert keyed(cgdir, "memory.events")["oom_kill"] >= 1


def test_pids_limit_stops_a_fork_bomb(env, bundle):
    require("pids")
    resources(bundle)["pids"] = {"limit": 16}
    # The inner shell forks until it cannot (busybox sh then gives up and exits); the outer one
    # stays, as the container's process, by exec'ing sleep (no fork needed).
    script = 'sh -c "while :; do sleep 100 & done" 2>/dev/null; exec sleep 100'
    cid, pid, cgdir = running(env, bundle, "/bin/sh", "-c", script)
    assert read(cgdir, "pids.max") == "16"
    wait_until(lambda: keyed(cgdir, "pids.events").get("max", 0) > 0, timeout=30,
               what="pids.events to count refused forks")
    assert int(read(cgdir, "pids.current")) <= 16


def test_cpu_max_throttles(env, bundle):
    require("cpu")
    resources(bundle)["cpu"] = {"quota": 10000, "period": 100000}
    cid, pid, cgdir = running(env, bundle, *BUSY)
    assert read(cgdir, "cpu.max") == "10000 100000"
    wait_until(lambda: keyed(cgdir, "cpu.stat").get("nr_throttled", 0) > 0, timeout=30,
               what="cpu.stat nr_throttled to grow")
    stats = json.loads(env.rt.invoke("events", "--stats", cid).check().out)["data"]
    assert stats["cpu"]["throttling"]["throttledPeriods"] > 0


def test_cpuset_pins_the_container(env, bundle):
    require("cpuset")
    resources(bundle)["cpu"] = {"cpus": "0", "mems": "0"}
    bundle.args("/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status").save()
    result = env.rt.run(env.new_id(), bundle.path).check()
    assert result.out.split() == ["Cpus_allowed_list:", "0"], result.out


def virtio_disk():
    disks = sorted(Path("/sys/block").glob("vd*"))
    if not disks:
        pytest.skip("no virtio disk (/sys/block/vd*): io.max needs a real block device")
    major, minor = (int(x) for x in (disks[0] / "dev").read_text().split(":"))
    return major, minor


def test_io_max_and_weight_on_a_real_disk(env, bundle):
    require("io")
    major, minor = virtio_disk()
    resources(bundle)["blockIO"] = {
        "weight": 500,
        "throttleReadBpsDevice": [{"major": major, "minor": minor, "rate": 1048576}],
        "throttleWriteIOPSDevice": [{"major": major, "minor": minor, "rate": 100}],
    }
    cid, pid, cgdir = created(env, bundle, "/probe", "sleep", "60")
    line = [l for l in read(cgdir, "io.max").splitlines() if l.startswith(f"{major}:{minor} ")]
    assert line and "rbps=1048576" in line[0] and "wiops=100" in line[0], read(cgdir, "io.max")
    if (cgdir / "io.bfq.weight").exists():
        assert "500" in read(cgdir, "io.bfq.weight")
    else:
        assert read(cgdir, "io.weight").split()[:2] == ["default", "4950"]


def test_update_changes_limits_live(env, bundle):
    require("memory", "pids")
    resources(bundle)["memory"] = {"limit": 64 * 2 ** 20}
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    env.rt.invoke("update", "--memory", "48m", "--pids-limit", "20", cid).check()
    assert read(cgdir, "memory.max") == str(48 * 2 ** 20)
    assert read(cgdir, "pids.max") == "20"
    saved = json.loads((env.rt.root / cid / "config.json").read_text())
    assert saved["linux"]["resources"]["memory"]["limit"] == 48 * 2 ** 20
