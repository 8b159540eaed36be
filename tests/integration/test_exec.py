"""exec: joins the container's namespaces; its flags and --process file."""

import json
import os
import re

import pytest

from runner import ConsoleReceiver, probe_output, wait_until

JOINED = ["cgroup", "ipc", "mnt", "net", "pid", "uts"]


def start_sleeping(env, bundle):
    """A running container whose init is `/probe sleep 300`; returns (id, init pid)."""
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    return cid, env.rt.state(cid)["pid"]


def exec_probe(env, cid, *probe_args, flags=()):
    result = env.rt.exec(cid, "/probe", *probe_args, flags=flags).check()
    return probe_output(result.out)


def init_namespaces(pid, types):
    return {t: os.readlink(f"/proc/{pid}/ns/{t}") for t in types}


def test_exec_joins_every_namespace_of_the_init(env, bundle):
    bundle.add_namespace("cgroup")
    cid, pid = start_sleeping(env, bundle)
    report = exec_probe(env, cid)
    assert {t: report["namespaces"][t] for t in JOINED} == init_namespaces(pid, JOINED)
    assert report["pid"] > 1


def test_exec_joins_the_user_namespace(env, bundle):
    mapping = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.add_namespace("user")
    bundle.linux["uidMappings"] = mapping
    bundle.linux["gidMappings"] = mapping
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "cgroup"]
    cid, pid = start_sleeping(env, bundle)
    report = exec_probe(env, cid)
    assert report["namespaces"]["user"] == os.readlink(f"/proc/{pid}/ns/user")
    assert report["uid"] == 0
    assert report["files"]["/proc/self/uid_map"].split() == ["0", "100000", "65536"]


def test_exec_sees_the_container_filesystem(env, bundle):
    bundle.add_mount("/scratch", "tmpfs", "tmpfs", ["size=1m"])
    cid, _ = start_sleeping(env, bundle)
    points = [m["mount_point"] for m in exec_probe(env, cid)["mounts"]]
    assert "/scratch" in points


def test_exec_exit_status(env, bundle):
    cid, _ = start_sleeping(env, bundle)
    result = env.rt.exec(cid, "/probe", "exit", "7")
    assert result.rc == 7, result.describe()


def test_exec_uses_the_config_process_defaults(env, bundle):
    bundle.process["env"] = ["PATH=/bin", "FROM_CONFIG=1"]
    bundle.process["cwd"] = "/tmp"
    bundle.user(1000, 1000, additional_gids=[20])
    bundle.rlimits({"RLIMIT_MSGQUEUE": (3000, 4000)})
    cid, _ = start_sleeping(env, bundle)
    report = exec_probe(env, cid)
    assert "FROM_CONFIG=1" in report["env"]
    assert report["cwd"] == "/tmp"
    assert (report["uid"], report["gid"], report["groups"]) == (1000, 1000, [20])
    assert report["rlimits"]["RLIMIT_MSGQUEUE"] == {"soft": 3000, "hard": 4000}


@pytest.mark.runc_deviates("runc 1.1 built with Go >= 1.19 may leave the NOFILE soft limit of "
                           "exec'd processes raised to the hard limit (opencontainers/runc#4195)")
def test_exec_applies_the_nofile_limit(env, bundle):
    bundle.rlimits({"RLIMIT_NOFILE": (300, 400)})
    cid, _ = start_sleeping(env, bundle)
    assert exec_probe(env, cid)["rlimits"]["RLIMIT_NOFILE"] == {"soft": 300, "hard": 400}


def test_exec_env_flag(env, bundle):
    cid, _ = start_sleeping(env, bundle)
    report = exec_probe(env, cid, flags=["--env", "EXTRA=yes", "--env", "SECOND=2"])
    assert "EXTRA=yes" in report["env"] and "SECOND=2" in report["env"]


def test_exec_cwd_flag(env, bundle):
    cid, _ = start_sleeping(env, bundle)
    assert exec_probe(env, cid, flags=["--cwd", "/etc"])["cwd"] == "/etc"


def test_exec_user_flag(env, bundle):
    cid, _ = start_sleeping(env, bundle)
    report = exec_probe(env, cid, flags=["--user", "1000:1001"])
    assert (report["uid"], report["gid"]) == (1000, 1001)


def test_exec_cap_flag_adds_a_capability(env, bundle):
    bundle.capabilities(bounding=["CAP_KILL"], permitted=["CAP_KILL"], effective=["CAP_KILL"])
    cid, _ = start_sleeping(env, bundle)
    report = exec_probe(env, cid, flags=["--cap", "CAP_SYS_CHROOT"])
    assert int(report["status"]["CapEff"], 16) == (1 << 5) | (1 << 18)


def test_exec_no_new_privs_flag(env, bundle):
    bundle.process["noNewPrivileges"] = False
    cid, _ = start_sleeping(env, bundle)
    assert exec_probe(env, cid)["status"]["NoNewPrivs"] == "0"
    assert exec_probe(env, cid, flags=["--no-new-privs"])["status"]["NoNewPrivs"] == "1"


def exec_process_file(env, cid, fields):
    """exec --process with a process.json of /probe updated by `fields`; the probe's report."""
    process = {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["/probe"],
               "env": ["PATH=/bin"], "cwd": "/"}
    process.update(fields)
    process_file = env.tmp / "process.json"
    process_file.write_text(json.dumps(process))
    return probe_output(env.rt.exec(cid, flags=["--process", process_file]).check().out)


def test_exec_process_file(env, bundle):
    cid, _ = start_sleeping(env, bundle)
    report = exec_process_file(env, cid, {
        "user": {"uid": 1000, "gid": 1000, "additionalGids": [30]},
        "env": ["PATH=/bin", "FROM_FILE=1"],
        "cwd": "/etc",
        "rlimits": [{"type": "RLIMIT_MSGQUEUE", "soft": 1000, "hard": 2000}],
        "noNewPrivileges": True,
    })
    assert "FROM_FILE=1" in report["env"]
    assert report["cwd"] == "/etc"
    assert (report["uid"], report["gid"], report["groups"]) == (1000, 1000, [30])
    assert report["rlimits"]["RLIMIT_MSGQUEUE"] == {"soft": 1000, "hard": 2000}
    assert report["status"]["NoNewPrivs"] == "1"


def test_exec_process_file_capabilities(env, bundle):
    cid, _ = start_sleeping(env, bundle)
    caps = ["CAP_KILL", "CAP_SYS_CHROOT"]
    report = exec_process_file(env, cid, {"capabilities": {"bounding": caps, "permitted": caps,
                                                           "effective": caps}})
    assert int(report["status"]["CapEff"], 16) == (1 << 5) | (1 << 18)
    assert int(report["status"]["CapBnd"], 16) == (1 << 5) | (1 << 18)


@pytest.mark.runc_min_version("1.2", "umask for exec'd processes (opencontainers/runc#3661)")
def test_exec_process_file_umask(env, bundle):
    cid, _ = start_sleeping(env, bundle)
    report = exec_process_file(env, cid, {"user": {"uid": 0, "gid": 0, "umask": 0o077}})
    assert report["umask"] == 0o077


def test_exec_detach_and_pid_file(env, bundle):
    cid, init = start_sleeping(env, bundle)
    pid_file = env.tmp / "exec.pid"
    env.rt.exec(cid, "/probe", "sleep", "300",
                flags=["--detach", "--pid-file", pid_file], timeout=20).check()
    text = pid_file.read_text()
    assert re.fullmatch(r"\d+", text), f"pid file content {text!r}"
    pid = int(text)
    assert os.readlink(f"/proc/{pid}/ns/pid") == os.readlink(f"/proc/{init}/ns/pid")
    assert open(f"/proc/{pid}/cmdline").read().split("\0")[:3] == ["/probe", "sleep", "300"]


def test_exec_tty_with_console_socket(env, bundle):
    cid, _ = start_sleeping(env, bundle)
    console = ConsoleReceiver(env.helpers["console_receiver"], env.tmp / "exec.sock")
    env.defer(console.stop)
    env.rt.exec(cid, "/probe", flags=["--tty", "--detach", "--console-socket",
                                      console.socket_path], timeout=20).check()
    report = console.result()
    assert report["received"], report
    tty = probe_output(report["output"].replace("\r\n", "\n"))["tty"]
    assert tty["stdin"] and tty["stdout"] and tty["stderr"]


def test_exec_into_a_stopped_container_fails(env, bundle):
    cid = env.new_id()
    bundle.probe("exit", "0").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    result = env.rt.exec(cid, "/probe")
    assert result.rc != 0, result.describe()
    assert len(result.err.strip().splitlines()) == 1, result.err


def test_exec_processes_die_with_the_container(env, bundle):
    cid, _ = start_sleeping(env, bundle)
    pid_file = env.tmp / "exec.pid"
    env.rt.exec(cid, "/probe", "sleep", "300", flags=["--detach", "--pid-file", pid_file],
                timeout=20).check()
    pid = int(pid_file.read_text())
    env.rt.delete(cid, "--force").check()
    wait_until(lambda: not os.path.exists(f"/proc/{pid}"), what="the exec'd process to die")
