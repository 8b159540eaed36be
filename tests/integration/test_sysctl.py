"""linux.sysctl: namespaced kernel parameters take effect inside; anything that would change
the host is refused before the container exists."""

import os

import pytest

from test_errors import assert_refused


def sh(env, bundle, script):
    bundle.args("/bin/sh", "-c", script).save()
    return env.rt.run(env.new_id(), bundle.path)


def test_namespaced_sysctls_take_effect(env, bundle):
    bundle.linux["sysctl"] = {
        "net.ipv4.ip_forward": "1",
        "net.core.somaxconn": "1234",
        "kernel.shmmni": "2048",
        "kernel.msgmax": "4096",
        "fs.mqueue.msg_max": "20",
    }
    out = sh(env, bundle, "cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/core/somaxconn "
                          "/proc/sys/kernel/shmmni /proc/sys/kernel/msgmax /proc/sys/fs/mqueue/msg_max").check().out
    assert out.split() == ["1", "1234", "2048", "4096", "20"]
    # The host keeps its own values.
    with open("/proc/sys/net/core/somaxconn") as f:
        assert f.read().strip() != "1234"


def test_slash_form_key_with_a_dotted_name(env, bundle):
    bundle.linux["sysctl"] = {"net/ipv4/conf/lo/forwarding": "1"}
    assert sh(env, bundle, "cat /proc/sys/net/ipv4/conf/lo/forwarding").check().out.strip() == "1"


def test_uts_sysctl(env, bundle):
    bundle.linux["sysctl"] = {"kernel.domainname": "example.test"}
    assert sh(env, bundle, "cat /proc/sys/kernel/domainname").check().out.strip() == "example.test"


@pytest.mark.parametrize("key", ["kernel.panic", "vm.swappiness", "fs.file-max"])
def test_non_namespaced_sysctl_is_refused(env, bundle, key):
    bundle.linux["sysctl"] = {key: "1"}
    assert_refused(env, bundle, f"/linux/sysctl/{key}")


def test_net_sysctl_without_a_network_namespace_is_refused(env, bundle):
    bundle.remove_namespace("network")
    bundle.linux["sysctl"] = {"net.ipv4.ip_forward": "1"}
    assert_refused(env, bundle, "/linux/sysctl/net.ipv4.ip_forward", "network")


def test_net_sysctl_in_the_hosts_own_network_namespace_is_refused(env, bundle):
    bundle.remove_namespace("network")
    bundle.add_namespace("network", f"/proc/{os.getpid()}/ns/net")
    bundle.linux["sysctl"] = {"net.core.somaxconn": "999"}
    assert_refused(env, bundle, "runtime's own")


@pytest.mark.runc_deviates("runc 1.1 accepts an empty key component (net.ipv4..ip_forward)")
@pytest.mark.parametrize("key", ["net.ipv4..ip_forward", "net/../kernel/panic"])
def test_malformed_keys_are_refused(env, bundle, key):
    bundle.linux["sysctl"] = {key: "1"}
    assert_refused(env, bundle, "/linux/sysctl/")


def test_unknown_namespaced_key_fails_cleanly(env, bundle):
    bundle.linux["sysctl"] = {"net.ipv4.no_such_parameter": "1"}
    assert_refused(env, bundle, "/linux/sysctl/net.ipv4.no_such_parameter")


@pytest.mark.ocirt_only("writes sysctls through its own procfs instance")
def test_fake_proc_cannot_swallow_sysctls(env, bundle):
    # The rootfs's /proc is a plain directory bound over it (runc CVE-2019-16884 class): a
    # runtime writing through the container's /proc would write into that directory and
    # report success while the kernel value stays unchanged.
    fake = env.host_dir("fakeproc")
    (fake / "sys/net/core").mkdir(parents=True)
    (fake / "sys/net/core/somaxconn").write_text("0")
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["destination"] != "/proc"]
    bundle.bind(str(fake), "/proc")
    bundle.linux["sysctl"] = {"net.core.somaxconn": "777"}
    bundle.process["args"] = ["/bin/true"]
    bundle.save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    # The real kernel value inside the container's network namespace changed.
    value = os.popen(f"nsenter -t {pid} -n cat /proc/sys/net/core/somaxconn").read().strip()
    assert value == "777"
    assert (fake / "sys/net/core/somaxconn").read_text() == "0"
