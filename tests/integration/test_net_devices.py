"""linux.netDevices: a host interface moved into the container (renamed if asked) and given
back to the host under its own name on delete."""

import os
import subprocess

import pytest

from test_errors import assert_refused

pytestmark = pytest.mark.runc_min_version("1.3", "linux.netDevices")


def link_exists(name):
    return subprocess.run(["ip", "link", "show", name], capture_output=True).returncode == 0


@pytest.fixture
def veth(env):
    if subprocess.run(["ip", "-V"], capture_output=True).returncode != 0:
        pytest.skip("iproute2 'ip' is missing (apt-get install -y iproute2)")
    name = f"oiv{env.tmp.name[-6:]}"
    subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", name + "p"], check=True)
    env.defer(lambda: subprocess.run(["ip", "link", "del", name], capture_output=True))
    return name


def test_veth_moved_in_renamed_and_back_on_delete(env, bundle, veth):
    bundle.linux["netDevices"] = {veth: {"name": "ctr0"}}
    bundle.args("/bin/sh", "-c", "cat /proc/net/dev").save()
    out = env.rt.run(env.new_id(), bundle.path).check().out
    names = [line.split(":")[0].strip() for line in out.splitlines() if ":" in line]
    assert "ctr0" in names and veth not in names
    assert link_exists(veth), "the device did not come back to the host"
    assert not link_exists("ctr0")


def test_device_stays_in_while_created_and_returns_after_stop(env, bundle, veth):
    cid = env.new_id()
    bundle.linux["netDevices"] = {veth: {}}
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    assert not link_exists(veth)
    pid = env.rt.state(cid)["pid"]
    inside = subprocess.run(["nsenter", "-t", str(pid), "-n", "ip", "link", "show", veth], capture_output=True)
    assert inside.returncode == 0, inside.stderr
    env.rt.kill(cid, "KILL").check()
    # The container is gone, its namespace pinned: the veth survives until delete.
    env.rt.delete(cid).check()
    assert link_exists(veth)
    env.assert_nothing_left(cid)


def test_missing_device_is_a_clear_error(env, bundle):
    bundle.linux["netDevices"] = {"oi-nosuchdev": {}}
    assert_refused(env, bundle, "/linux/netDevices/oi-nosuchdev")


def test_net_devices_need_a_network_namespace(env, bundle, veth):
    bundle.remove_namespace("network")
    bundle.linux["netDevices"] = {veth: {}}
    assert_refused(env, bundle, "/linux/netDevices")
    assert link_exists(veth)


def test_failed_create_gives_the_device_back(env, bundle, veth):
    bundle.linux["netDevices"] = {veth: {"name": "ctr1"}}
    bundle.args("/no/such/program").save()
    cid = env.new_id()
    result = env.rt.run(cid, bundle.path)
    assert result.rc != 0
    assert link_exists(veth)
    env.assert_nothing_left(cid)
