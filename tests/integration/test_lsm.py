"""LSM labels: process.apparmorProfile, process.selinuxLabel, linux.mountLabel.

This host may or may not run AppArmor or SELinux. Where a module is absent, a config that asks
for one of its labels must be a clear error (never a container that runs unconfined), except
AppArmor's "unconfined", which asks for nothing; where it is present, the label must apply.
"""

import json
from pathlib import Path

import pytest

APPARMOR = Path("/sys/module/apparmor/parameters/enabled")


def apparmor_enabled():
    try:
        return APPARMOR.read_text().startswith("Y")
    except OSError:
        return False


def selinux_enabled():
    return Path("/sys/fs/selinux/enforce").exists()


def create_fails_naming(env, bundle, pointer):
    bundle.save()
    cid = env.new_id()
    r = env.rt.create(cid, bundle.path)
    assert r.rc != 0, r.describe()
    assert pointer in r.err and "not enabled" in r.err, r.describe()
    assert len(r.err.strip().splitlines()) == 1
    assert not (env.rt.root / cid).exists()


@pytest.mark.ocirt_only("runc 1.1 ignores a profile when AppArmor is off")
def test_apparmor_profile_without_apparmor_is_an_error(env, bundle):
    if apparmor_enabled():
        pytest.skip("AppArmor is enabled on this host: the missing-module error cannot happen")
    bundle.process["apparmorProfile"] = "docker-default"
    create_fails_naming(env, bundle, "/process/apparmorProfile")


@pytest.mark.runc_deviates("runc 1.1 writes \"unconfined\" to attr/exec and fails without AppArmor")
def test_apparmor_unconfined_is_accepted(env, bundle):
    bundle.process["apparmorProfile"] = "unconfined"
    bundle.args("/bin/sh", "-c", "echo ok").save()
    assert env.rt.run(env.new_id(), bundle.path).check().out.split() == ["ok"]


def test_apparmor_profile_applies_where_apparmor_runs(env, bundle):
    if not apparmor_enabled():
        pytest.skip("AppArmor is not enabled on this host (tested: the error above)")
    bundle.process["apparmorProfile"] = "unconfined"
    bundle.args("/bin/cat", "/proc/self/attr/current").save()
    assert "unconfined" in env.rt.run(env.new_id(), bundle.path).check().out


@pytest.mark.ocirt_only("the error text names the JSON path")
@pytest.mark.parametrize("section, field, pointer", [
    ("process", "selinuxLabel", "/process/selinuxLabel"),
    ("linux", "mountLabel", "/linux/mountLabel"),
])
def test_selinux_labels_without_selinux_are_errors(env, bundle, section, field, pointer):
    if selinux_enabled():
        pytest.skip("SELinux is enabled on this host: the missing-module error cannot happen")
    getattr(bundle, section)[field] = "system_u:object_r:container_file_t:s0:c1,c2"
    create_fails_naming(env, bundle, pointer)


@pytest.mark.ocirt_only("the error text names the JSON path")
def test_exec_with_a_label_the_host_cannot_apply_fails(env, bundle):
    if apparmor_enabled():
        pytest.skip("AppArmor is enabled on this host: the missing-module error cannot happen")
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    process = dict(bundle.process, args=["/bin/true"], apparmorProfile="docker-default")
    proc_file = env.tmp / "process.json"
    proc_file.write_text(json.dumps(process))
    r = env.rt.exec(cid, flags=("--process", str(proc_file)))
    assert r.rc != 0 and "/process/apparmorProfile" in r.err, r.describe()
