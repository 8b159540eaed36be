"""The state root holds containers only: caches live elsewhere, and list, state, kill and delete
pass over a directory there that is not a container's (no state.json, no config.json)."""

import json

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
