"""Runs the runtime under test (ocirt or runc) with a private --root.

Every command's stdout and stderr go to files, never pipes: a container made by
`create` or `run --detach` inherits the runtime's stdio and would keep a pipe
open long after the runtime exits.
"""

import json
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TIMEOUT = 60


@dataclass
class Result:
    """Outcome of one runtime invocation."""

    argv: list
    rc: int
    out: str
    err: str

    def check(self):
        """Raises with the whole transcript unless the command exited 0."""
        if self.rc != 0:
            raise AssertionError(f"{self.describe()}")
        return self

    def describe(self):
        return (f"command {' '.join(map(str, self.argv))!r} exited {self.rc}\n"
                f"--- stdout ---\n{self.out}--- stderr ---\n{self.err}")

    def json(self):
        return json.loads(self.out)


@dataclass
class ContainerIO:
    """Files that become a container's stdio when it inherits the runtime's."""

    out_path: Path
    err_path: Path

    def out(self):
        return self.out_path.read_text(errors="replace")

    def err(self):
        return self.err_path.read_text(errors="replace")


def json_lines(text):
    """Every line of `text` that parses as a JSON object, in order."""
    objects = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                objects.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return objects


def probe_output(text):
    """The last JSON object the probe printed in `text`; fails if there is none."""
    objects = json_lines(text)
    assert objects, f"no probe JSON in output:\n{text}"
    return objects[-1]


def wait_until(predicate, timeout=10.0, interval=0.05, what="condition"):
    """Polls `predicate` until it returns a truthy value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


@dataclass
class Runtime:
    """One runtime binary bound to a private state root and a scratch dir."""

    binary: str
    root: Path
    workdir: Path
    created_ids: list = field(default_factory=list)
    _counter: int = 0

    def argv(self, *args):
        return [self.binary, "--root", str(self.root), *map(str, args)]

    def _next_files(self, tag):
        self._counter += 1
        tag = re.sub(r"[^A-Za-z0-9_.-]", "_", tag)[:40]  # ids under test may hold '/' or be huge
        base = self.workdir / f"{self._counter:03d}-{tag}"
        return Path(f"{base}.out"), Path(f"{base}.err")

    def invoke(self, *args, timeout=DEFAULT_TIMEOUT, stdin=None, extra_fds=None, env=None,
               io=None, shell_prefix=None):
        """Runs `<binary> --root ROOT args...` and waits for it.

        extra_fds maps a target fd number in the runtime to an fd open here.
        io, if given, receives stdout/stderr (for commands a container inherits).
        shell_prefix, if given, is a shell snippet run before exec'ing the runtime
        (e.g. to set LISTEN_PID=$$).
        """
        argv = self.argv(*args)
        if io is None:
            out_path, err_path = self._next_files(str(args[0]) if args else "cmd")
        else:
            out_path, err_path = io.out_path, io.err_path
        extra_fds = dict(extra_fds or {})

        def place_fds():
            for target, source in extra_fds.items():
                os.dup2(source, target)  # dup2 clears FD_CLOEXEC on the target

        run_argv = argv
        if shell_prefix is not None:
            run_argv = ["/bin/sh", "-c", f'{shell_prefix}; exec "$@"', "sh", *argv]
        with open(out_path, "ab") as out, open(err_path, "ab") as err:
            start_out, start_err = out.tell(), err.tell()
            stdin_arg = subprocess.DEVNULL if stdin is None else stdin
            proc = subprocess.Popen(run_argv, stdin=stdin_arg, stdout=out, stderr=err,
                                    pass_fds=tuple(extra_fds), preexec_fn=place_fds if extra_fds else None,
                                    env=env, start_new_session=True)
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise AssertionError(f"{' '.join(argv)} did not finish within {timeout}s")
        return Result(argv, rc, _read_from(out_path, start_out), _read_from(err_path, start_err))

    def spawn(self, *args, io=None, stdin=None, **popen_kwargs):
        """Starts `<binary> --root ROOT args...` without waiting (for `run` in the foreground)."""
        argv = self.argv(*args)
        if io is None:
            out_path, err_path = self._next_files(str(args[0]))
            io = ContainerIO(out_path, err_path)
        with open(io.out_path, "ab") as out, open(io.err_path, "ab") as err:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL if stdin is None else stdin,
                                    stdout=out, stderr=err, **popen_kwargs)
        return proc, io

    def new_io(self, name):
        out_path, err_path = self._next_files(name)
        out_path.touch()
        err_path.touch()
        return ContainerIO(out_path, err_path)

    def track(self, container_id):
        if container_id not in self.created_ids:
            self.created_ids.append(container_id)

    # The commands, one method each. Each returns a Result; callers .check() it.

    def create(self, container_id, bundle, *flags, io=None, **kwargs):
        """`create` with the container's stdio going to `io` (fresh files by default)."""
        self.track(container_id)
        io = io or self.new_io(f"{container_id}-container")
        result = self.invoke("create", "--bundle", bundle, *flags, container_id, io=io, **kwargs)
        result.io = io
        return result

    def run(self, container_id, bundle, *flags, **kwargs):
        self.track(container_id)
        return self.invoke("run", "--bundle", bundle, *flags, container_id, **kwargs)

    def start(self, container_id):
        return self.invoke("start", container_id)

    def state(self, container_id):
        """Parsed `state` output; fails the test if the command fails."""
        return self.invoke("state", container_id).check().json()

    def kill(self, container_id, sig=None, *flags):
        args = ["kill", *flags, container_id]
        if sig is not None:
            args.append(sig)
        return self.invoke(*args)

    def delete(self, container_id, *flags):
        return self.invoke("delete", *flags, container_id)

    def exec(self, container_id, *args, flags=(), **kwargs):
        return self.invoke("exec", *flags, container_id, *args, **kwargs)

    def list(self, *flags):
        return self.invoke("list", *flags)

    def list_ids(self):
        return self.list("--quiet").check().out.split()

    def wait_status(self, container_id, status, timeout=10.0):
        """Waits until `state` reports `status`; returns that state document."""
        def reached():
            result = self.invoke("state", container_id)
            if result.rc == 0 and result.json().get("status") == status:
                return result.json()
            return None
        return wait_until(reached, timeout=timeout, what=f"{container_id} to be {status}")

    def cleanup(self):
        """Force-deletes every container this runtime made or still lists."""
        ids = list(self.created_ids)
        if self.root.exists():
            listed = self.invoke("list", "--quiet", timeout=30)
            if listed.rc == 0:
                ids += [i for i in listed.out.split() if i not in ids]
        for container_id in ids:
            self.invoke("delete", "--force", container_id, timeout=30)


def _read_from(path, offset):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace")


class ConsoleReceiver:
    """Runs the console_receiver helper: it listens at `socket_path`, takes the
    pty master a runtime sends, writes `input_text` into it and collects the
    output until the container side hangs up."""

    def __init__(self, helper, socket_path, input_text="", timeout=30):
        self.socket_path = Path(socket_path)
        argv = [helper, str(self.socket_path), "--timeout", str(timeout)]
        if input_text:
            argv += ["--input", input_text]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.timeout = timeout
        wait_until(lambda: self.socket_path.exists() or self.proc.poll() is not None,
                   what="the console socket to listen")

    def result(self):
        """Waits for the helper and returns its JSON report."""
        out, err = self.proc.communicate(timeout=self.timeout + 10)
        assert out.strip(), f"console_receiver printed nothing; stderr: {err}"
        return json.loads(out)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
