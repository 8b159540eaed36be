"""linux.seccomp as an allow-list: the runtime's own calls all happen before the filter.

A profile with defaultAction SCMP_ACT_ERRNO that allows only what the program needs plus the
calls docs/security.md lists ("After the seccomp filter") must run, whatever noNewPrivileges,
the user and the namespaces. Syscalls newer than the profile get ENOSYS, as runc does.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from runner import probe_output
from test_namespaces import userns_bundle

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ARCHES = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
# What Debian's static busybox needs for `true` and `sleep` (strace -f busybox true).
BUSYBOX_TRUE = ["arch_prctl", "brk", "execve", "exit_group", "getrandom", "getuid", "mprotect",
                "prctl", "prlimit64", "readlink", "rseq", "set_robust_list", "set_tid_address"]
BUSYBOX_SLEEP = BUSYBOX_TRUE + ["clock_nanosleep", "nanosleep"]
# The calls ocirt's init stage made after the filter before this issue; none may be needed now.
RUNTIME_CALLS = ["faccessat2", "openat2", "getcwd", "close_range"]
UNISTD_64 = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")

RUNC_ORDER = ("runc makes calls of its own after installing the filter (the identity switch with "
              "noNewPrivileges false, opening and writing its exec fifo), so an allow-list "
              "without them fails")


def documented_after_filter():
    """The syscall names in docs/security.md's after-filter table."""
    text = DOC.read_text()
    table = text.split("<!-- after-filter-syscalls -->")[1].split("<!-- /after-filter-syscalls -->")[0]
    names = []
    for line in table.splitlines():
        m = re.match(r"\s*\|\s*`(\w+)`\s*\|", line)
        if m:
            names.append(m.group(1))
    assert names, "docs/security.md: no after-filter table"
    return names


def allow_only(names, default_errno=None):
    section = {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ARCHES,
               "syscalls": [{"names": sorted(set(names)), "action": "SCMP_ACT_ALLOW"}]}
    if default_errno is not None:
        section["defaultErrnoRet"] = default_errno
    return section


def configure(bundle, names, nnp, uid, userns):
    if userns:
        userns_bundle(bundle)
    bundle.user(uid, uid)
    bundle.process["noNewPrivileges"] = nnp
    bundle.linux["seccomp"] = allow_only(names)
    return bundle


def runc_deviates_unless(env, ok):
    if env.info.is_runc and not ok:
        pytest.skip(f"runc deviates: {RUNC_ORDER}")


def start_sleeper(env, bundle):
    """Creates and starts a container that sleeps; returns its id and the `start` result."""
    bundle.args("/bin/sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    return cid, env.rt.start(cid)


CASES = [pytest.param(nnp, uid, userns, id=f"nnp={nnp}-uid={uid}-{'userns' if userns else 'host-userns'}")
         for nnp in (False, True) for uid in (0, 1000) for userns in (False, True)]


@pytest.mark.parametrize("nnp, uid, userns", CASES)
def test_busybox_true_with_only_its_own_calls_allowed(env, bundle, nnp, uid, userns):
    configure(bundle, BUSYBOX_TRUE + documented_after_filter(), nnp, uid, userns)
    bundle.args("/bin/true").save()
    r = env.rt.run(env.new_id(), bundle.path)
    runc_deviates_unless(env, r.rc == 0)
    r.check()


@pytest.mark.parametrize("denied", RUNTIME_CALLS)
@pytest.mark.parametrize("nnp", [False, True])
def test_runs_with_each_runtime_call_denied(env, bundle, denied, nnp):
    # Everything else of the four allowed: only `denied` answers EPERM.
    others = [c for c in RUNTIME_CALLS if c != denied]
    configure(bundle, BUSYBOX_TRUE + documented_after_filter() + others, nnp, 1000, False)
    bundle.args("/bin/true").save()
    r = env.rt.run(env.new_id(), bundle.path)
    runc_deviates_unless(env, r.rc == 0)
    r.check()


@pytest.mark.parametrize("nnp, uid, userns", CASES)
def test_exec_with_only_the_programs_calls_allowed(env, bundle, nnp, uid, userns):
    # exec applies the container's filter to the new process: its set-up must come first too.
    configure(bundle, BUSYBOX_SLEEP + documented_after_filter(), nnp, uid, userns)
    cid, r = start_sleeper(env, bundle)
    if r.rc == 0:
        r = env.rt.exec(cid, "/bin/true")
    runc_deviates_unless(env, r.rc == 0)
    r.check()


def after_filter_calls(trace_text):
    """Per pid: the syscalls it made after a successful seccomp(SECCOMP_SET_MODE_FILTER)."""
    line_re = re.compile(r"^(\d+)\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]")
    filtered = {}
    for line in trace_text.splitlines():
        m = line_re.match(line)
        if not m:
            continue
        pid, name = m.groups()
        if pid in filtered:
            if "resumed>" not in line:
                filtered[pid].append(name)
        elif name == "seccomp" and "SECCOMP_SET_MODE_FILTER" in line and line.rstrip().endswith("= 0"):
            filtered[pid] = []
    return filtered


def traced(env, *args):
    """Runs the runtime under strace -f; returns the calls each filtered process made after
    its filter went in, up to and including execve (after it they are the program's)."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (apt-get install strace)")
    trace = env.rt.workdir / "runtime.strace"
    r = subprocess.run([strace, "-f", "-qq", "-o", str(trace), *env.rt.argv(*args)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    calls = after_filter_calls(trace.read_text())
    assert len(calls) == 1, f"expected one filtered process, got {calls}"
    (seen,) = calls.values()
    return seen[:seen.index("execve") + 1]


PINNED = [pytest.param(False, 1000, ["capset", "execve"], id="nnp=False-uid=1000"),
          pytest.param(False, 0, ["capset", "execve"], id="nnp=False-uid=0"),
          pytest.param(True, 1000, ["execve"], id="nnp=True-uid=1000")]


@pytest.mark.ocirt_only("pins the list of calls docs/security.md documents for ocirt")
@pytest.mark.parametrize("nnp, uid, expected", PINNED)
def test_calls_after_the_filter(env, bundle, nnp, uid, expected):
    configure(bundle, BUSYBOX_TRUE + documented_after_filter(), nnp, uid, False)
    bundle.args("/bin/true").save()
    cid = env.new_id()
    env.rt.track(cid)
    seen = traced(env, "run", "--bundle", bundle.path, cid)
    assert seen == expected
    assert set(seen) <= set(documented_after_filter())


@pytest.mark.ocirt_only("pins the list of calls docs/security.md documents for ocirt")
@pytest.mark.parametrize("nnp, uid, expected", PINNED)
def test_calls_after_the_filter_in_exec(env, bundle, nnp, uid, expected):
    configure(bundle, BUSYBOX_SLEEP + documented_after_filter(), nnp, uid, False)
    cid, started = start_sleeper(env, bundle)
    started.check()
    seen = traced(env, "exec", cid, "/bin/true")
    assert seen == expected
    assert set(seen) <= set(documented_after_filter())


def syscalls_below(limit):
    """Every x86_64 syscall name numbered below `limit`, as a profile for an older kernel has."""
    if not UNISTD_64.exists():
        pytest.skip(f"{UNISTD_64} is missing (linux-libc-dev)")
    names = {}
    for m in re.finditer(r"#define __NR_(\w+)\s+(\d+)", UNISTD_64.read_text()):
        names[m.group(1)] = int(m.group(2))
    return names, [n for n, nr in names.items() if nr < limit]


def run_old_kernel_probe(env, bundle, names, *probe_args):
    bundle.process["noNewPrivileges"] = True
    bundle.readonly_root(False)
    bundle.linux["seccomp"] = allow_only(names)
    bundle.probe(*probe_args).save()
    return env.rt.run(env.new_id(), bundle.path)


def test_a_profile_for_an_older_kernel_gets_enosys_for_newer_calls(env, bundle):
    # Written before clone3 (435): glibc's pthread_create tries clone3 and falls back to clone
    # on ENOSYS only; faccessat with AT_EACCESS tries faccessat2 (439) the same way.
    _, old = syscalls_below(435)
    r = run_old_kernel_probe(env, bundle, old, "thread-mkdir", "/tmp/made")
    assert probe_output(r.check().out) == {"errno": 0}
    r = run_old_kernel_probe(env, bundle, old, "access", "/probe")
    assert probe_output(r.check().out) == {"errno": 0}


def test_calls_below_the_highest_named_keep_the_default_action(env, bundle):
    # Naming newer calls (up to process_mrelease, 448) but not clone3 or faccessat2: those two
    # are below the highest named and get the default EPERM.
    table, old = syscalls_below(435)
    newer = [n for n, nr in table.items() if 435 <= nr <= 448 and n not in ("clone3", "faccessat2")]
    r = run_old_kernel_probe(env, bundle, old + newer, "thread-mkdir", "/tmp/made")
    assert r.rc == 3, r.describe()  # the probe's code for a failed pthread_create
    r = run_old_kernel_probe(env, bundle, old + newer, "access", "/probe")
    assert probe_output(r.check().out) == {"errno": 1}
