"""On a cgroup v1/v2 hybrid host (v1 controller hierarchies, cgroup2 at /sys/fs/cgroup/unified)
ocirt drives the v1 hierarchies as runc does, and puts the container in the cgroup2 hierarchy
too: a limit goes to its v1 controller, where it is enforced and where engines read it; unified
keys go to cgroup2 when its controllers allow. (tests/integration/cgroup/test_v1_* cover each
controller.)

These tests run in the host's own mount namespace; they skip on any other kind of host."""

import json
from pathlib import Path

import pytest

from host import cgroup_mounts


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


def test_a_cgroups_path_is_in_the_unified_and_the_v1_hierarchies(env, bundle):
    cid = env.new_id()
    bundle.linux["cgroupsPath"] = f"/ocirt-it-{cid}"
    bundle.linux["resources"] = {"devices": [{"allow": False, "access": "rwm"}], "blockIO": {"weight": 0}}
    bundle.probe("sleep", "60").save()
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    assert unified_entry(pid) == f"/ocirt-it-{cid}"
    assert f"memory:/ocirt-it-{cid}" in Path(f"/proc/{pid}/cgroup").read_text()


def test_a_limit_whose_controller_v1_holds_goes_to_the_v1_hierarchy(env, bundle):
    cid = env.new_id()
    bundle.linux["cgroupsPath"] = f"/ocirt-it-{cid}"
    bundle.linux["resources"] = {"memory": {"limit": 64 << 20}}
    bundle.probe("sleep", "60").save()
    env.rt.create(cid, bundle.path).check()
    limit = Path(v1_hierarchy("memory"), f"ocirt-it-{cid}", "memory.limit_in_bytes").read_text().strip()
    assert limit == str(64 << 20)


def test_update_of_a_limit_whose_controller_v1_holds_writes_it_there(env, bundle):
    if not v1_hierarchy("pids"):
        pytest.skip("no v1 pids hierarchy on this host")
    cid = env.new_id()
    bundle.linux["cgroupsPath"] = f"/ocirt-it-{cid}"
    bundle.probe("sleep", "60").save()
    env.rt.create(cid, bundle.path).check()
    doc = env.tmp / "pids.json"
    doc.write_text(json.dumps({"pids": {"limit": 5}}))
    with open(doc) as f:
        env.rt.invoke("update", "-r", "-", cid, stdin=f).check()
    assert Path(v1_hierarchy("pids"), f"ocirt-it-{cid}", "pids.max").read_text().strip() == "5"


def unified_controllers():
    for point, (fstype, _) in cgroup_mounts().items():
        if fstype == "cgroup2":
            return point, Path(point, "cgroup.controllers").read_text().split()
    return None, []


@pytest.mark.ocirt_only("runc 1.1 has no unified keys on a hybrid host")
def test_a_unified_key_of_a_controller_cgroup2_lacks_is_refused(env, bundle):
    from test_errors import assert_refused
    point, have = unified_controllers()
    if "memory" in have:
        pytest.skip("cgroup2 here has the memory controller")
    bundle.linux["resources"] = {"unified": {"memory.high": "100M"}}
    assert_refused(env, bundle, "/linux/resources/unified/memory.high", "memory")
