"""CVE-2019-16884 / CVE-2023-27561 class: a fake /proc in the rootfs turns the runtime's
writes to /proc into no-ops.

runc wrote the AppArmor profile to /proc/self/attr/exec through the container's /proc; an
image whose config mounts something that is not procfs there (here: a bind mount of a plain
directory holding a "self/oom_score_adj" file) received the write and the container ran
without the protection. ocirt opens /proc once, checks it is procfs (magic and root inode),
and opens entries beneath it without crossing mounts, so the write either reaches the kernel
or create fails. A naive runtime passes create here and the container's real oom_score_adj
stays 0, which this test catches from the host.

The same handle carries the LSM writes (process.apparmorProfile, process.selinuxLabel); with
no LSM on this host they are refused earlier (test_lsm.py), so oom_score_adj is the write
exercised end to end. The sysctl side of this class belongs to linux.sysctl.
"""

from pathlib import Path

import pytest


def fake_proc(bundle):
    fake = bundle.rootfs / "fakeproc"
    (fake / "self").mkdir(parents=True)
    (fake / "self/oom_score_adj").write_text("0\n")
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["destination"] != "/proc"]
    bundle.bind(str(fake), "/proc")
    return fake


@pytest.mark.parametrize("score", [500])
def test_oom_score_adj_is_not_swallowed_by_a_fake_proc(env, bundle, score):
    fake = fake_proc(bundle)
    bundle.process["oomScoreAdj"] = score
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    r = env.rt.create(cid, bundle.path)
    if r.rc != 0:
        assert "proc" in r.err, r.describe()
        assert not (env.rt.root / cid).exists()
        return
    pid = env.rt.state(cid)["pid"]
    real = int(Path(f"/proc/{pid}/oom_score_adj").read_text())
    assert real == score, f"the write went to {fake}/self/oom_score_adj"


@pytest.mark.ocirt_only("the error text is ocirt's")
def test_fake_proc_is_named_in_the_error(env, bundle):
    fake_proc(bundle)
    bundle.process["oomScoreAdj"] = 100
    bundle.save()
    r = env.rt.create(env.new_id(), bundle.path)
    assert r.rc != 0 and "/process/oomScoreAdj" in r.err and "not on procfs" in r.err, r.describe()
