"""Terminals: --console-socket receives a working pty master; consoleSize; the caller's tty."""

import fcntl
import json
import os
import pty
import struct
import subprocess
import termios

from runner import ConsoleReceiver, probe_output


def receiver(env, input_text="", timeout=30):
    console = ConsoleReceiver(env.helpers["console_receiver"], env.tmp / "console.sock",
                              input_text=input_text, timeout=timeout)
    env.defer(console.stop)
    return console


def terminal_bundle(bundle, *args):
    bundle.process["terminal"] = True
    return bundle.args(*args).save()


def run_with_console(env, bundle, input_text=""):
    """create with --console-socket, start, and wait for the pty to hang up."""
    cid = env.new_id()
    console = receiver(env, input_text)
    env.rt.create(cid, bundle.path, "--console-socket", console.socket_path).check()
    env.rt.start(cid).check()
    report = console.result()
    env.rt.wait_status(cid, "stopped")
    return cid, report


def test_console_socket_receives_a_working_pty(env, bundle):
    terminal_bundle(bundle, "/bin/sh")
    _, report = run_with_console(env, bundle, input_text="echo $((6*7))x\nexit 0\n")
    assert report["received"], report
    assert "42x" in report["output"], report


def test_process_sees_a_terminal(env, bundle):
    terminal_bundle(bundle, "/probe")
    _, report = run_with_console(env, bundle)
    tty = probe_output(report["output"].replace("\r\n", "\n"))["tty"]
    assert tty["stdin"] and tty["stdout"] and tty["stderr"], tty
    assert tty["name"].startswith("/dev/pts/"), tty


def test_console_size_is_applied(env, bundle):
    terminal_bundle(bundle, "/probe")
    bundle.process["consoleSize"] = {"height": 40, "width": 123}
    bundle.save()
    _, report = run_with_console(env, bundle)
    tty = probe_output(report["output"].replace("\r\n", "\n"))["tty"]
    assert tty["winsize"] == {"rows": 40, "cols": 123}


def test_dev_console_is_the_pty(env, bundle):
    terminal_bundle(bundle, "/probe", "stat", "/dev/console")
    _, report = run_with_console(env, bundle)
    st = json.loads(report["output"].strip().splitlines()[-1])["/dev/console"]
    assert st.get("type") == "chr", st
    assert st["major"] == 136, st  # a /dev/pts/N slave


def test_terminal_without_console_socket_fails_create(env, bundle):
    cid = env.new_id()
    terminal_bundle(bundle, "/probe")
    result = env.rt.create(cid, bundle.path)
    assert result.rc != 0, result.describe()
    env.assert_nothing_left(cid)


def test_unreachable_console_socket_fails_create(env, bundle):
    cid = env.new_id()
    terminal_bundle(bundle, "/probe")
    result = env.rt.create(cid, bundle.path, "--console-socket", env.tmp / "nobody-listens.sock")
    assert result.rc != 0, result.describe()
    env.assert_nothing_left(cid)


def test_run_with_terminal_uses_the_callers_terminal(env, bundle):
    terminal_bundle(bundle, "/probe")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 77, 0, 0))
    try:
        cid = env.new_id()
        env.rt.track(cid)
        proc = subprocess.Popen(env.rt.argv("run", "--bundle", bundle.path, cid), stdin=slave,
                                stdout=slave, stderr=slave, start_new_session=True,
                                preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        output = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every slave fd is closed
                break
            if not chunk:
                break
            output += chunk
        proc.wait(timeout=30)
    finally:
        os.close(master)
    tty = probe_output(output.decode(errors="replace").replace("\r\n", "\n"))["tty"]
    assert proc.returncode == 0
    assert tty["stdin"] and tty["stdout"]
    assert tty["winsize"] == {"rows": 33, "cols": 77}
