"""linux.seccomp: the filter is compiled, cached, installed before execve and enforced inside."""

import errno
import json
import os
import signal
import time
from pathlib import Path

import pytest

from runner import json_lines, wait_until

PODMAN_CONFIG = Path(__file__).parent / "engine_configs" / "podman-4.3-config.json"
ARCHES = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
MKDIR_REPORT = "/bin/mkdir /tmp/d 2>/dev/null; echo rc=$?; [ -d /tmp/d ] && echo exists || echo absent"


def profile(*rules, default="SCMP_ACT_ALLOW", **extra):
    section = {"defaultAction": default, "architectures": ARCHES, "syscalls": list(rules)}
    section.update(extra)
    return section


def rule(names, action, errno_ret=None, args=None):
    entry = {"names": list(names), "action": action}
    if errno_ret is not None:
        entry["errnoRet"] = errno_ret
    if args is not None:
        entry["args"] = args
    return entry


def run_sh(env, bundle, script, seccomp, nnp=True):
    bundle.linux["seccomp"] = seccomp
    bundle.process["noNewPrivileges"] = nnp
    bundle.args("/bin/sh", "-c", script).save()
    return env.rt.run(env.new_id(), bundle.path)


def cache_files(env):
    cache = env.rt.root.with_name(env.rt.root.name + ".cache") / "seccomp"  # beside the root
    return sorted(cache.iterdir()) if cache.exists() else []


@pytest.mark.parametrize("nnp", [True, False])
def test_denied_mkdir_fails_with_eperm_by_default(env, bundle, nnp):
    # noNewPrivileges false: the filter must be installed while CAP_SYS_ADMIN is still held.
    r = run_sh(env, bundle, "mkdir /tmp/d; echo rc=$?", profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO")), nnp)
    r.check()
    assert "Operation not permitted" in r.err + r.out and "rc=1" in r.out


@pytest.mark.parametrize("nnp", [True, False])
def test_filter_in_a_user_namespace_as_a_non_root_user(env, bundle, nnp):
    # Without no_new_privs the install needs CAP_SYS_ADMIN in the container's user namespace,
    # which the switch to uid 1000 then drops: the order must hold there too.
    from test_namespaces import userns_bundle
    userns_bundle(bundle).user(1000, 1000)
    r = run_sh(env, bundle, "id -u; mkdir /tmp/d; echo rc=$?",
               profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO", errno_ret=errno.EDQUOT)), nnp)
    r.check()
    assert r.out.split()[0] == "1000" and "rc=1" in r.out
    assert os.strerror(errno.EDQUOT) in r.err + r.out


def test_errno_ret_is_the_one_configured(env, bundle):
    r = run_sh(env, bundle, "mkdir /tmp/d; echo rc=$?",
               profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO", errno_ret=errno.EDQUOT)))
    r.check()
    assert os.strerror(errno.EDQUOT) in r.err + r.out


def test_default_errno_ret_applies_to_unlisted_syscalls(env, bundle):
    # Everything busybox sh needs is allowed; mkdir is not listed, so it gets the default.
    podman = json.loads(PODMAN_CONFIG.read_text())["linux"]["seccomp"]
    for group in podman["syscalls"]:
        group["names"] = [n for n in group["names"] if n not in ("mkdir", "mkdirat")]
    r = run_sh(env, bundle, "mkdir /tmp/d; echo rc=$?", podman)
    r.check()
    assert os.strerror(errno.ENOSYS) in r.err + r.out


def test_argument_filter_blocks_only_the_matching_call(env, bundle):
    args = [{"index": 0, "value": 0xFFFFFFFF, "op": "SCMP_CMP_EQ"}]
    bundle.linux["seccomp"] = profile(rule(["personality"], "SCMP_ACT_ERRNO", args=args))
    bundle.probe("personality", "0xffffffff", "0").save()
    report = json_lines(env.rt.run(env.new_id(), bundle.path).check().out)[-1]
    assert report == {"0xffffffff": errno.EPERM, "0": 0}


def test_masked_eq_operator(env, bundle):
    # MASKED_EQ: (arg & value) == valueTwo. Blocks personality values with bit 3 set.
    args = [{"index": 0, "value": 0x8, "valueTwo": 0x8, "op": "SCMP_CMP_MASKED_EQ"}]
    bundle.linux["seccomp"] = profile(rule(["personality"], "SCMP_ACT_ERRNO", args=args))
    bundle.probe("personality", "8", "0").save()
    report = json_lines(env.rt.run(env.new_id(), bundle.path).check().out)[-1]
    assert report == {"8": errno.EPERM, "0": 0}


def test_kill_process_kills_the_container(env, bundle):
    bundle.linux["seccomp"] = profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_KILL_PROCESS"))
    bundle.process["noNewPrivileges"] = True
    bundle.args("/bin/mkdir", "/tmp/d").save()
    r = env.rt.run(env.new_id(), bundle.path)
    assert r.rc == 128 + signal.SIGSYS, r.describe()


@pytest.mark.runc_min_version("1.2.0", "linux.seccomp.flags")
def test_tsync_filter_covers_threads(env, bundle):
    bundle.linux["seccomp"] = profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO"),
                                      flags=["SECCOMP_FILTER_FLAG_TSYNC"])
    bundle.probe("thread-mkdir", "/tmp/d").save()
    report = json_lines(env.rt.run(env.new_id(), bundle.path).check().out)[-1]
    assert report == {"errno": errno.EPERM}


@pytest.mark.runc_min_version("1.2.0", "linux.seccomp.flags")
def test_log_and_spec_allow_flags_are_accepted(env, bundle):
    r = run_sh(env, bundle, "mkdir /tmp/d; echo rc=$?",
               profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO"),
                       flags=["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]))
    r.check()
    assert "rc=1" in r.out


@pytest.mark.parametrize("nnp", [True, False])
def test_podman_default_profile_lets_busybox_work(env, bundle, nnp):
    # podman itself runs with noNewPrivileges false: the filter is then installed before the
    # runtime's own rlimit, oom_score_adj, setgroups/setresuid and capset calls, which the
    # profile must (and does) allow.
    podman = json.loads(PODMAN_CONFIG.read_text())["linux"]["seccomp"]
    bundle.process["oomScoreAdj"] = 100
    bundle.rlimits({"RLIMIT_NOFILE": (512, 1024)})
    bundle.user(1000, 1000)
    script = ("mkdir /tmp/a && echo hello > /tmp/a/f && cat /tmp/a/f && ls / > /dev/null && "
              "ps > /dev/null && sh -c 'exit 3'; echo rc=$?")
    bundle.readonly_root(False)
    r = run_sh(env, bundle, script, podman, nnp)
    r.check()
    assert r.out.split() == ["hello", "rc=3"]


def test_unknown_syscall_names_are_skipped(env, bundle):
    r = run_sh(env, bundle, "mkdir /tmp/d; echo rc=$?",
               profile(rule(["no_such_syscall_xyz", "mkdir", "mkdirat"], "SCMP_ACT_ERRNO")))
    r.check()
    assert "rc=1" in r.out


@pytest.mark.ocirt_only("the error text names the JSON path")
@pytest.mark.parametrize("section, pointer", [
    (profile(default="SCMP_ACT_BOGUS"), "/linux/seccomp/defaultAction"),
    (profile(rule(["mkdir"], "SCMP_ACT_NOPE")), "/linux/seccomp/syscalls/0/action"),
    (profile(rule(["mkdir"], "SCMP_ACT_ERRNO", args=[{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}])),
     "/linux/seccomp/syscalls/0/args/0/op"),
    (profile(flags=["SECCOMP_FILTER_FLAG_NOPE"]), "/linux/seccomp/flags/0"),
    (profile(rule(["mkdir"], "SCMP_ACT_NOTIFY")), "listenerPath"),
    (profile(default="SCMP_ACT_NOTIFY", listenerPath="/x"), "/linux/seccomp/defaultAction"),
])
def test_bad_sections_are_clear_errors(env, bundle, section, pointer):
    bundle.linux["seccomp"] = section
    bundle.save()
    cid = env.new_id()
    r = env.rt.create(cid, bundle.path)
    assert r.rc != 0
    assert pointer in r.err, r.describe()
    assert not (env.rt.root / cid).exists()


@pytest.mark.ocirt_only("the compiled-filter cache is ocirt's")
def test_compiled_filter_is_cached_and_reused(env, bundle):
    section = profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO"))
    assert "rc=1" in run_sh(env, bundle, "mkdir /tmp/d; echo rc=$?", section).check().out
    files = cache_files(env)
    assert len(files) == 1 and files[0].suffix == ".bpf"
    assert (files[0].stat().st_mode & 0o777) == 0o600
    before = files[0].stat().st_mtime_ns
    assert "rc=1" in run_sh(env, bundle, "mkdir /tmp/d; echo rc=$?", section).check().out
    assert cache_files(env) == files and files[0].stat().st_mtime_ns == before


@pytest.mark.ocirt_only("the compiled-filter cache is ocirt's")
def test_a_swapped_cache_entry_is_not_trusted(env, bundle):
    # The entry of an allow-all profile copied over the entry of a deny-mkdir profile: the
    # key inside does not match, so the filter is recompiled and mkdir is still denied.
    deny = profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO"))
    allow = profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_LOG"))
    run_sh(env, bundle, "true", deny).check()
    (deny_file,) = cache_files(env)
    run_sh(env, bundle, "true", allow).check()
    (allow_file,) = [f for f in cache_files(env) if f != deny_file]
    deny_file.write_bytes(allow_file.read_bytes())
    assert "rc=1" in run_sh(env, bundle, "mkdir /tmp/d; echo rc=$?", deny).check().out
    # Truncated garbage is rebuilt too.
    deny_file.write_bytes(b"ocirt-seccomp-bpf v2\n" + b"0" * 10)
    assert "rc=1" in run_sh(env, bundle, "mkdir /tmp/d; echo rc=$?", deny).check().out
    assert deny_file.read_bytes() != allow_file.read_bytes()


def test_exec_applies_the_container_filter(env, bundle):
    bundle.linux["seccomp"] = profile(rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO"))
    bundle.process["noNewPrivileges"] = True
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    r = env.rt.exec(cid, "/bin/sh", "-c", "mkdir /tmp/e; echo rc=$?")
    r.check()
    assert "rc=1" in r.out and "Operation not permitted" in r.err + r.out


@pytest.mark.parametrize("answer, expected, flags", [
    (errno.EXDEV, ["rc=1", "absent"], []),
    (0, ["rc=0", "absent"], []),
    pytest.param(errno.EXDEV, ["rc=1", "absent"], ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
                 marks=pytest.mark.runc_min_version("1.2.0", "linux.seccomp.flags")),
])
def test_notify_listener_answers_for_the_container(env, bundle, answer, expected, flags):
    agent = Path(env.helpers["probe"]).parent / "seccomp_agent"
    sock = env.tmp / "agent.sock"
    state_file = env.tmp / "agent-state.json"
    env.background([str(agent), str(sock), str(state_file), "mkdir", str(answer)])
    wait_until(sock.exists, what="the agent's socket")
    section = profile(rule(["mkdir"], "SCMP_ACT_NOTIFY"), listenerPath=str(sock),
                      listenerMetadata="meta-42", flags=flags)
    # mkdir, not mkdirat: busybox mkdir uses mkdir(2) on x86_64.
    r = run_sh(env, bundle, MKDIR_REPORT, section)
    r.check()
    assert r.out.split() == expected
    state = json.loads(state_file.read_text())
    assert state["fds"] == ["seccompFd"]
    assert state["metadata"] == "meta-42"
    assert state["pid"] > 0
    assert state["state"]["status"] == "creating"
    assert state["state"]["id"].startswith("c")


@pytest.mark.ocirt_only("the error text names the JSON path")
def test_unreachable_listener_fails_create_and_leaves_nothing(env, bundle):
    bundle.linux["seccomp"] = profile(rule(["mkdir"], "SCMP_ACT_NOTIFY"),
                                      listenerPath=str(env.tmp / "nobody-listens.sock"))
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    r = env.rt.create(cid, bundle.path)
    assert r.rc != 0 and "/linux/seccomp/listenerPath" in r.err, r.describe()
    assert not (env.rt.root / cid).exists()
