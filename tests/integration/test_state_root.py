"""The state root holds containers only: caches live elsewhere, and list, state, kill and delete
pass over a directory there that is not a container's (no state.json, no config.json).

State saves are atomic replaces without fsync, as runc's and crun's (docs/security.md, "Crash
consistency"): after a power loss a container's state.json may be empty, cut short or missing.
Every reader then fails with one line naming the file, `list` warns and passes over it, and
`delete --force` removes the directory."""

import json
import shutil
import subprocess

import pytest

SECCOMP = {"defaultAction": "SCMP_ACT_ALLOW",
           "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}


def test_a_seccomp_container_leaves_only_itself_in_the_root(env, bundle):
    # ocirt caches compiled filters: not in the root, where runc (sharing it) would try to load
    # the cache as a container and `create seccomp-cache` would find the ID taken.
    bundle.linux["seccomp"] = SECCOMP
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    assert sorted(p.name for p in env.rt.root.iterdir()) == [cid]
    assert env.rt.list_ids() == [cid]
    for name in ["seccomp-cache", "seccomp"]:
        env.rt.create(name, bundle.path).check()
    assert sorted(env.rt.list_ids()) == sorted([cid, "seccomp", "seccomp-cache"])


@pytest.fixture
def foreign(env, bundle):
    """A container, and a directory under the root that is not one (an older ocirt's cache)."""
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    path = env.rt.root / "seccomp-cache"
    path.mkdir()
    (path / "0123.bpf").write_bytes(b"not a container")
    return cid, path


def test_list_passes_over_a_directory_that_is_not_a_container(env, foreign):
    cid, path = foreign
    assert env.rt.list_ids() == [cid]
    listed = json.loads(env.rt.list("--format", "json").check().out)
    assert [c["id"] for c in listed] == [cid]
    table = env.rt.list().check().out
    assert "seccomp-cache" not in table, table


def test_state_and_kill_say_it_does_not_exist(env, foreign):
    for args in [("state", "seccomp-cache"), ("kill", "seccomp-cache", "KILL")]:
        result = env.rt.invoke(*args)
        assert result.rc != 0 and "does not exist" in result.err, result.describe()


@pytest.mark.runc_deviates("runc's delete removes whatever directory under its root has the ID's name")
def test_delete_leaves_a_directory_that_is_not_a_container(env, foreign):
    cid, path = foreign
    result = env.rt.delete("seccomp-cache")
    assert result.rc != 0 and "does not exist" in result.err, result.describe()
    env.rt.delete("seccomp-cache", "--force").check()  # as for a missing container
    assert (path / "0123.bpf").read_bytes() == b"not a container"
    assert env.rt.list_ids() == [cid]


def test_create_refuses_a_name_taken_by_a_directory_that_is_not_a_container(env, foreign, bundle):
    result = env.rt.create("seccomp-cache", bundle.path)
    assert result.rc != 0 and "already exists" in result.err, result.describe()
    assert (foreign[1] / "0123.bpf").exists()


# A container directory as a power loss leaves it: config.json, state.json damaged or missing,
# no process and no cgroup (they went with the machine).
DAMAGE = {
    "empty": lambda text: b"",
    "truncated": lambda text: text[: len(text) // 2],
    "missing": None,
}


@pytest.fixture(params=sorted(DAMAGE))
def lost(request, env, bundle):
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    saved = {name: (env.rt.root / cid / name).read_bytes() for name in ("config.json", "state.json")}
    env.rt.delete(cid, "--force").check()
    path = env.rt.root / cid
    path.mkdir(mode=0o711)
    (path / "config.json").write_bytes(saved["config.json"])
    damage = DAMAGE[request.param]
    if damage is not None:
        (path / "state.json").write_bytes(damage(saved["state.json"]))
    return cid, path / "state.json", request.param


WORD = {"empty": "empty", "truncated": "corrupt state file", "missing": "missing"}


@pytest.mark.ocirt_only("the wording of the error; runc's list also warns and passes over it")
def test_readers_of_a_lost_record_name_the_file_in_one_line(env, lost):
    cid, state_json, kind = lost
    for args in [("state", cid), ("kill", cid, "KILL"), ("start", cid), ("exec", cid, "/probe", "exit", "0"),
                 ("pause", cid), ("delete", cid)]:
        result = env.rt.invoke(*args)
        assert result.rc != 0, result.describe()
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and str(state_json) in lines[0] and WORD[kind] in lines[0], result.describe()
        assert "delete --force" in lines[0], result.describe()
    assert state_json.parent.is_dir()  # nothing removed without --force


@pytest.mark.ocirt_only("the wording of the warning")
def test_list_warns_and_passes_over_a_lost_record(env, lost, bundle):
    cid, state_json, kind = lost
    other = env.new_id()
    env.rt.create(other, bundle.path).check()
    for flags in [(), ("--format", "json"), ("--quiet",)]:
        result = env.rt.list(*flags)
        assert result.rc == 0, result.describe()
        assert cid not in result.out and other in result.out, result.describe()
        assert str(state_json) in result.err and WORD[kind] in result.err, result.describe()


@pytest.mark.ocirt_only("runc cannot load the container to delete it")
def test_delete_force_removes_a_lost_record(env, lost, bundle):
    cid, state_json, kind = lost
    env.rt.delete(cid, "--force").check()
    assert not state_json.parent.exists()
    env.rt.create(cid, bundle.path).check()  # the ID is free again
    assert env.rt.state(cid)["status"] == "created"


@pytest.mark.ocirt_only("a create that finds a lost record says which file")
def test_create_over_a_lost_record_names_it(env, lost, bundle):
    cid, state_json, kind = lost
    result = env.rt.create(cid, bundle.path)
    assert result.rc != 0, result.describe()
    if kind == "missing":  # an interrupted create's directory
        assert "exists in state creating; delete --force it" in result.err, result.describe()
    else:
        assert "already exists" in result.err and str(state_json) in result.err, result.describe()


@pytest.mark.ocirt_only("counts ocirt's own fsyncs")
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is missing (apt-get install -y strace)")
def test_state_saves_are_not_fsynced(env, bundle):
    # runc and crun replace state.json by a rename without fsync; so does ocirt (issue 14).
    bundle.probe("exit", "0").save()
    cid = env.new_id()
    env.rt.track(cid)
    out = env.tmp / "fsync.strace"
    subprocess.run(["strace", "-f", "-qq", "-o", out, "-e", "trace=fsync,fdatasync,syncfs,sync,sync_file_range",
                    *env.rt.argv("run", "--bundle", bundle.path, cid)], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=True)
    calls = [line for line in out.read_text().splitlines() if "(" in line]
    assert calls == [], calls
    assert not (env.rt.root / cid).exists()


def test_concurrent_creates_of_one_id_leave_exactly_one_container(env, bundle):
    # Eight creates of the same ID at once, a hundred times: one wins, the others say it exists,
    # and the winner's container is whole. A create that found the directory another had just
    # made (empty, not yet locked) took it as abandoned, and the maker then went on in it too,
    # failed and removed it, and so on down the queue: the winner's init stage was left behind
    # without a state directory (4 rounds in 100 here before the fix).
    bundle.args("/bin/sleep", "60").save()
    for _ in range(100):
        cid = env.new_id()
        env.rt.track(cid)
        # stderr to files: the winner's init stage keeps its copy open.
        errs = [env.tmp / f"{cid}-{n}.err" for n in range(8)]
        procs = []
        for err in errs:
            with open(err, "w") as f:
                procs.append(subprocess.Popen(env.rt.argv("create", "--bundle", bundle.path, cid),
                                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=f))
        results = [(p.wait(timeout=60), err.read_text()) for p, err in zip(procs, errs)]
        won = [r for r in results if r[0] == 0]
        assert len(won) == 1, results
        for rc, err in results:
            assert rc == 0 or "already exists" in err, results
        assert env.rt.state(cid)["status"] == "created"
        env.rt.invoke("delete", "--force", cid).check()
