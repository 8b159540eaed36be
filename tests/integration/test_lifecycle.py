"""Container lifecycle: create, start, state, kill, delete, run."""

import os
import re
import signal

import pytest

from runner import probe_output, wait_until


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_create_leaves_a_waiting_container(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    state = env.rt.state(cid)
    assert state["status"] == "created"
    assert state["pid"] > 0 and pid_alive(state["pid"])


def test_state_has_oci_and_runc_fields(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    state = env.rt.state(cid)
    assert state["id"] == cid
    assert re.fullmatch(r"\d+\.\d+\.\d+(-[\w.]+)?", state["ociVersion"]), state["ociVersion"]
    assert state["bundle"] == str(bundle.path)
    assert state["rootfs"] == str(bundle.rootfs)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", state["created"]), \
        state["created"]
    assert "owner" in state


def test_state_reports_annotations(env, bundle):
    cid = env.new_id()
    bundle.config["annotations"] = {"org.example.key": "value", "org.example.other": ""}
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    assert env.rt.state(cid)["annotations"] == {"org.example.key": "value", "org.example.other": ""}


def test_start_makes_the_container_run(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    state = env.rt.state(cid)
    assert state["status"] == "running"
    assert pid_alive(state["pid"])


def test_container_stops_when_its_process_exits(env, bundle):
    cid = env.new_id()
    bundle.probe("exit", "0").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    state = env.rt.wait_status(cid, "stopped")
    assert state["id"] == cid


def test_process_does_not_run_before_start(env, bundle):
    cid = env.new_id()
    bundle.probe().save()
    result = env.rt.create(cid, bundle.path).check()
    assert result.io.out() == "", "the container process ran before start"
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    assert probe_output(result.io.out())["pid"] == 1


def test_start_twice_fails(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    assert env.rt.start(cid).rc != 0


@pytest.mark.parametrize("sig", ["TERM", "SIGTERM", "15"])
def test_kill_delivers_named_and_numbered_signals(env, bundle, sig):
    cid = env.new_id()
    bundle.probe("signals").save()
    created = env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    wait_until(lambda: '"ready"' in created.io.out(), what="probe to block signals")
    env.rt.kill(cid, sig).check()
    env.rt.wait_status(cid, "stopped")
    assert probe_output(created.io.out())["signal"] == signal.SIGTERM


def test_kill_defaults_to_sigterm(env, bundle):
    cid = env.new_id()
    bundle.probe("signals").save()
    created = env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    wait_until(lambda: '"ready"' in created.io.out(), what="probe to block signals")
    env.rt.kill(cid).check()
    env.rt.wait_status(cid, "stopped")
    assert probe_output(created.io.out())["signal"] == signal.SIGTERM


@pytest.mark.parametrize("sig", ["KILL", "SIGKILL", "9"])
def test_kill_sigkill_stops_the_container(env, bundle, sig):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    pid = env.rt.state(cid)["pid"]
    env.rt.kill(cid, sig).check()
    env.rt.wait_status(cid, "stopped")
    wait_until(lambda: not pid_alive(pid), what="the init process to be gone")


def test_kill_with_an_unknown_signal_fails(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    assert env.rt.kill(cid, "NOTASIGNAL").rc != 0
    assert env.rt.state(cid)["status"] == "running"


@pytest.mark.parametrize("sig", [
    "TERM", "INT", "HUP",
    # SIGRTMIN+3 as a number: runc 1.1.5 does not know the RTMIN+N names.
    *[pytest.param(s, marks=pytest.mark.runc_deviates(
        "runc's waiting init (Go) ignores USR1, USR2 and the real-time signals, whose default "
        "action (signal(7)) ends a process")) for s in ["USR1", "USR2", str(signal.SIGRTMIN + 3)]],
])
def test_kill_ends_a_created_container(env, bundle, sig):
    # A created container waits for `start`; a signal whose default action ends a process ends
    # it (runc's waiting init dies too), although as PID 1 of its PID namespace it would ignore
    # a signal it has no handler for. Engines stop containers with TERM before their timeout.
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    env.rt.kill(cid, sig).check()
    env.rt.wait_status(cid, "stopped", timeout=5)
    wait_until(lambda: not pid_alive(pid) or open(f"/proc/{pid}/stat").read().split()[2] == "Z",
               timeout=5, what="the waiting process to end")
    assert env.rt.start(cid).rc != 0
    env.rt.delete(cid).check()
    env.assert_nothing_left(cid)


def test_kill_with_an_ignored_signal_leaves_a_created_container_waiting(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.kill(cid, "WINCH").check()
    env.rt.kill(cid, "CHLD").check()
    assert env.rt.state(cid)["status"] == "created"
    env.rt.start(cid).check()
    assert env.rt.state(cid)["status"] == "running"


@pytest.mark.parametrize("start", [False, True])
def test_kill_signal_0_checks_the_process_is_there(env, bundle, start):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    if start:
        env.rt.start(cid).check()
    status = env.rt.state(cid)["status"]
    env.rt.kill(cid, "0").check()
    assert env.rt.state(cid)["status"] == status  # nothing was sent
    env.rt.kill(cid, "KILL").check()
    env.rt.wait_status(cid, "stopped")
    result = env.rt.kill(cid, "0")
    assert result.rc != 0 and "not running" in result.err, result.describe()


def test_kill_all_reaches_every_process(env, bundle):
    cid = env.new_id()
    bundle.args("/bin/sh", "-c", "/probe sleep 300 & /probe sleep 300 & wait").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    init = env.rt.state(cid)["pid"]
    children = wait_until(lambda: _descendants(init) if len(_descendants(init)) >= 2 else None,
                          what="two sleeping children")
    env.rt.kill(cid, "KILL", "--all").check()
    env.rt.wait_status(cid, "stopped")
    for pid in [init, *children]:
        wait_until(lambda: not pid_alive(pid), what=f"process {pid} to be gone")


def _descendants(pid):
    found = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(k) for k in f.read().split()]
    except OSError:
        return found
    for kid in kids:
        found += [kid, *_descendants(kid)]
    return found


def test_delete_removes_a_stopped_container(env, bundle):
    cid = env.new_id()
    bundle.probe("exit", "0").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    env.rt.delete(cid).check()
    assert env.rt.invoke("state", cid).rc != 0
    assert cid not in env.rt.list_ids()
    env.assert_nothing_left(cid)


def test_delete_refuses_a_running_container(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    assert env.rt.delete(cid).rc != 0
    assert env.rt.state(cid)["status"] == "running"


def test_delete_force_kills_a_running_container(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    pid = env.rt.state(cid)["pid"]
    env.rt.delete(cid, "--force").check()
    wait_until(lambda: not pid_alive(pid), what="the init process to be killed")
    env.assert_nothing_left(cid)


def test_delete_of_a_created_container(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    env.rt.delete(cid, "--force").check()
    wait_until(lambda: not pid_alive(pid), what="the waiting init to be killed")
    env.assert_nothing_left(cid)


def test_delete_of_an_unknown_container_fails(env):
    assert env.rt.delete("does-not-exist").rc != 0


@pytest.mark.parametrize("code", [0, 3, 42])
def test_run_exits_with_the_process_status(env, bundle, code):
    bundle.probe("exit", str(code)).save()
    result = env.rt.run(env.new_id(), bundle.path)
    assert result.rc == code, result.describe()


def test_run_deletes_the_container_afterwards(env, bundle):
    cid = env.new_id()
    bundle.probe().save()
    result = env.rt.run(cid, bundle.path).check()
    assert probe_output(result.out)["pid"] == 1
    assert cid not in env.rt.list_ids()
    env.assert_nothing_left(cid)


def test_run_keep_leaves_a_stopped_container(env, bundle):
    cid = env.new_id()
    bundle.probe("exit", "0").save()
    env.rt.run(cid, bundle.path, "--keep").check()
    assert env.rt.state(cid)["status"] == "stopped"


def test_run_detach_returns_while_the_container_runs(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    io = env.rt.new_io(cid)
    env.rt.run(cid, bundle.path, "--detach", io=io, timeout=30).check()
    assert env.rt.state(cid)["status"] == "running"


def test_run_forwards_signals_to_the_container(env, bundle):
    cid = env.new_id()
    bundle.probe("signals").save()
    env.rt.track(cid)
    proc, io = env.rt.spawn("run", "--bundle", bundle.path, cid)
    try:
        wait_until(lambda: '"ready"' in io.out(), what="probe to block signals")
        proc.send_signal(signal.SIGUSR1)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert probe_output(io.out())["signal"] == signal.SIGUSR1
    assert proc.returncode == 0


def test_run_reports_death_by_signal_as_128_plus_signal(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.track(cid)
    proc, _ = env.rt.spawn("run", "--bundle", bundle.path, cid)
    try:
        wait_until(lambda: env.rt.invoke("state", cid).rc == 0 and
                   env.rt.state(cid)["status"] == "running", what="container to run")
        env.rt.kill(cid, "KILL").check()
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signal.SIGKILL


def test_pid_file_holds_the_init_pid(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    pid_file = env.tmp / "init.pid"
    env.rt.create(cid, bundle.path, "--pid-file", pid_file).check()
    text = pid_file.read_text()
    assert re.fullmatch(r"\d+", text), f"pid file content {text!r}"
    assert int(text) == env.rt.state(cid)["pid"]


def test_relative_bundle_path_is_stored_absolute(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    result = env.rt.invoke("create", "--bundle", os.path.relpath(bundle.path), cid,
                           io=env.rt.new_io(cid))
    env.rt.track(cid)
    result.check()
    assert env.rt.state(cid)["bundle"] == str(bundle.path)
