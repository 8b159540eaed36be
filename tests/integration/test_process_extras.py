"""Process execution settings read from inside: personality, scheduler, io priority, CPU
affinity and memory policy."""

import json
import os

import pytest

from test_errors import assert_refused


def sched_inside(env, bundle):
    bundle.probe("sched").save()
    return json.loads(env.rt.run(env.new_id(), bundle.path).check().out)


def test_defaults(env, bundle):
    s = sched_inside(env, bundle)
    assert s["personality"] == "00000000"
    assert s["policy"] == 0


@pytest.mark.runc_min_version("1.2", "linux.personality")
def test_personality_linux32(env, bundle):
    bundle.linux["personality"] = {"domain": "LINUX32"}
    s = sched_inside(env, bundle)
    assert s["personality"] == "00000008"
    assert s["machine"] in ("i686", "i386")


@pytest.mark.runc_min_version("1.2", "linux.personality")
def test_personality_flags_are_refused(env, bundle):
    bundle.linux["personality"] = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}
    assert_refused(env, bundle, "/linux/personality/flags")


@pytest.mark.runc_min_version("1.2", "process.ioPriority")
@pytest.mark.parametrize("io_class,level,expected", [
    ("IOPRIO_CLASS_IDLE", 7, (3, 7)),
    ("IOPRIO_CLASS_BE", 2, (2, 2)),
], ids=["idle", "best-effort"])
def test_io_priority(env, bundle, io_class, level, expected):
    bundle.process["ioPriority"] = {"class": io_class, "priority": level}
    s = sched_inside(env, bundle)
    assert (s["ioprio_class"], s["ioprio_level"]) == expected


@pytest.mark.runc_min_version("1.2", "process.scheduler")
def test_scheduler_batch_with_nice(env, bundle):
    bundle.process["scheduler"] = {"policy": "SCHED_BATCH", "nice": 5}
    s = sched_inside(env, bundle)
    assert (s["policy"], s["nice"]) == (3, 5)


@pytest.mark.runc_min_version("1.2", "process.scheduler")
def test_scheduler_idle(env, bundle):
    bundle.process["scheduler"] = {"policy": "SCHED_IDLE"}
    assert sched_inside(env, bundle)["policy"] == 5


@pytest.mark.runc_min_version("1.2", "process.scheduler")
def test_scheduler_fifo_needs_privilege_held_until_set(env, bundle):
    # The container keeps no CAP_SYS_NICE: the policy must be set before capabilities drop.
    bundle.process["scheduler"] = {"policy": "SCHED_FIFO", "priority": 10}
    try:
        s = sched_inside(env, bundle)
    except AssertionError as e:
        if "Operation not permitted" in str(e):
            pytest.skip("this host refuses SCHED_FIFO to root (RT throttling/cgroup); cannot check")
        raise
    assert (s["policy"], s["priority"]) == (1, -11)  # /proc/PID/stat prio = -1 - rt_priority


@pytest.mark.parametrize("sched,field", [
    ({"policy": "SCHED_NOPE"}, "/process/scheduler/policy"),
    ({"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_BOGUS"]}, "/process/scheduler/flags/0"),
    ({"policy": "SCHED_FIFO"}, "/process/scheduler/priority"),
    ({"policy": "SCHED_OTHER", "nice": 40}, "/process/scheduler/nice"),
], ids=["policy", "flag", "fifo-without-priority", "nice"])
@pytest.mark.runc_min_version("1.2", "process.scheduler")
def test_bad_scheduler_is_refused(env, bundle, sched, field):
    bundle.process["scheduler"] = sched
    assert_refused(env, bundle, field)


@pytest.mark.runc_min_version("1.3", "process.execCPUAffinity")
def test_exec_cpu_affinity_final(env, bundle):
    if os.cpu_count() < 2:
        pytest.skip("needs two CPUs to pin to the second")
    bundle.process["execCPUAffinity"] = {"initial": "0", "final": "1"}
    assert sched_inside(env, bundle)["cpus_allowed"] == "1"


@pytest.mark.runc_min_version("1.3", "process.execCPUAffinity")
def test_exec_cpu_affinity_applies_to_exec(env, bundle):
    if os.cpu_count() < 2:
        pytest.skip("needs two CPUs")
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    proc = {"cwd": "/", "args": ["/probe", "sched"], "user": {"uid": 0, "gid": 0},
            "execCPUAffinity": {"final": "0"}}
    (env.tmp / "process.json").write_text(json.dumps(proc))
    out = env.rt.invoke("exec", "--process", env.tmp / "process.json", cid).check().out
    assert json.loads(out)["cpus_allowed"] == "0"


@pytest.mark.runc_min_version("1.3", "process.execCPUAffinity")
def test_bad_cpu_list_is_refused(env, bundle):
    bundle.process["execCPUAffinity"] = {"final": "3-1"}
    assert_refused(env, bundle, "/process/execCPUAffinity/final")


@pytest.mark.runc_min_version("1.4", "linux.memoryPolicy")
def test_memory_policy_bind(env, bundle):
    bundle.linux["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0"}
    s = sched_inside(env, bundle)
    assert (s["mempolicy_mode"] & 0xff, s["mempolicy_nodes"]) == (2, 1)
    if s["numa_policy"]:  # /proc/self/numa_maps exists with CONFIG_NUMA
        assert s["numa_policy"] == "bind:0"


@pytest.mark.runc_min_version("1.4", "linux.memoryPolicy")
def test_memory_policy_interleave_static(env, bundle):
    bundle.linux["memoryPolicy"] = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}
    s = sched_inside(env, bundle)
    assert s["mempolicy_mode"] & 0xff == 3
    if s["numa_policy"]:
        assert s["numa_policy"].startswith("interleave")


@pytest.mark.parametrize("policy,field", [
    ({"mode": "MPOL_NOPE"}, "/linux/memoryPolicy/mode"),
    ({"mode": "MPOL_BIND"}, "/linux/memoryPolicy"),
    ({"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_NOPE"]}, "/linux/memoryPolicy/flags/0"),
], ids=["mode", "bind-without-nodes", "flag"])
@pytest.mark.runc_min_version("1.4", "linux.memoryPolicy")
def test_bad_memory_policy_is_refused(env, bundle, policy, field):
    bundle.linux["memoryPolicy"] = policy
    assert_refused(env, bundle, field)


@pytest.mark.runc_min_version("1.4", "linux.memoryPolicy")
def test_memory_policy_on_a_missing_node_fails(env, bundle):
    bundle.linux["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "63"}
    assert_refused(env, bundle, "/linux/memoryPolicy")


@pytest.mark.runc_deviates("runc 1.1 ignores linux.intelRdt when resctrl is not mounted")
def test_intel_rdt_without_resctrl_is_a_clear_error(env, bundle):
    if os.path.exists("/sys/fs/resctrl/schemata"):
        pytest.skip("this host has resctrl mounted; the error path is not reachable")
    bundle.linux["intelRdt"] = {"closID": "guaranteed", "schemata": ["L3:0=7f0"]}
    assert_refused(env, bundle, "/linux/intelRdt")
