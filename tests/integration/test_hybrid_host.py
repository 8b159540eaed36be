"""On a cgroup v1/v2 hybrid host (v1 controller hierarchies, cgroup2 at /sys/fs/cgroup/unified)
ocirt puts containers in the cgroup2 hierarchy. A limit whose controller v1 holds is refused
naming the host kind and the v1 hierarchy, instead of being written where nothing enforces it
and no engine looks; a cgroupsPath without such limits (every engine sends one) runs.

These tests run in the host's own mount namespace; they skip on any other kind of host."""

import json
from pathlib import Path

import pytest


def cgroup_mounts():
    """{mount point: (fstype, super options)} of the last mount on each point."""
    mounts = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            dash = fields.index("-")
            mounts[fields[4]] = (fields[dash + 1], fields[dash + 3])
    return mounts


def v1_hierarchy(controller):
    for point, (fstype, options) in cgroup_mounts().items():
        if fstype == "cgroup" and controller in options.split(","):
            return point
    return None


@pytest.fixture(autouse=True)
def hybrid_host():
    mounts = cgroup_mounts()
    if mounts.get("/sys/fs/cgroup", ("",))[0] == "cgroup2":
        pytest.skip("cgroup2 is on /sys/fs/cgroup: a unified host, not a hybrid one")
    if not any(t == "cgroup2" for t, _ in mounts.values()) or not v1_hierarchy("memory"):
        pytest.skip("not a v1/v2 hybrid host with a v1 memory hierarchy")


def unified_entry(pid):
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return line[3:]
    return None


def test_a_cgroups_path_without_v1_limits_runs_in_the_unified_hierarchy(env, bundle):
    cid = env.new_id()
    bundle.linux["cgroupsPath"] = f"/ocirt-it-{cid}"
    bundle.linux["resources"] = {"devices": [{"allow": False, "access": "rwm"}], "blockIO": {"weight": 0}}
    bundle.probe("sleep", "60").save()
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    assert unified_entry(pid) == f"/ocirt-it-{cid}"


@pytest.mark.ocirt_only("ocirt supports only cgroup v2; runc writes the limit to the v1 hierarchy")
def test_a_limit_whose_controller_v1_holds_is_refused(env, bundle):
    from test_errors import assert_refused
    bundle.linux["resources"] = {"memory": {"limit": 64 << 20}}
    line = assert_refused(env, bundle, "/linux/resources/memory: this host is a cgroup v1/v2 hybrid",
                          f"(v1 memory controller at {v1_hierarchy('memory')})", "ocirt supports only cgroup v2")
    assert line.count("\n") == 0


@pytest.mark.ocirt_only("ocirt supports only cgroup v2; runc writes the limit to the v1 hierarchy")
def test_update_of_a_limit_whose_controller_v1_holds_is_refused(env, bundle):
    if not v1_hierarchy("pids"):
        pytest.skip("no v1 pids hierarchy on this host")
    cid = env.new_id()
    bundle.probe("sleep", "60").save()
    env.rt.create(cid, bundle.path).check()
    doc = env.tmp / "pids.json"
    doc.write_text(json.dumps({"pids": {"limit": 5}}))
    with open(doc) as f:
        result = env.rt.invoke("update", "-r", "-", cid, stdin=f)
    assert result.rc != 0, result.describe()
    assert "/linux/resources/pids: this host is a cgroup v1/v2 hybrid" in result.err, result.err
    assert f"(v1 pids controller at {v1_hierarchy('pids')})" in result.err, result.err
