"""Foreground `run` forwards every signal it can catch (issue 17, "Signals and foreground run").

A table over signals 1-64 but KILL, STOP, CHLD and WINCH (CHLD is the runtime's own reaping,
WINCH resizes a pty):

- trapped: the container's process is a busybox shell trapping the signal; the signal sent to
  `run` reaches it (it prints `got-N`) and `run` exits with the shell's status. Signals 32 and
  33 are left out of this half: glibc, which busybox is built with, keeps them for itself, so
  no busybox shell can trap them.
- untrapped: for every signal whose default action ends a process (real-time ones, 32 and 33
  included), the container's process (no PID namespace, so nothing shields it as an init
  process) dies of it and `run` exits 128 + N, as runc does.

`run` is never stopped by TSTP/TTIN/TTOU itself: they are in the trapped half, and a stopped
`run` would not exit.
"""

import os
import signal

import pytest

from runner import wait_until

SKIPPED = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD, signal.SIGWINCH}
GLIBC_RESERVED = {32, 33}
# signal(7): default action Ign, Stop or Cont; every other signal ends the process.
NOT_TERMINATING = {signal.SIGCHLD, signal.SIGCONT, signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN,
                   signal.SIGTTOU, signal.SIGURG, signal.SIGWINCH}

# runc 1.1.5 (Debian's, run with OCIRT_BIN=/usr/sbin/runc): the Go runtime keeps SIGPROF (not
# forwarded: the container never sees it and runc waits on) and has no handler for 32 to 34
# (runc itself dies of them, exit -N, the container left running).
RUNC_DEVIATES = {
    signal.SIGPROF: "runc 1.1.5 does not forward SIGPROF (the Go runtime keeps it)",
    32: "runc 1.1.5 dies of signal 32 instead of forwarding it",
    33: "runc 1.1.5 does not forward signal 33",
    34: "runc 1.1.5 dies of signal 34 instead of forwarding it",
}


def _table(signals):
    return [pytest.param(n, marks=pytest.mark.runc_deviates(RUNC_DEVIATES[n])) if n in RUNC_DEVIATES else n
            for n in signals]


TRAPPED = _table(n for n in range(1, 65) if n not in SKIPPED and n not in GLIBC_RESERVED)
UNTRAPPED = _table(n for n in range(1, 65) if n not in SKIPPED and n not in NOT_TERMINATING)


def _run_and_signal(env, bundle, cid, sig, ready):
    env.rt.track(cid)
    proc, io = env.rt.spawn("run", "--bundle", bundle.path, cid)
    try:
        wait_until(lambda: ready(io), timeout=20, what=f"{cid} to be ready for signal {sig}")
        proc.send_signal(sig)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, io


@pytest.mark.parametrize("sig", TRAPPED)
def test_run_forwards_signal_to_a_trapping_shell(env, bundle, sig):
    cid = env.new_id()
    bundle.args("/bin/sh", "-c", f"trap 'echo got-{sig}; exit 42' {sig}; echo ready; "
                                 "while :; do sleep 0.05; done").save()
    rc, io = _run_and_signal(env, bundle, cid, sig, lambda io: "ready" in io.out())
    assert f"got-{sig}" in io.out(), f"signal {sig} not seen by the container; stderr: {io.err()}"
    assert rc == 42, f"signal {sig}: run exited {rc}; stderr: {io.err()}"


@pytest.mark.parametrize("sig", UNTRAPPED)
def test_run_exits_128_plus_the_signal_the_container_died_of(env, bundle, sig):
    cid = env.new_id()
    bundle.remove_namespace("pid")
    bundle.args("/bin/sleep", "300").save()

    def running(_io):
        result = env.rt.invoke("state", cid)
        return result.rc == 0 and result.json().get("status") == "running"

    rc, io = _run_and_signal(env, bundle, cid, sig, running)
    assert rc == 128 + sig, f"signal {sig}: run exited {rc}; stderr: {io.err()}"


def test_sigkill_of_run_leaves_a_running_container_state_and_delete_work_on(env, bundle):
    """runc's choice: `run` SIGKILLed (it cannot forward that) leaves its container running,
    recorded, and `state`/`kill`/`delete` work on it as on a detached one."""
    cid = env.new_id()
    bundle.args("/bin/sleep", "300").save()
    env.rt.track(cid)
    proc, io = env.rt.spawn("run", "--bundle", bundle.path, cid)
    try:
        state = env.rt.wait_status(cid, "running", timeout=20)
        proc.kill()
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    pid = state["pid"]
    os.kill(pid, 0)  # still there
    after = env.rt.state(cid)
    assert after["status"] == "running" and after["pid"] == pid
    env.rt.delete(cid, "--force").check()
    wait_until(lambda: not os.path.exists(f"/proc/{pid}"), timeout=10, what=f"container process {pid} to go")
    assert env.rt.invoke("state", cid).rc != 0


@pytest.mark.parametrize("sig", _table([signal.SIGTERM, signal.SIGTSTP, signal.SIGTTIN, signal.SIGPROF, signal.SIGURG,
                                        signal.SIGPWR, 40, 64]))
def test_foreground_exec_forwards_signals(env, bundle, sig):
    """`exec` in the foreground forwards as `run` does (a sample of the table above)."""
    cid = env.new_id()
    bundle.args("/bin/sleep", "300").save()
    env.rt.run(cid, bundle.path, "--detach", io=env.rt.new_io(cid), timeout=30).check()
    proc, io = env.rt.spawn("exec", cid, "/bin/sh", "-c",
                            f"trap 'echo got-{sig}; exit 43' {sig}; echo ready; while :; do sleep 0.05; done")
    try:
        wait_until(lambda: "ready" in io.out(), timeout=20, what="the exec'd shell to trap")
        proc.send_signal(sig)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert f"got-{sig}" in io.out(), f"signal {sig} not seen; stderr: {io.err()}"
    assert proc.returncode == 43
