"""The lane's small toolbox: running a command with a timeout, failing a
scenario with one line, and the scenario registry.

A scenario is a function of one argument, the context `e` of one engine and
one runtime (engines.Context). It passes by returning, fails by raising
Failure (or any exception: its text is shown), and is not applicable by
raising Skip with the reason. `@scenario(name, engines)` registers it; two
functions may share a name for different engines (podman and docker share a
command line, ctr has its own), so that the table has one row per feature.
"""

import os
import signal
import subprocess
import time

DEFAULT_TIMEOUT = 60


class Failure(Exception):
    """A scenario's expectation did not hold; the text says which and what was seen."""


class Skip(Exception):
    """The scenario cannot run here, for a reason that is the same for every runtime."""


class Proc:
    """The outcome of one command: argv, exit status, stdout, stderr (text)."""

    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def brief(self):
        err = " ".join(self.err.split())
        out = " ".join(self.out.split())
        cmd = " ".join(self.argv[-5:])
        return f"`{cmd}` exited {self.rc}: {err or out}"[:500]

    def ok(self):
        """Fail unless the command exited 0; returns self for chaining."""
        if self.rc != 0:
            raise Failure(self.brief())
        return self


def call(argv, timeout=DEFAULT_TIMEOUT, input=None, env=None, open_stdin=False):
    """Runs argv in its own process group; kills the group at the timeout (Failure).
    open_stdin: stdin is a pipe that stays open (no EOF) until the command ends,
    for `script`, which hangs up its terminal when its stdin ends."""
    hold = os.pipe() if open_stdin else None
    stdin = hold[0] if hold else (subprocess.PIPE if input is not None else subprocess.DEVNULL)
    started = subprocess.Popen(
        argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        start_new_session=True, text=True, errors="replace")
    if hold:
        os.close(hold[0])
    try:
        out, err = started.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(started.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = started.communicate()
        if hold:
            os.close(hold[1])
        raise Failure(f"`{' '.join(argv[-6:])}` still running after {timeout} s (killed): "
                      f"{' '.join((err or out).split())[:200]}")
    if hold:
        os.close(hold[1])
    return Proc(argv, started.returncode, out, err)


def expect(condition, message):
    if not condition:
        raise Failure(message)


def expect_eq(seen, wanted, what):
    if seen != wanted:
        raise Failure(f"{what}: wanted {wanted!r}, got {seen!r}")


def wait_for(predicate, what, timeout=15, interval=0.2):
    """Polls predicate() until it is true; Failure naming `what` after timeout s."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise Failure(f"{what} (waited {timeout} s)")


# The engines size the container's terminal just after it starts (docker and
# ctr from the client, after start): poll for up to 5 s, print what was seen.
TTY_ROWS, TTY_COLS = 37, 101
WAIT_FOR_SIZE = ('for i in $(seq 50); do s=$(stty size 2>/dev/null); '
                 f'[ "$s" = "{TTY_ROWS} {TTY_COLS}" ] && break; sleep 0.1; done; echo "$s"')

SCENARIOS = []  # (name, engine names, fn, runs in the VM lane)


def scenario(name, engines, vm=False):
    """Registers fn as scenario `name` for the given engine names; vm=True: the
    VM lane runs it too (run_clients.py --vm runs only those)."""

    def register(fn):
        SCENARIOS.append((name, tuple(engines), fn, vm))
        return fn

    return register


def cgroup_controllers():
    try:
        with open("/sys/fs/cgroup/cgroup.controllers") as f:
            return f.read().split()
    except OSError:
        return []


def need_controllers(*names, elsewhere=None):
    """Skip unless cgroup2 at /sys/fs/cgroup offers every named controller;
    `elsewhere` names the lane that runs the scenario instead."""
    have = cgroup_controllers()
    missing = [n for n in names if n not in have]
    if missing:
        where = f"runs in {elsewhere}; " if elsewhere else ""
        raise Skip(f"{where}controller missing: cgroup2 at /sys/fs/cgroup lacks {', '.join(missing)} "
                   f"(offers: {' '.join(have) or 'none'})")


def bounding_set():
    """The lane's own capability bounding set: all a privileged container can get
    (this machine's lacks CAP_SYS_RESOURCE)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapBnd:"):
                return int(line.split()[1], 16)
    raise Failure("no CapBnd in /proc/self/status")
