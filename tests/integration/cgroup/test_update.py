"""update: flags and --resources applied live, refusals."""

import json
from pathlib import Path

import pytest

from cgroup_host import controllers, created, read, require, resources, running


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


def test_update_resources_document_ignores_the_other_flags(env, bundle):
    """runc reads either --resources or the flags: with a document, --pids-limit is ignored."""
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    doc = env.tmp / "empty.json"
    doc.write_text("{}")
    before = read(cgdir, "pids.max") if (cgdir / "pids.max").exists() else None
    env.rt.invoke("update", "-r", doc, "--pids-limit", "7", cid).check()
    if before is not None:
        assert read(cgdir, "pids.max") == before


@pytest.mark.runc_min_version("1.2", "--kernel-memory accepted and ignored on cgroup v2")
def test_update_kernel_memory_is_accepted_and_ignored(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    for flag in ("--kernel-memory", "--kernel-memory-tcp"):
        r = env.rt.invoke("update", flag, "64m", cid).check()
        assert f"Setting {flag} is ignored" in r.err, r.describe()


def test_update_cpu_burst_and_idle(env, bundle):
    require("cpu")
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    env.rt.invoke("update", "--cpu-quota", "20000", "--cpu-period", "100000", "--cpu-burst", "5000", cid).check()
    assert read(cgdir, "cpu.max.burst") == "5000"
    if (cgdir / "cpu.idle").exists():
        env.rt.invoke("update", "--cpu-idle", "1", cid).check()
        assert read(cgdir, "cpu.idle") == "1"


def test_update_unlimited_memory_lifts_the_swap_limit(env, bundle):
    require("memory")
    resources(bundle)["memory"] = {"limit": 64 * 2 ** 20, "swap": 128 * 2 ** 20}
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    if not (cgdir / "memory.swap.max").exists():
        pytest.skip("this kernel has no swap accounting (memory.swap.max)")
    assert read(cgdir, "memory.swap.max") == str(64 * 2 ** 20)
    env.rt.invoke("update", "--memory", "-1", cid).check()
    assert read(cgdir, "memory.max") == "max"
    assert read(cgdir, "memory.swap.max") == "max"


def test_update_intel_rdt_schemas_need_resctrl(env, bundle):
    if Path("/sys/fs/resctrl/schemata").exists():
        pytest.skip("resctrl is mounted here: the schema would apply")
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    for flag, schema in (("--l3-cache-schema", "L3:0=f"), ("--mem-bw-schema", "MB:0=50")):
        r = env.rt.invoke("update", flag, schema, cid)
        assert r.rc != 0 and "unknown flag" not in r.err, r.describe()
        assert "rdt" in r.err.lower(), r.describe()
