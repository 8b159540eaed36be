"""The container's cgroup: where it goes, joining it before anything runs, removal."""

from pathlib import Path

import pytest

from cgroup_host import (CG_ROOT, cgroup_dir_of, cgroup_path_of, controllers, created, require,
                         resources, running, wait_gone)

pytestmark = pytest.mark.ocirt_only("ocirt's default cgroup is /ocirt/<id>; runc's differs")


def test_default_cgroup_is_ocirt_id_and_delete_removes_it(env, bundle):
    cid, pid, cgdir = created(env, bundle, "/probe", "sleep", "60")
    assert cgroup_path_of(pid) == f"/ocirt/{cid}"
    assert cgdir.is_dir()
    assert str(pid) in (cgdir / "cgroup.procs").read_text().split()
    env.rt.delete(cid, "--force").check()
    assert not cgdir.exists(), f"{cgdir} left after delete"


def test_init_stage_is_cloned_into_its_cgroup(env, bundle):
    # cgroup v2 (one unified hierarchy): clone3(CLONE_INTO_CGROUP) puts the init stage in the
    # container's cgroup from its first instruction, without a cgroup.procs write.
    bundle.args("/bin/sh", "-c", "cat /proc/self/cgroup").save()
    cid = env.new_id()
    env.rt.track(cid)
    result = env.rt.invoke("--debug", "run", "--bundle", bundle.path, cid).check()
    assert "init stage cloned into its cgroup" in result.err, result.err
    assert "0::/" in result.out.split(), result.out  # the cgroup namespace is rooted there


def test_container_sees_its_own_cgroup_as_root(env, bundle):
    bundle.args("/bin/sh", "-c", "cat /proc/self/cgroup; cat /sys/fs/cgroup/cgroup.procs").save()
    cid = env.new_id()
    result = env.rt.run(cid, bundle.path).check()
    lines = result.out.split()
    assert "0::/" in lines, result.out           # the cgroup namespace is rooted at its cgroup
    assert "1" in lines, result.out              # and the container's PID 1 is listed there


def test_absolute_cgroups_path_and_its_parents_are_removed(env, bundle):
    top = f"/ocirt-it-{env.tmp.name}"
    bundle.linux["cgroupsPath"] = f"{top}/box/c"
    cid, pid, cgdir = created(env, bundle, "/probe", "sleep", "60")
    assert cgroup_path_of(pid) == f"{top}/box/c"
    env.rt.delete(cid, "--force").check()
    assert not Path(CG_ROOT + top).exists(), "the directories create made were left behind"


def test_relative_cgroups_path_goes_under_the_callers_parent_cgroup(env, bundle):
    own = Path("/proc/self/cgroup").read_text().split("0::", 1)[1].split("\n")[0]
    parent = str(Path(own).parent)
    name = f"ocirt-rel-{env.tmp.name}"
    bundle.linux["cgroupsPath"] = name
    cid, pid, cgdir = created(env, bundle, "/probe", "sleep", "60")
    assert cgroup_path_of(pid) == str(Path(parent, name))
    env.rt.delete(cid, "--force").check()
    assert not cgdir.exists()


def test_exec_joins_the_container_cgroup(env, bundle):
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    result = env.rt.exec(cid, "/bin/cat", "/proc/self/cgroup").check()
    assert "0::/" in result.out.split(), result.out


def test_a_failed_create_removes_its_cgroup(env, bundle):
    require("hugetlb")
    bundle.linux["cgroupsPath"] = f"/ocirt-fail-{env.tmp.name}/c"
    resources(bundle)["hugepageLimits"] = [{"pageSize": "3MB", "limit": 1}]
    bundle.probe("sleep", "60").save()
    cid = env.new_id()
    result = env.rt.create(cid, bundle.path)
    assert result.rc != 0
    assert "/linux/resources/hugepageLimits/0/pageSize" in result.err, result.err
    assert not Path(f"{CG_ROOT}/ocirt-fail-{env.tmp.name}").exists()
    env.assert_nothing_left(cid)


def test_a_missing_controller_is_named_with_the_field(env, bundle):
    missing = [c for c in ("memory", "pids", "cpu", "io", "cpuset") if c not in controllers()]
    if not missing:
        pytest.skip("cgroup2 here offers every controller this test could ask for")
    field = {"memory": ("memory", {"limit": 1 << 26}), "pids": ("pids", {"limit": 10}),
             "cpu": ("cpu", {"shares": 512}), "io": ("blockIO", {"weight": 500}),
             "cpuset": ("cpu", {"cpus": "0"})}[missing[0]]
    resources(bundle)[field[0]] = field[1]
    bundle.probe("sleep", "60").save()
    cid = env.new_id()
    result = env.rt.create(cid, bundle.path)
    assert result.rc != 0
    assert f'controller "{missing[0]}" is not available' in result.err, result.err
    assert f"/linux/resources/{field[0]}" in result.err, result.err
    env.assert_nothing_left(cid)


def test_network_classid_is_refused_on_cgroup_v2(env, bundle):
    resources(bundle)["network"] = {"classID": 1048577}
    bundle.probe("sleep", "60").save()
    cid = env.new_id()
    result = env.rt.create(cid, bundle.path)
    assert result.rc != 0 and "/linux/resources/network" in result.err, result.err
    env.assert_nothing_left(cid)


def test_unified_key_outside_the_cgroup_is_refused(env, bundle):
    resources(bundle)["unified"] = {"../cgroup.procs": "1"}
    bundle.probe("sleep", "60").save()
    cid = env.new_id()
    result = env.rt.create(cid, bundle.path)
    assert result.rc != 0 and "/linux/resources/unified/" in result.err, result.err
    assert "../cgroup.procs" in result.err, result.err
    env.assert_nothing_left(cid)


def test_unified_key_of_a_missing_controller_is_refused(env, bundle):
    if "memory" in controllers():
        pytest.skip("cgroup2 here has the memory controller")
    resources(bundle)["unified"] = {"memory.high": "100000000"}
    bundle.probe("sleep", "60").save()
    cid = env.new_id()
    result = env.rt.create(cid, bundle.path)
    assert result.rc != 0 and 'controller "memory"' in result.err, result.err
    assert "/linux/resources/unified/memory.high" in result.err, result.err
    env.assert_nothing_left(cid)


def test_unified_core_file_is_written(env, bundle):
    resources(bundle)["unified"] = {"cgroup.max.descendants": "3"}
    cid, pid, cgdir = created(env, bundle, "/probe", "sleep", "60")
    assert (cgdir / "cgroup.max.descendants").read_text().strip() == "3"


def test_the_cgroup_is_gone_after_the_container_exits_and_is_deleted(env, bundle):
    bundle.probe("exit", "0").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    cgdir = cgroup_dir_of(env.rt.state(cid)["pid"])
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    env.rt.delete(cid).check()
    assert wait_gone(cgdir, 1), f"{cgdir} left"
