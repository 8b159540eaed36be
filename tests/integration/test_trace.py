"""The per-phase startup trace (docs/trace.md): --trace FILE and OCIRT_TRACE=FILE.

Drives create/start/delete, run and exec with the trace on and reads the JSON lines back: every
phase of both stages is there, each span is well formed, the init stage's spans lie inside the
command's `spawn`, a failed create still writes what it reached, the trace fd never reaches the
container, and with the trace off nothing is opened or written and no clock is read.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from runner import probe_output

pytestmark = pytest.mark.ocirt_only("--trace is ocirt's own (no other runtime has one)")

KEYS = {"stage", "phase", "pid", "start_us", "end_us"}

# The command's phases of `create`, in the order they start; the optional ones (idmap, console)
# only appear when the config asks for them.
CREATE_RUNTIME = ["create", "parse", "validate", "seccomp_compile", "state_dir", "cgroup", "spawn", "launch",
                  "host_resources", "hooks_prestart_create_runtime", "record"]
CREATE_INIT = ["cgroup_join", "init_config", "namespaces", "fork", "rootfs", "mounts", "devices",
               "wait_parent_hooks", "hooks_create_container", "pivot", "sysctl", "readonly_paths",
               "masked_paths", "keyring", "process_setup"]
START_RUNTIME = ["start", "exec_wait", "hooks_poststart"]
START_INIT = ["wait_start", "hooks_start_container", "exec_prep"]


def read_trace(path):
    """Every record of the trace file; fails on a line that is not one well-formed record."""
    records = []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        rec = json.loads(line)
        assert set(rec) - {"failed"} == KEYS, f"line {n}: {line}"
        assert rec["stage"] in ("runtime", "init"), line
        assert re.fullmatch(r"[a-z_]+", rec["phase"]), line
        assert isinstance(rec["pid"], int) and rec["pid"] > 0, line
        assert 0 < rec["start_us"] <= rec["end_us"], line
        assert rec.get("failed", False) in (False, True), line
        records.append(rec)
    return records


def phases(records, stage):
    return [r["phase"] for r in records if r["stage"] == stage]


def only(records, phase, stage="runtime"):
    found = [r for r in records if r["phase"] == phase and r["stage"] == stage]
    assert len(found) == 1, f"{stage} {phase}: {len(found)} records in {records}"
    return found[0]


def within(inner, outer):
    return outer["start_us"] <= inner["start_us"] and inner["end_us"] <= outer["end_us"]


def assert_sequential(records, names, stage="runtime"):
    """The named spans of one stage do not overlap and come in this order."""
    spans = [only(records, name, stage) for name in names]
    for a, b in zip(spans, spans[1:]):
        assert a["end_us"] <= b["start_us"], f"{a['phase']} ends after {b['phase']} starts: {a} {b}"


def assert_has(records, runtime_names, init_names):
    """Every named phase has a record from its stage."""
    for stage, names in (("runtime", runtime_names), ("init", init_names)):
        seen = phases(records, stage)
        missing = [n for n in names if n not in seen]
        assert not missing, f"{stage} phases {missing} missing: {seen}"


def check_create(records):
    """What one traced create wrote: its phases and how they nest."""
    assert_has(records, CREATE_RUNTIME, CREATE_INIT)
    assert not any(r.get("failed") for r in records), records
    create = only(records, "create")
    for r in records:
        if r["stage"] == "runtime" and r["phase"] in CREATE_RUNTIME:
            assert within(r, create), r
    assert_sequential(records, ["parse", "validate", "seccomp_compile", "state_dir", "cgroup", "spawn", "record"])
    spawn = only(records, "spawn")
    assert within(only(records, "launch"), spawn)
    assert within(only(records, "hooks_prestart_create_runtime"), spawn)
    # The init stage starts after the launch began and is done before `ready` ends the spawn.
    launch = only(records, "launch")
    for name in CREATE_INIT:
        rec = only(records, name, "init")
        assert within(rec, spawn), f"init {name} outside the spawn span: {rec} {spawn}"
        assert rec["start_us"] >= launch["start_us"], rec
    assert_sequential(records, ["cgroup_join", "init_config", "namespaces", "fork", "rootfs", "wait_parent_hooks",
                                "hooks_create_container", "pivot", "sysctl", "readonly_paths", "masked_paths",
                                "keyring", "process_setup"], "init")
    rootfs = only(records, "rootfs", "init")
    assert within(only(records, "mounts", "init"), rootfs)
    assert within(only(records, "devices", "init"), rootfs)
    # The parent's hooks run while the init stage waits for them.
    assert within(only(records, "hooks_prestart_create_runtime"), only(records, "wait_parent_hooks", "init"))
    # Two processes wrote: the command and the init stage (after its fork, PID 1 of its namespace).
    assert len({r["pid"] for r in records if r["stage"] == "runtime"}) == 1
    assert only(records, "process_setup", "init")["pid"] == 1


def check_start(records):
    assert_has(records, START_RUNTIME, START_INIT)
    start, exec_wait = only(records, "start"), only(records, "exec_wait")
    assert within(exec_wait, start)
    # The init stage's last records come after `start` asked and before the execve it reports.
    for name in ["hooks_start_container", "exec_prep"]:
        assert within(only(records, name, "init"), exec_wait), name
    assert_sequential(records, ["wait_start", "hooks_start_container", "exec_prep"], "init")
    # Nothing after the seccomp load: exec_prep is the init stage's last record.
    assert max(r["end_us"] for r in records if r["stage"] == "init") == only(records, "exec_prep", "init")["end_us"]


def traced(env, *args, trace=None, trace_env=None, **kwargs):
    """Runs `ocirt [--trace FILE] args...`, or with OCIRT_TRACE=trace_env."""
    flags = ["--trace", str(trace)] if trace is not None else []
    environ = None
    if trace_env is not None:
        environ = dict(os.environ, OCIRT_TRACE=str(trace_env))
    return env.rt.invoke(*flags, *args, env=environ, **kwargs)


def test_create_start_delete_write_every_phase(env, bundle):
    bundle.args("/bin/true").save()
    cid = env.new_id()
    trace = env.tmp / "trace.jsonl"
    env.rt.track(cid)
    traced(env, "create", "--bundle", bundle.path, cid, trace=trace, io=env.rt.new_io("c")).check()
    created = read_trace(trace)
    check_create(created)
    traced(env, "start", cid, trace=trace).check()
    env.rt.wait_status(cid, "stopped")
    traced(env, "delete", cid, trace=trace).check()
    records = read_trace(trace)
    # Appended, never truncated: the create's lines are still first.
    assert records[:len(created)] == created
    later = records[len(created):]
    check_start(later)
    assert "delete" in phases(later, "runtime") and "destroy" in phases(later, "runtime")
    assert within(only(later, "destroy"), only(later, "delete"))
    # Each command wrote with its own pid.
    assert len({only(records, c)["pid"] for c in ("create", "start", "delete")}) == 3
    assert only(records, "create")["end_us"] <= only(records, "start")["start_us"]


def test_run_traced_through_the_environment(env, bundle):
    bundle.args("/bin/true").save()
    trace = env.tmp / "run.jsonl"
    env.rt.track(cid := env.new_id())
    traced(env, "run", "--bundle", bundle.path, cid, trace_env=trace).check()
    records = read_trace(trace)
    check_create(records)
    check_start(records)
    assert_sequential(records, ["create", "start", "wait", "delete"])
    run = only(records, "run")
    for r in records:
        assert within(r, run), f"{r} outside run {run}"
    # run's create and start are the same phases as the commands'.
    assert within(only(records, "spawn"), only(records, "create"))
    assert within(only(records, "exec_wait"), only(records, "start"))


def test_exec_traced(env, bundle):
    bundle.args("/bin/sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    trace = env.tmp / "exec.jsonl"
    result = traced(env, "exec", cid, "/bin/echo", "hi", trace=trace)
    result.check()
    assert result.out == "hi\n"
    records = read_trace(trace)
    assert_has(records, ["exec", "seccomp_compile", "spawn", "launch", "exec_wait", "wait"],
               ["cgroup_join", "namespaces", "fork", "process_setup", "exec_prep"])
    spawn = only(records, "spawn")
    for name in ["cgroup_join", "namespaces", "fork", "process_setup"]:
        assert within(only(records, name, "init"), spawn), name
    # exec_prep follows `ready` at once, so it may begin before the command's exec_wait does;
    # it ends before the execve the command waits for.
    exec_prep = only(records, "exec_prep", "init")
    assert spawn["start_us"] <= exec_prep["start_us"] and exec_prep["end_us"] <= only(records, "exec_wait")["end_us"]
    assert_sequential(records, ["seccomp_compile", "spawn", "exec_wait", "wait"])


def test_user_namespace_phase(env, bundle):
    """An optional phase: the parent writes the id maps of a new user namespace."""
    from test_namespaces import userns_bundle
    userns_bundle(bundle)
    bundle.args("/bin/true").save()
    trace = env.tmp / "userns.jsonl"
    env.rt.track(cid := env.new_id())
    traced(env, "run", "--bundle", bundle.path, cid, trace=trace).check()
    records = read_trace(trace)
    idmap = only(records, "idmap")
    assert within(idmap, only(records, "spawn"))
    # The init stage waits in its namespaces span for the maps the parent writes.
    assert within(idmap, only(records, "namespaces", "init"))


def test_a_failed_create_writes_the_phases_it_reached(env, bundle):
    bundle.bind(str(env.tmp / "no-such-source"), "/mnt").args("/bin/true").save()
    cid = env.new_id()
    trace = env.tmp / "failed.jsonl"
    env.rt.track(cid)
    result = traced(env, "create", "--bundle", bundle.path, cid, trace=trace, io=env.rt.new_io("c"))
    assert result.rc != 0
    assert "no-such-source" in result.err
    records = read_trace(trace)
    # The init stage failed in its mounts: that span, its rootfs span, and the command's spawn
    # and create are marked; what came before is whole; nothing after the failure was reached.
    assert only(records, "mounts", "init").get("failed") is True
    assert only(records, "rootfs", "init").get("failed") is True
    assert only(records, "spawn").get("failed") is True
    assert only(records, "create").get("failed") is True
    for name in ["parse", "validate", "state_dir", "cgroup", "launch"]:
        assert "failed" not in only(records, name), name
    for name in ["fork", "namespaces"]:
        assert "failed" not in only(records, name, "init"), name
    assert "record" not in phases(records, "runtime")
    assert "pivot" not in phases(records, "init")
    env.assert_nothing_left(cid)


def test_a_config_error_is_traced_in_the_parse_phase(env, bundle):
    bundle.save()
    config = json.loads((bundle.path / "config.json").read_text())
    config["process"]["args"] = 7
    (bundle.path / "config.json").write_text(json.dumps(config))
    cid = env.new_id()
    trace = env.tmp / "bad-config.jsonl"
    result = traced(env, "create", "--bundle", bundle.path, cid, trace=trace)
    assert result.rc != 0
    records = read_trace(trace)
    assert [(r["phase"], r.get("failed")) for r in records] == [("parse", True), ("create", True)]
    env.assert_nothing_left(cid)


def test_an_unwritable_trace_flag_fails_before_anything_is_made(env, bundle):
    bundle.args("/bin/true").save()
    cid = env.new_id()
    missing = env.tmp / "no-such-dir" / "trace.jsonl"
    result = traced(env, "create", "--bundle", bundle.path, cid, trace=missing)
    assert result.rc != 0
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "--trace" in lines[0] and str(missing) in lines[0] and "No such file or directory" in lines[0], lines[0]
    env.assert_nothing_left(cid)
    assert not (env.rt.root / cid).exists()


def test_an_unwritable_trace_variable_warns_and_runs(env, bundle):
    bundle.args("/bin/true").save()
    env.rt.track(cid := env.new_id())
    missing = env.tmp / "no-such-dir" / "trace.jsonl"
    result = traced(env, "run", "--bundle", bundle.path, cid, trace_env=missing)
    result.check()
    assert "OCIRT_TRACE" in result.err and str(missing) in result.err and "not tracing" in result.err, result.err
    assert not missing.parent.exists()


def test_the_trace_fd_does_not_reach_the_container(env, bundle):
    bundle.probe().save()
    env.rt.track(cid := env.new_id())
    trace = env.tmp / "fds.jsonl"
    report = probe_output(traced(env, "run", "--bundle", bundle.path, cid, trace=trace).check().out)
    assert sorted(int(fd) for fd in report["fds"]) == [0, 1, 2], report["fds"]
    assert "exec_prep" in phases(read_trace(trace), "init")


def strace_run(env, bundle, out, trace_env=None):
    """`ocirt run` under strace -f; returns {syscall: count} over every process."""
    env.rt.track(cid := env.new_id())
    environ = None if trace_env is None else dict(os.environ, OCIRT_TRACE=str(trace_env))
    cmd = ["strace", "-f", "-qq", "-o", str(out), *env.rt.argv("run", "--bundle", bundle.path, cid)]
    result = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=environ, timeout=60)
    assert result.returncode == 0, result.stderr
    counts = {}
    for line in Path(out).read_text().splitlines():
        m = re.match(r"\d+\s+(\w+)\(", line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_tracing_costs_only_its_open_and_writes(env, bundle):
    """With the trace off no syscall names or writes a trace; on, the difference from off is
    the open of the file, one write() and one getpid() per record, nothing else.

    (A clock read is a vDSO call, invisible to strace: see the gdb test below.)"""
    bundle.args("/bin/true").save()
    trace = env.tmp / "strace.jsonl"
    off = strace_run(env, bundle, env.tmp / "off.strace")
    off_text = (env.tmp / "off.strace").read_text()
    assert "strace.jsonl" not in off_text and '"phase"' not in off_text
    on = strace_run(env, bundle, env.tmp / "on.strace", trace_env=trace)
    n = len(read_trace(trace))
    assert n > 20
    on_text = (env.tmp / "on.strace").read_text()
    assert len(re.findall(r'write\(\d+, "\{\\"stage\\"', on_text)) == n
    diff = {k: on.get(k, 0) - off.get(k, 0) for k in set(on) | set(off)}
    diff = {k: v for k, v in diff.items() if v != 0}
    # Others may move by a call or two between two runs (a poll woken once more): only the
    # trace's own calls may move by more, and exactly as much as the records need.
    assert diff.get("write", 0) == n, diff
    assert diff.get("getpid", 0) == n, diff
    assert diff.get("openat", 0) == 1, diff
    noise = {k: v for k, v in diff.items() if k not in ("write", "getpid", "openat")}
    assert all(abs(v) <= 2 for v in noise.values()), diff


def gdb_count_now_us(env, bundle, trace_env=None):
    """How often the command (not its init stage: gdb stays with the first process) read the
    trace clock, counted with a gdb breakpoint on ocirt::sys::trace::now_us."""
    env.rt.track(cid := env.new_id())
    environ = dict(os.environ)
    environ.pop("OCIRT_TRACE", None)
    if trace_env is not None:
        environ["OCIRT_TRACE"] = str(trace_env)
    script = env.tmp / "count.gdb"
    script.write_text("set pagination off\nset confirm off\nset detach-on-fork on\nset follow-fork-mode parent\n"
                      "break ocirt::sys::trace::now_us\ncommands\nsilent\ncontinue\nend\nrun\ninfo breakpoints\n")
    result = subprocess.run(["gdb", "-batch", "-nx", "-x", str(script), "--args",
                             *env.rt.argv("run", "--bundle", bundle.path, cid)],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, env=environ, timeout=120)
    if "Function \"ocirt::sys::trace::now_us\" not defined" in result.stdout + result.stderr:
        pytest.skip("the ocirt binary has no symbol for ocirt::sys::trace::now_us (stripped)")
    assert "exited normally" in result.stdout, result.stdout + result.stderr
    m = re.search(r"breakpoint already hit (\d+) time", result.stdout)
    return int(m.group(1)) if m else 0


@pytest.mark.skipif(shutil.which("gdb") is None, reason="gdb is not installed")
def test_no_clock_read_while_tracing_is_off(env, bundle):
    bundle.args("/bin/true").save()
    assert gdb_count_now_us(env, bundle) == 0
    # The same count can see reads: with the trace on there are two per span.
    trace = env.tmp / "gdb.jsonl"
    on = gdb_count_now_us(env, bundle, trace_env=trace)
    runtime_records = [r for r in read_trace(trace) if r["stage"] == "runtime"]
    assert on == 2 * len(runtime_records), (on, len(runtime_records))


def test_a_missing_preserved_fd_is_not_the_trace_file(env, bundle):
    """With fd 3 given and fd 4 not, the trace file opens as fd 4: it must not pass for the
    caller's preserved fd 4 (the container would write into the trace)."""
    fd = os.open(env.tmp / "preserved", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    env.defer(lambda: os.close(fd))
    bundle.probe().save()
    env.rt.track(cid := env.new_id())
    trace = env.tmp / "preserve.jsonl"
    result = traced(env, "run", "--preserve-fds", "2", "--bundle", bundle.path, cid, trace=trace, extra_fds={3: fd})
    assert result.rc != 0, result.out
    assert "preserved fd 4 is not open" in result.err, result.err
    env.assert_nothing_left(cid)


def joined_strace_lines(text):
    """strace -f splits a call another process interrupts into "<unfinished ...>" and
    "<... NAME resumed>" lines (more often traced: the command writes meanwhile); joins them."""
    pending, out = {}, []
    for line in text.splitlines():
        pid = line.split(" ", 1)[0]
        if line.endswith("<unfinished ...>"):
            pending[pid] = line[:-len("<unfinished ...>")].rstrip()
            continue
        m = re.match(r"(\d+)\s+<\.\.\. \w+ resumed>(.*)", line)
        if m and m.group(1) in pending:
            out.append(pending.pop(m.group(1)) + m.group(2))
            continue
        out.append(line)
    return "\n".join(out)


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_traced_init_stage_makes_no_call_after_its_filter(env, bundle):
    """Traced, the init stage still makes only docs/security.md's calls after the seccomp filter
    (capset, execve): its last record is written before the filter goes in."""
    from test_seccomp_allowlist import BUSYBOX_TRUE, after_filter_calls, configure, documented_after_filter
    configure(bundle, BUSYBOX_TRUE + documented_after_filter(), False, 1000, False)
    bundle.args("/bin/true").save()
    env.rt.track(cid := env.new_id())
    trace = env.tmp / "filter.jsonl"
    out = env.tmp / "filter.strace"
    result = subprocess.run(["strace", "-f", "-qq", "-o", str(out), *env.rt.argv("run", "--bundle", bundle.path, cid)],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, OCIRT_TRACE=str(trace)))
    assert result.returncode == 0, result.stderr
    calls = after_filter_calls(joined_strace_lines(out.read_text()))
    assert len(calls) == 1, calls
    (seen,) = calls.values()
    assert seen[:seen.index("execve") + 1] == ["capset", "execve"]
    assert "exec_prep" in phases(read_trace(trace), "init")
