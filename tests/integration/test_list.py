"""list: the table, --format json and --quiet."""

import json


def make_containers(env, bundle):
    """One created and one running container; returns {id: status}."""
    bundle.probe("sleep", "300").save()
    created, running = env.new_id("created"), env.new_id("running")
    env.rt.create(created, bundle.path).check()
    env.rt.create(running, bundle.path).check()
    env.rt.start(running).check()
    return {created: "created", running: "running"}


def test_list_of_an_empty_root(env):
    assert env.rt.list("--quiet").check().out.strip() == ""
    out = env.rt.list("--format", "json").check().out
    assert json.loads(out) in ([], None), out  # runc prints null


def test_list_quiet_prints_ids(env, bundle):
    expected = make_containers(env, bundle)
    assert sorted(env.rt.list("--quiet").check().out.split()) == sorted(expected)


def test_list_table(env, bundle):
    expected = make_containers(env, bundle)
    lines = env.rt.list().check().out.splitlines()
    assert lines[0].split() == ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]
    rows = {line.split()[0]: line.split() for line in lines[1:] if line.strip()}
    assert set(rows) == set(expected)
    for cid, status in expected.items():
        row = rows[cid]
        assert row[1] == str(env.rt.state(cid)["pid"])
        assert row[2] == status
        assert row[3] == str(bundle.path)
        assert row[5] == "root"


def test_list_json(env, bundle):
    expected = make_containers(env, bundle)
    entries = {e["id"]: e for e in json.loads(env.rt.list("--format", "json").check().out)}
    assert set(entries) == set(expected)
    for cid, status in expected.items():
        entry = entries[cid]
        assert entry["status"] == status
        assert entry["pid"] == env.rt.state(cid)["pid"]
        assert entry["bundle"] == str(bundle.path)
        assert entry["rootfs"] == str(bundle.rootfs)
        assert entry["created"] == env.rt.state(cid)["created"]
        assert entry["owner"] == "root"


def test_list_shows_stopped_containers(env, bundle):
    cid = env.new_id()
    bundle.probe("exit", "0").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    entries = json.loads(env.rt.list("--format", "json").check().out)
    assert [(e["id"], e["status"]) for e in entries] == [(cid, "stopped")]
