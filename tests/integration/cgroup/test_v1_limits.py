"""cgroup v1 limits against the real v1 controllers of a hybrid or legacy host: memory (OOM),
pids (a fork bomb), cpu (quota throttling), cpuset (with the parent propagation a new v1 cpuset
needs), devices (allow/deny lists), blkio, swappiness/oom_control. Each reads the v1 file and
checks the effect from inside the container."""

import json

import pytest

from runner import json_lines, wait_until
from v1_host import dir_of, in_path, keyed, mount_of, read, require, require_v1, resources

BUSY = ("/bin/sh", "-c", "while :; do :; done")


@pytest.fixture(autouse=True)
def v1_host():
    require_v1()


def start(env, bundle, *argv, run=True):
    cid = env.new_id()
    in_path(env, bundle, cid)
    bundle.args(*argv).save()
    env.rt.create(cid, bundle.path).check()
    if run:
        env.rt.start(cid).check()
    return cid, env.rt.state(cid)["pid"]


def test_memory_limit_oom_kills_and_events_reports_it(env, bundle):
    require("memory")
    limit = 32 * 2 ** 20
    memory = {"limit": limit}
    if mount_of("memory") and __import__("os").path.exists(mount_of("memory") + "/memory.memsw.limit_in_bytes"):
        memory["swap"] = limit  # no swap: the allocation cannot escape to it
    resources(bundle)["memory"] = memory
    cid, pid = start(env, bundle, "/probe", "alloc", "256", run=False)
    mem = dir_of(pid, "memory")
    assert read(mem, "memory.limit_in_bytes") == str(limit)
    watcher, io = env.rt.spawn("events", "--interval", "1s", cid)
    env.defer(lambda: watcher.kill() or watcher.wait())
    wait_until(lambda: json_lines(io.out()), timeout=20, what="events to start")
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped", timeout=60)
    wait_until(lambda: any(e["type"] == "oom" for e in json_lines(io.out())), timeout=20,
               what="an oom event")
    assert keyed(mem, "memory.oom_control")["oom_kill"] >= 1


def test_oom_with_the_killer_disabled_is_an_event(env, bundle):
    # Nothing is killed, so oom_kill stays 0: only the eventfd on memory.oom_control (runc's
    # notification) can tell `events` about this OOM.
    require("memory")
    limit = 32 * 2 ** 20
    memory = {"limit": limit, "disableOOMKiller": True}
    if __import__("os").path.exists(mount_of("memory") + "/memory.memsw.limit_in_bytes"):
        memory["swap"] = limit
    resources(bundle)["memory"] = memory
    cid, pid = start(env, bundle, "/probe", "alloc", "256", run=False)
    mem = dir_of(pid, "memory")
    watcher, io = env.rt.spawn("events", "--interval", "1s", cid)
    env.defer(lambda: watcher.kill() or watcher.wait())
    wait_until(lambda: json_lines(io.out()), timeout=20, what="events to start")
    env.rt.start(cid).check()
    wait_until(lambda: keyed(mem, "memory.oom_control")["under_oom"] == 1, timeout=60, what="under_oom")
    wait_until(lambda: any(e["type"] == "oom" for e in json_lines(io.out())), timeout=20,
               what="an oom event")
    assert keyed(mem, "memory.oom_control")["oom_kill"] == 0
    assert env.rt.state(cid)["status"] == "running"
    env.rt.invoke("kill", cid, "KILL").check()
    env.rt.wait_status(cid, "stopped", timeout=30)


def test_swappiness_reservation_and_disabled_oom_killer(env, bundle):
    require("memory")
    resources(bundle)["memory"] = {"limit": 64 << 20, "reservation": 32 << 20, "swappiness": 10,
                                   "disableOOMKiller": True}
    cid, pid = start(env, bundle, "/probe", "sleep", "60")
    mem = dir_of(pid, "memory")
    assert read(mem, "memory.soft_limit_in_bytes") == str(32 << 20)
    assert read(mem, "memory.swappiness") == "10"
    assert keyed(mem, "memory.oom_control")["oom_kill_disable"] == 1


def test_pids_limit_stops_a_fork_bomb(env, bundle):
    require("pids")
    resources(bundle)["pids"] = {"limit": 16}
    script = 'sh -c "while :; do sleep 100 & done" 2>/dev/null; exec sleep 100'
    cid, pid = start(env, bundle, "/bin/sh", "-c", script)
    pids = dir_of(pid, "pids")
    assert read(pids, "pids.max") == "16"
    wait_until(lambda: keyed(pids, "pids.events").get("max", 0) > 0, timeout=30,
               what="pids.events to count refused forks")
    assert int(read(pids, "pids.current")) <= 16


def test_cpu_quota_throttles(env, bundle):
    require("cpu")
    resources(bundle)["cpu"] = {"quota": 10000, "period": 100000, "shares": 512}
    cid, pid = start(env, bundle, *BUSY)
    cpu = dir_of(pid, "cpu")
    assert read(cpu, "cpu.cfs_quota_us") == "10000"
    assert read(cpu, "cpu.cfs_period_us") == "100000"
    assert read(cpu, "cpu.shares") == "512"
    wait_until(lambda: keyed(cpu, "cpu.stat").get("nr_throttled", 0) > 0, timeout=30,
               what="cpu.stat nr_throttled to grow")
    stats = json.loads(env.rt.invoke("events", "--stats", cid).check().out)["data"]
    assert stats["cpu"]["throttling"]["throttledPeriods"] > 0
    assert stats["cpu"]["usage"]["total"] > 0


def test_cpuset_pins_the_container_under_a_new_parent(env, bundle):
    require("cpuset")
    # The parent /ocirt-v1-it/<id> is new too: its empty cpuset.cpus/mems are copied down from
    # the hierarchy's root first, or no task could join.
    resources(bundle)["cpu"] = {"cpus": "0", "mems": "0"}
    cid = env.new_id()
    bundle.linux["cgroupsPath"] = f"/ocirt-v1-it/{cid}-p/{cid}"
    from v1_host import check_removed
    env.defer(lambda: check_removed(env, cid, f"/ocirt-v1-it/{cid}-p"))
    bundle.args("/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status").save()
    result = env.rt.run(cid, bundle.path).check()
    assert result.out.split() == ["Cpus_allowed_list:", "0"], result.out


@pytest.mark.ocirt_only("runc copies cpuset.cpus/mems into every new container")
def test_a_parent_cpuset_made_by_create_hands_its_cpus_to_the_next_containers(env, bundle):
    require("cpuset")
    # The first create makes the parent and gives it cgroup.clone_children before making its
    # own directory: the kernel then copies the parent's cpus/mems (and the flag) into each
    # container's cpuset at mkdir (no 0.7 ms write). A parent the caller made keeps its flag,
    # and so does a container below it.
    import os
    root = mount_of("cpuset")
    made_by_test = f"{root}/ocirt-v1-it-{env.new_id()}"
    os.mkdir(made_by_test)
    env.defer(lambda: os.rmdir(made_by_test))
    cids = [env.new_id() for _ in range(3)]
    parent = f"/ocirt-v1-it/{cids[0]}-p"
    from v1_host import check_removed
    env.defer(lambda: check_removed(env, cids[0], parent))
    dirs = []
    for i, cid in enumerate(cids):
        under = parent if i < 2 else made_by_test[len(root):]
        bundle.linux["cgroupsPath"] = f"{under}/{cid}"
        bundle.args("/bin/sleep", "60").save()
        env.rt.create(cid, bundle.path).check()
        env.defer(lambda cid=cid: env.rt.invoke("delete", "--force", cid))
        dirs.append(f"{root}{under}/{cid}")
    assert read(root + parent, "cgroup.clone_children") == "1"
    assert read(made_by_test, "cgroup.clone_children") == "0"
    for d, flag in zip(dirs, ["1", "1", "0"]):
        assert read(d, "cgroup.clone_children") == flag, d
        assert read(d, "cpuset.cpus") == read(root, "cpuset.cpus"), d
        assert read(d, "cpuset.mems") == read(root, "cpuset.mems"), d


def loop_control_bundle(env, bundle, rules):
    import os
    if not os.path.exists("/dev/loop-control"):
        pytest.skip("no /dev/loop-control on this host to bind into the container")
    bundle.add_mount("/lc", "bind", "/dev/loop-control", ["bind"])
    resources(bundle)["devices"] = rules
    return start(env, bundle, "/bin/sh", "-c", "exec sleep 60")


def test_devices_default_deny_blocks_a_bound_device(env, bundle):
    require("devices")
    cid, pid = loop_control_bundle(env, bundle, [{"allow": False, "access": "rwm"}])
    devices = dir_of(pid, "devices")
    listed = read(devices, "devices.list").splitlines()
    assert "a *:* rwm" not in listed
    assert "c 1:3 rwm" in listed  # /dev/null, from the default allow list
    assert "c 10:237 rwm" not in listed
    # A subshell: a failed redirection of `exec` ends the shell that runs it.
    logs = env.rt.invoke("exec", cid, "/bin/sh", "-c", "(exec 3</lc) || echo refused")
    assert "Operation not permitted" in logs.err + logs.out, logs.describe()
    assert "refused" in logs.out, logs.describe()


def test_devices_allow_rule_opens_it(env, bundle):
    require("devices")
    rules = [{"allow": False, "access": "rwm"},
             {"allow": True, "type": "c", "major": 10, "minor": 237, "access": "r"}]
    cid, pid = loop_control_bundle(env, bundle, rules)
    assert "c 10:237 r" in read(dir_of(pid, "devices"), "devices.list").splitlines()
    result = env.rt.invoke("exec", cid, "/bin/sh", "-c", "exec 3</lc && echo opened").check()
    assert "opened" in result.out


def test_blkio_weight_and_throttle(env, bundle):
    require("blkio")
    from pathlib import Path
    blk = Path(mount_of("blkio"))
    if not (blk / "blkio.throttle.read_bps_device").exists():
        pytest.skip("the kernel has no blkio throttling files")
    disks = [d for d in sorted(Path("/sys/block").iterdir()) if not d.name.startswith(("loop", "ram"))]
    if not disks:
        pytest.skip("no block device in /sys/block")
    major, minor = (int(x) for x in (disks[0] / "dev").read_text().split(":"))
    resources(bundle)["blockIO"] = {"throttleReadBpsDevice": [{"major": major, "minor": minor, "rate": 1048576}]}
    cid, pid = start(env, bundle, "/probe", "sleep", "60")
    assert read(dir_of(pid, "blkio"), "blkio.throttle.read_bps_device") == f"{major}:{minor} 1048576"


@pytest.mark.ocirt_only("runc update has no devices")
def test_update_of_the_device_list_on_a_live_container(env, bundle):
    require("devices")
    cid, pid = loop_control_bundle(env, bundle, [{"allow": False, "access": "rwm"}])
    devices = dir_of(pid, "devices")
    doc = env.tmp / "devices.json"
    doc.write_text(json.dumps({"devices": [{"allow": False, "access": "rwm"},
                                           {"allow": True, "type": "c", "major": 10, "minor": 237, "access": "rw"}]}))
    with open(doc) as f:
        env.rt.invoke("update", "-r", "-", cid, stdin=f).check()
    listed = read(devices, "devices.list").splitlines()
    assert "c 10:237 rw" in listed
    assert "c 1:3 rwm" in listed  # the defaults stay, with no deny-all moment needed
    result = env.rt.invoke("exec", cid, "/bin/sh", "-c", "exec 3<>/lc && echo opened").check()
    assert "opened" in result.out


def test_hugepage_limits_go_to_a_hugetlb_hierarchy(env, bundle):
    import os
    from pathlib import Path
    from v1_host import unified_mount
    if mount_of("hugetlb"):
        pass
    elif unified_mount() and "hugetlb" in Path(unified_mount(), "cgroup.controllers").read_text().split():
        # A hybrid host may leave hugetlb to cgroup2; runc 1.1 then fails ("cannot set hugetlb
        # limit: container could not join or create cgroup"), ocirt uses cgroup2's hugetlb.
        if env.info.is_runc:
            pytest.skip("runc 1.1 sets huge page limits only through a v1 hugetlb hierarchy")
    else:
        pytest.skip("no hugetlb hierarchy (v1 or cgroup2) on this host")
    # The kernel's names: hugepages-2048kB → 2MB, hugepages-1048576kB → 1GB.
    def size_name(kb):
        return f"{kb // 1048576}GB" if kb >= 1048576 else f"{kb // 1024}MB" if kb >= 1024 else f"{kb}KB"
    # The smallest size first (by value: "1GB" sorts before "2MB" as text, and a 4 MiB limit
    # rounds down to 0 in 1 GiB pages).
    sizes = [size_name(kb) for kb in sorted(int(p.name[len("hugepages-"):-2])
                                            for p in Path("/sys/kernel/mm/hugepages").glob("hugepages-*kB"))]
    if not sizes:
        pytest.skip("no huge page sizes in /sys/kernel/mm/hugepages")
    resources(bundle)["hugepageLimits"] = [{"pageSize": sizes[0], "limit": 2 << 21}]
    cid, pid = start(env, bundle, "/probe", "sleep", "60")
    if mount_of("hugetlb"):
        assert read(dir_of(pid, "hugetlb"), f"hugetlb.{sizes[0]}.limit_in_bytes") == str(2 << 21)
    else:
        path = [line.split(":", 2)[2] for line in open(f"/proc/{pid}/cgroup").read().splitlines() if line.startswith("0::")][0]
        assert read(Path(unified_mount() + path), f"hugetlb.{sizes[0]}.max") == str(2 << 21)
    assert os.path.exists(f"/proc/{pid}")
