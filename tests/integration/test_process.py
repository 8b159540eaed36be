"""The container process: args, env, cwd, user, umask, caps, rlimits, NNP, OOM score."""

import ctypes

import pytest

from runner import probe_output

# Capability numbers from linux/capability.h.
CAP = {"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7,
       "CAP_NET_BIND_SERVICE": 10, "CAP_NET_RAW": 13, "CAP_SYS_CHROOT": 18, "CAP_AUDIT_WRITE": 29}


def cap_mask(*names):
    mask = 0
    for name in names:
        mask |= 1 << CAP[name]
    return mask


def run_probe(env, bundle, *probe_args):
    bundle.probe(*probe_args).save()
    return probe_output(env.rt.run(env.new_id(), bundle.path).check().out)


def test_args_are_passed_verbatim(env, bundle):
    bundle.args("/bin/sh", "-c", 'for a in "$@"; do echo "[$a]"; done', "sh", "a b", "", "c\"d",
                "$HOME").save()
    out = env.rt.run(env.new_id(), bundle.path).check().out
    assert out.splitlines() == ["[a b]", "[]", "[c\"d]", "[$HOME]"]


def test_program_is_found_on_the_configured_path(env, bundle):
    bundle.process["env"] = ["PATH=/usr/bin:/bin"]
    bundle.args("echo", "found").save()
    assert env.rt.run(env.new_id(), bundle.path).check().out == "found\n"


def test_env_is_exactly_the_configured_list(env, bundle):
    configured = ["PATH=/bin", "FOO=bar", "EMPTY=", "WITH_EQUALS=a=b"]
    bundle.process["env"] = configured
    seen = run_probe(env, bundle)["env"]
    assert set(configured) <= set(seen)
    # runc adds HOME when the config has none; nothing else may appear.
    extra = [e for e in seen if e not in configured]
    assert all(e.startswith("HOME=") for e in extra), extra


def test_cwd(env, bundle):
    bundle.process["cwd"] = "/tmp"
    assert run_probe(env, bundle)["cwd"] == "/tmp"


def test_uid_and_gid(env, bundle):
    bundle.user(1000, 1001)
    report = run_probe(env, bundle)
    assert (report["uid"], report["euid"], report["gid"], report["egid"]) == (1000, 1000, 1001, 1001)


def test_no_additional_gids_means_no_supplementary_groups(env, bundle):
    bundle.user(1000, 1000)
    assert run_probe(env, bundle)["groups"] == []


def test_additional_gids(env, bundle):
    bundle.user(1000, 1000, additional_gids=[10, 20, 30])
    assert sorted(run_probe(env, bundle)["groups"]) == [10, 20, 30]


def test_umask(env, bundle):
    bundle.user(0, 0, umask=0o027)
    assert run_probe(env, bundle)["umask"] == 0o027


def test_umask_default_is_0022(env, bundle):
    bundle.user(0, 0)
    assert run_probe(env, bundle)["umask"] == 0o022


def test_all_five_capability_sets(env, bundle):
    # As a non-root user, permitted and effective after execve equal the
    # ambient set, which needs its capabilities permitted and inheritable.
    bundle.user(1000, 1000)
    bundle.capabilities(
        bounding=["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
        inheritable=["CAP_KILL", "CAP_NET_BIND_SERVICE"],
        permitted=["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        effective=["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        ambient=["CAP_KILL", "CAP_NET_BIND_SERVICE"])
    status = run_probe(env, bundle)["status"]
    got = {key: int(status[key], 16) for key in ["CapBnd", "CapInh", "CapPrm", "CapEff", "CapAmb"]}
    assert got == {
        "CapBnd": cap_mask("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"),
        "CapInh": cap_mask("CAP_KILL", "CAP_NET_BIND_SERVICE"),
        "CapPrm": cap_mask("CAP_KILL", "CAP_NET_BIND_SERVICE"),
        "CapEff": cap_mask("CAP_KILL", "CAP_NET_BIND_SERVICE"),
        "CapAmb": cap_mask("CAP_KILL", "CAP_NET_BIND_SERVICE"),
    }


def test_root_capabilities_are_limited_by_the_bounding_set(env, bundle):
    # For uid 0 execve grants the whole bounding set as permitted and effective.
    caps = ["CAP_CHOWN", "CAP_SYS_CHROOT"]
    bundle.user(0, 0)
    bundle.capabilities(bounding=caps, permitted=caps, effective=caps)
    status = run_probe(env, bundle)["status"]
    for key in ["CapBnd", "CapPrm", "CapEff"]:
        assert int(status[key], 16) == cap_mask(*caps), key
    assert int(status["CapInh"], 16) == 0
    assert int(status["CapAmb"], 16) == 0


def test_no_capabilities(env, bundle):
    bundle.user(1000, 1000)
    bundle.capabilities(bounding=[], permitted=[], effective=[], inheritable=[], ambient=[])
    status = run_probe(env, bundle)["status"]
    assert {int(status[k], 16) for k in ["CapBnd", "CapInh", "CapPrm", "CapEff", "CapAmb"]} == {0}


def test_rlimits(env, bundle):
    # Hard limits no higher than the host's: this host has no CAP_SYS_RESOURCE.
    bundle.rlimits({"RLIMIT_NOFILE": (256, 512), "RLIMIT_CORE": (0, 4096),
                    "RLIMIT_NPROC": (1000, 2000), "RLIMIT_MSGQUEUE": (4096, 8192)})
    limits = run_probe(env, bundle)["rlimits"]
    assert limits["RLIMIT_NOFILE"] == {"soft": 256, "hard": 512}
    assert limits["RLIMIT_CORE"] == {"soft": 0, "hard": 4096}
    assert limits["RLIMIT_NPROC"] == {"soft": 1000, "hard": 2000}
    assert limits["RLIMIT_MSGQUEUE"] == {"soft": 4096, "hard": 8192}


def test_rlimit_soft_limit_is_enforced(env, bundle):
    bundle.rlimits({"RLIMIT_NOFILE": (16, 16)})
    # A descriptor number at or above RLIMIT_NOFILE cannot be used.
    bundle.args("/bin/sh", "-c", "(exec 10</dev/null) && echo fd10-ok; "
                "(exec 20</dev/null) 2>/dev/null || echo fd20-refused").save()
    out = env.rt.run(env.new_id(), bundle.path).check().out
    assert out.split() == ["fd10-ok", "fd20-refused"]


@pytest.mark.parametrize("value,expected", [(True, "1"), (False, "0")])
def test_no_new_privileges(env, bundle, value, expected):
    bundle.process["noNewPrivileges"] = value
    assert run_probe(env, bundle)["status"]["NoNewPrivs"] == expected


@pytest.mark.parametrize("score", [0, 500, 1000])
def test_oom_score_adj(env, bundle, score):
    bundle.process["oomScoreAdj"] = score
    assert run_probe(env, bundle)["oom_score_adj"] == score


def test_oom_score_adj_seen_from_the_host(env, bundle):
    cid = env.new_id()
    bundle.process["oomScoreAdj"] = 321
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    assert open(f"/proc/{pid}/oom_score_adj").read().strip() == "321"


def own_session_keyring():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    keyctl, get_keyring_id, session = 250, 0, -3  # x86_64 SYS_keyctl
    return libc.syscall(keyctl, get_keyring_id, session, 0)


def test_new_session_keyring_by_default(env, bundle):
    report = run_probe(env, bundle)
    assert report["session_keyring"] > 0
    assert report["session_keyring"] != own_session_keyring()


def test_no_new_keyring_keeps_the_callers(env, bundle):
    bundle.probe().save()
    result = env.rt.invoke("run", "--no-new-keyring", "--bundle", bundle.path, env.new_id())
    env.rt.track(result.argv[-1])
    assert probe_output(result.check().out)["session_keyring"] == own_session_keyring()
