"""Namespaces seen from inside: new ones differ from the host's, joined ones match."""

import os

import pytest

from host import host_namespaces
from runner import probe_output, wait_until

# config.json namespace type -> /proc/self/ns name
PROC_NAME = {"pid": "pid", "network": "net", "mount": "mnt", "ipc": "ipc", "uts": "uts",
             "user": "user", "cgroup": "cgroup", "time": "time"}

USERNS_MAP = [{"containerID": 0, "hostID": 100000, "size": 65536}]


def run_probe(env, bundle, *probe_args):
    bundle.probe(*probe_args).save()
    return probe_output(env.rt.run(env.new_id(), bundle.path).check().out)


@pytest.mark.parametrize("ns_type", ["pid", "network", "mount", "ipc", "uts", "cgroup"])
def test_new_namespace_differs_from_host(env, bundle, ns_type):
    bundle.add_namespace(ns_type)
    report = run_probe(env, bundle)
    name = PROC_NAME[ns_type]
    assert report["namespaces"][name] != host_namespaces()[name]


@pytest.mark.parametrize("ns_type", ["network", "ipc", "uts", "cgroup"])
def test_namespace_left_out_is_shared_with_host(env, bundle, ns_type):
    bundle.remove_namespace(ns_type)
    if ns_type == "uts":
        bundle.config.pop("hostname", None)  # a hostname needs a UTS namespace of our own
    if ns_type == "network":
        # sysfs cannot be mounted without a network namespace of our own.
        bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "sysfs"]
    report = run_probe(env, bundle)
    name = PROC_NAME[ns_type]
    assert report["namespaces"][name] == host_namespaces()[name]


def test_process_is_pid_1(env, bundle):
    report = run_probe(env, bundle)
    assert report["pid"] == 1
    assert report["ppid"] == 0


# How to make a process that holds a namespace of each type with unshare(1).
UNSHARE_FLAGS = {"network": ["--net"], "ipc": ["--ipc"], "uts": ["--uts"], "cgroup": ["--cgroup"],
                 "pid": ["--pid", "--fork", "--kill-child"], "mount": ["--mount"]}


def namespace_holder(env, ns_type):
    """Starts a sleeping process in a new namespace of `ns_type`; returns its ns path."""
    proc = env.background(["unshare", *UNSHARE_FLAGS[ns_type], "sleep", "300"])
    own = os.readlink(f"/proc/self/ns/{PROC_NAME[ns_type]}")

    def holder_pid():
        # With --fork the sleeper is unshare's child; otherwise unshare execs sleep.
        candidates = [proc.pid]
        try:
            with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
                candidates += [int(c) for c in f.read().split()]
            for pid in candidates:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == "sleep" and \
                            os.readlink(f"/proc/{pid}/ns/{PROC_NAME[ns_type]}") != own:
                        return pid
        except OSError:
            pass
        return None
    pid = wait_until(holder_pid, what=f"a process in a new {ns_type} namespace")
    return f"/proc/{pid}/ns/{PROC_NAME[ns_type]}"


@pytest.mark.parametrize("ns_type", ["network", "ipc", "uts", "cgroup", "pid"])
def test_join_namespace_by_path(env, bundle, ns_type):
    path = namespace_holder(env, ns_type)
    bundle.add_namespace(ns_type, path)
    bundle.config.pop("hostname", None)  # see test_hostname_in_a_joined_uts_namespace
    report = run_probe(env, bundle)
    assert report["namespaces"][PROC_NAME[ns_type]] == os.readlink(path)


def test_hostname_in_a_joined_uts_namespace(env, bundle):
    # CRI runtimes set a hostname on containers that join their pod's UTS namespace.
    path = namespace_holder(env, "uts")
    bundle.add_namespace("uts", path)
    bundle.config["hostname"] = "pod-host"
    report = run_probe(env, bundle)
    assert report["namespaces"]["uts"] == os.readlink(path)
    assert report["hostname"] == "pod-host"


def test_joined_network_namespace_from_ip_netns(env, bundle):
    name = f"oi-{env.tmp.name[-6:]}"
    os.system(f"ip netns add {name}")
    env.defer(lambda: os.system(f"ip netns delete {name}"))
    path = f"/run/netns/{name}"
    bundle.add_namespace("network", path)
    report = run_probe(env, bundle)
    assert report["namespaces"]["net"] == f"net:[{os.stat(path).st_ino}]"


def userns_bundle(bundle):
    bundle.add_namespace("user")
    bundle.linux["uidMappings"] = USERNS_MAP
    bundle.linux["gidMappings"] = USERNS_MAP
    # A cgroup v1 hierarchy cannot be mounted from a user namespace.
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "cgroup"]
    return bundle


def test_user_namespace_maps_root(env, bundle):
    report = run_probe(env, userns_bundle(bundle))
    assert report["namespaces"]["user"] != host_namespaces()["user"]
    assert (report["uid"], report["gid"], report["euid"], report["egid"]) == (0, 0, 0, 0)
    assert report["files"]["/proc/self/uid_map"].split() == ["0", "100000", "65536"]
    assert report["files"]["/proc/self/gid_map"].split() == ["0", "100000", "65536"]


def test_user_namespace_host_view(env, bundle):
    cid = env.new_id()
    userns_bundle(bundle).probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    with open(f"/proc/{pid}/status") as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    # Real, effective, saved and fs uid as the host sees them.
    assert status["Uid"].split() == ["100000"] * 4
    assert status["Gid"].split() == ["100000"] * 4


def test_user_namespace_with_several_mappings(env, bundle):
    userns_bundle(bundle)
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 1},
                                   {"containerID": 1, "hostID": 300001, "size": 999}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 1000}]
    report = run_probe(env, bundle)
    uid_lines = [line.split() for line in report["files"]["/proc/self/uid_map"].splitlines()]
    assert uid_lines == [["0", "200000", "1"], ["1", "300001", "999"]]
    assert report["files"]["/proc/self/gid_map"].split() == ["0", "200000", "1000"]


@pytest.mark.runc_min_version("1.2", "time namespaces with timeOffsets")
def test_time_namespace_offsets(env, bundle):
    year = 365 * 24 * 3600
    bundle.add_namespace("time")
    bundle.linux["timeOffsets"] = {"monotonic": {"secs": year, "nanosecs": 0},
                                   "boottime": {"secs": 2 * year, "nanosecs": 500}}
    report = run_probe(env, bundle)
    assert report["namespaces"]["time"] != host_namespaces()["time"]
    offsets = {line.split()[0]: line.split()[1:]
               for line in report["files"]["/proc/self/timens_offsets"].splitlines()}
    assert offsets == {"monotonic": [str(year), "0"], "boottime": [str(2 * year), "500"]}
    host_boottime = int(open("/proc/uptime").read().split()[0].split(".")[0])
    assert report["clocks"]["monotonic"] >= year
    assert report["clocks"]["boottime"] >= 2 * year + host_boottime - 5


@pytest.mark.parametrize("hostname", ["itest-host", "a" * 64])
def test_hostname(env, bundle, hostname):
    bundle.config["hostname"] = hostname
    assert run_probe(env, bundle)["hostname"] == hostname


@pytest.mark.runc_min_version("1.2", "domainname")
def test_domainname(env, bundle):
    bundle.config["hostname"] = "itest-host"
    bundle.config["domainname"] = "itest.example"
    report = run_probe(env, bundle)
    assert (report["hostname"], report["domainname"]) == ("itest-host", "itest.example")


def test_hostname_does_not_change_the_host(env, bundle):
    before = os.uname().nodename
    bundle.config["hostname"] = "itest-other"
    run_probe(env, bundle)
    assert os.uname().nodename == before


def test_new_network_namespace_has_its_loopback_up(env, bundle):
    bundle.add_namespace("network")
    assert run_probe(env, bundle, "loopback") == {"lo_up": True, "connect_errno": 0}
