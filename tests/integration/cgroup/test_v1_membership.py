"""cgroup v1 (legacy and hybrid hosts): the container's cgroup is a directory in every mounted v1
hierarchy (and, on a hybrid host, in the cgroup2 one); the container joins all of them before it
unshares anything, and delete removes every one. Runs in the host's mount namespace."""

import json
from pathlib import Path

import pytest

from v1_host import (check_removed, hierarchies, host_kind, in_path, leftovers, proc_cgroups, require,
                     require_v1, resources, unified_mount)


@pytest.fixture(autouse=True)
def v1_host():
    require_v1()


def test_the_container_is_in_every_hierarchy(env, bundle):
    cid = env.new_id()
    path = in_path(env, bundle, cid)
    bundle.probe("sleep", "60").save()
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    entries = proc_cgroups(pid)
    for key in hierarchies():
        assert entries.get(key) == path, (key, entries)
    if host_kind() == "hybrid":
        assert entries.get("") == path, entries
    env.rt.delete(cid, "--force").check()
    assert not leftovers(path)


@pytest.mark.ocirt_only("runc leaves the parent cgroups it made")
def test_a_nested_cgroups_path_is_removed_with_the_parents_it_made(env, bundle):
    cid = env.new_id()
    path = f"/ocirt-v1-it/{cid}-outer/inner"
    bundle.linux["cgroupsPath"] = path
    env.defer(lambda: check_removed(env, cid, f"/ocirt-v1-it/{cid}-outer"))
    bundle.probe("sleep", "60").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.delete(cid, "--force").check()
    assert not leftovers(f"/ocirt-v1-it/{cid}-outer")


def test_a_failed_create_leaves_no_directory(env, bundle):
    require("memory")
    cid = env.new_id()
    path = in_path(env, bundle, cid)
    # memory+swap below the memory limit: refused before anything is made.
    resources(bundle)["memory"] = {"limit": 64 << 20, "swap": 32 << 20}
    bundle.probe("sleep", "60").save()
    result = env.rt.invoke("create", "--bundle", str(bundle.path), cid)
    assert result.rc != 0
    if not env.info.is_runc:
        assert "/linux/resources/memory" in result.err, result.err
    assert not leftovers(path)


def test_a_limit_the_kernel_refuses_leaves_no_directory(env, bundle):
    require("cpu")
    cid = env.new_id()
    path = in_path(env, bundle, cid)
    # A quota below the kernel's 1 ms minimum is refused by the write itself.
    resources(bundle)["cpu"] = {"quota": 10, "period": 100000}
    bundle.probe("sleep", "60").save()
    result = env.rt.invoke("create", "--bundle", str(bundle.path), cid)
    assert result.rc != 0
    assert not leftovers(path)


@pytest.mark.ocirt_only("ocirt's state record")
def test_the_state_record_names_the_driver_and_the_directories(env, bundle):
    cid = env.new_id()
    path = in_path(env, bundle, cid)
    bundle.probe("sleep", "60").save()
    env.rt.create(cid, bundle.path).check()
    record = json.loads((env.rt.root / cid / "state.json").read_text())
    assert record["cgroup_driver"] == "v1"
    dirs = record["cgroup_dirs"]
    for key, point in hierarchies().items():
        assert dirs[key] == point + path
    if host_kind() == "hybrid":
        assert dirs[""] == unified_mount() + path


@pytest.mark.ocirt_only("ocirt's error for the systemd driver on cgroup v1")
def test_the_systemd_driver_is_refused_on_v1(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "60").save()
    result = env.rt.invoke("--systemd-cgroup", "create", "--bundle", str(bundle.path), cid)
    assert result.rc != 0
    assert "--systemd-cgroup" in result.err and host_kind() in result.err, result.err
    assert result.err.strip().count("\n") == 0, result.err


@pytest.mark.ocirt_only("ocirt's host-kind annotation")
def test_features_reports_v1_and_the_host_kind(env):
    doc = json.loads(env.rt.invoke("features").check().out)
    assert doc["linux"]["cgroup"]["v1"] is True
    assert doc["annotations"]["org.ocirt.cgroup.host"] == host_kind()


def test_a_relative_cgroups_path_is_below_the_callers_cgroup_of_each_hierarchy(env, bundle):
    cid = env.new_id()
    rel = f"ocirt-v1-rel-{cid}"
    bundle.linux["cgroupsPath"] = rel
    bundle.probe("sleep", "60").save()
    own = proc_cgroups("self")
    env.defer(lambda: env.rt.invoke("delete", "--force", cid))
    env.rt.create(cid, bundle.path).check()
    entries = proc_cgroups(env.rt.state(cid)["pid"])
    for key in hierarchies():
        assert entries[key] == own[key].rstrip("/") + "/" + rel, (key, entries[key], own[key])
    env.rt.delete(cid, "--force").check()
    for key, point in hierarchies().items():
        assert not Path(point + own[key].rstrip("/") + "/" + rel).exists()
