"""update: flags and --resources applied live, refusals."""

import json

import pytest

from cgroup_host import controllers, created, read, require, running


def test_update_pids_limit_from_a_flag(env, bundle):
    require("pids")
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    env.rt.invoke("update", "--pids-limit", "7", cid).check()
    assert read(cgdir, "pids.max") == "7"
    env.rt.invoke("update", "--pids-limit", "-1", cid).check()
    assert read(cgdir, "pids.max") == "max"


def test_update_memory_from_stdin(env, bundle):
    require("memory")
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    doc = env.tmp / "mem.json"
    doc.write_text(json.dumps({"memory": {"limit": 64 * 2 ** 20}}))
    with open(doc) as f:
        env.rt.invoke("update", "-r", "-", cid, stdin=f).check()
    assert read(cgdir, "memory.max") == str(64 * 2 ** 20)
    env.rt.invoke("update", "--memory", "32m", cid).check()
    assert read(cgdir, "memory.max") == str(32 * 2 ** 20)


def test_update_cpu_flags(env, bundle):
    require("cpu")
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    env.rt.invoke("update", "--cpu-quota", "20000", "--cpu-period", "100000", "--cpu-share", "512", cid).check()
    assert read(cgdir, "cpu.max") == "20000 100000"
    assert read(cgdir, "cpu.weight") == "20"


def test_update_names_a_missing_controller(env, bundle):
    if "pids" in controllers():
        pytest.skip("cgroup2 here has the pids controller")
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    result = env.rt.invoke("update", "--pids-limit", "7", cid)
    assert result.rc != 0 and 'controller "pids"' in result.err, result.describe()


def test_update_refuses_realtime_and_bad_values(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    result = env.rt.invoke("update", "--cpu-rt-runtime", "1000", cid)
    assert result.rc != 0 and "realtimeRuntime" in result.err, result.describe()
    result = env.rt.invoke("update", "--memory", "lots", cid)
    assert result.rc != 0 and "--memory" in result.err, result.describe()


def test_update_of_a_stopped_container_fails(env, bundle):
    cid, pid, cgdir = created(env, bundle, "/probe", "exit", "0")
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    result = env.rt.invoke("update", "--pids-limit", "7", cid)
    assert result.rc != 0 and "not running" in result.err, result.describe()
