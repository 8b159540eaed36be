"""Failing commands: non-zero exit, one line on stderr, and nothing left behind."""

import json
import re

import pytest

BAD_IDS = {
    "dotdot-slash": "../x",
    "slash": "a/b",
    "empty": "",
    "dotdot": "..",
    "dot": ".",
    "space": "a b",
    "over-long": "a" * 1024,
}


def assert_one_line_error(result):
    assert result.rc != 0, result.describe()
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, f"expected one stderr line:\n{result.err}"


def assert_refused(env, bundle, *fragments):
    """`run` of the bundle (as /bin/true) fails with one error line and leaves nothing behind;
    for ocirt the line holds every fragment (typically the JSON path at fault: other runtimes
    word their errors their own way). Returns the error line."""
    bundle.args("/bin/true").save()
    cid = env.new_id()
    result = env.rt.run(cid, bundle.path)
    assert_one_line_error(result)
    if env.info.flavor == "ocirt":
        for fragment in fragments:
            assert fragment in result.err, f"{fragment!r} not in: {result.err}"
    env.assert_nothing_left(cid)
    return result.err.strip()


def state_entries(env):
    """Non-hidden entries of the runtime's --root (one per container)."""
    if not env.rt.root.exists():
        return []
    return sorted(p.name for p in env.rt.root.iterdir() if not p.name.startswith("."))


@pytest.mark.parametrize("bad_id", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_create_rejects_bad_ids(env, bundle, bad_id):
    bundle.probe("sleep", "300").save()
    result = env.rt.invoke("create", "--bundle", bundle.path, bad_id, io=env.rt.new_io("bad"))
    assert_one_line_error(result)
    assert state_entries(env) == []
    env.assert_nothing_left(None)


@pytest.mark.parametrize("bad_id", ["../x", "a/b"], ids=["dotdot-slash", "slash"])
def test_create_with_bad_id_writes_nothing_outside_root(env, bundle, bad_id):
    bundle.probe("sleep", "300").save()
    env.rt.root.mkdir()
    before = sorted(p.name for p in env.tmp.iterdir())
    env.rt.invoke("create", "--bundle", bundle.path, bad_id, io=env.rt.new_io("bad"))
    assert sorted(p.name for p in env.tmp.iterdir()) == before
    assert not (env.rt.root / "a").exists()


def test_create_rejects_a_duplicate_id(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    first = env.rt.state(cid)
    assert_one_line_error(env.rt.create(cid, bundle.path))
    again = env.rt.state(cid)
    assert (again["status"], again["pid"]) == (first["status"], first["pid"])
    assert env.rt.list_ids() == [cid]


def test_run_rejects_a_duplicate_id(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    assert_one_line_error(env.rt.run(cid, bundle.path))
    assert env.rt.state(cid)["status"] == "created"


def test_create_with_a_missing_bundle_fails(env):
    cid = env.new_id()
    result = env.rt.create(cid, env.tmp / "no-such-bundle")
    assert_one_line_error(result)
    env.assert_nothing_left(cid)


def test_create_without_config_json_fails(env, bundle):
    cid = env.new_id()
    (bundle.path / "config.json").unlink()
    assert_one_line_error(env.rt.create(cid, bundle.path))
    env.assert_nothing_left(cid)


@pytest.mark.parametrize("text", ["{not json", "", "[]", '{"ociVersion": "1.0.2", "process": '],
                         ids=["garbage", "empty", "array", "truncated"])
def test_create_with_malformed_config_fails(env, bundle, text):
    cid = env.new_id()
    (bundle.path / "config.json").write_text(text)
    assert_one_line_error(env.rt.create(cid, bundle.path))
    env.assert_nothing_left(cid)


def test_create_with_a_mistyped_field_fails(env, bundle):
    cid = env.new_id()
    bundle.process["args"] = "/probe"
    bundle.save()
    assert_one_line_error(env.rt.create(cid, bundle.path))
    env.assert_nothing_left(cid)


def test_create_with_a_missing_rootfs_fails(env, bundle):
    cid = env.new_id()
    bundle.config["root"]["path"] = "no-such-rootfs"
    bundle.save()
    assert_one_line_error(env.rt.create(cid, bundle.path))
    env.assert_nothing_left(cid)


def test_failed_mount_leaves_nothing(env, bundle):
    cid = env.new_id()
    bundle.add_mount("/ok", "tmpfs", "tmpfs", ["size=1m"])
    bundle.bind(env.tmp / "no-such-source", "/broken")
    bundle.probe("sleep", "300").save()
    assert_one_line_error(env.rt.create(cid, bundle.path))
    env.assert_nothing_left(cid)


def test_missing_executable_fails_and_leaves_nothing(env, bundle):
    cid = env.new_id()
    bundle.args("/no/such/program").save()
    result = env.rt.run(cid, bundle.path)
    assert result.rc != 0, result.describe()
    env.assert_nothing_left(cid)


@pytest.mark.parametrize("command", ["state", "start", "kill", "delete"])
def test_commands_on_an_unknown_container_fail(env, command):
    result = env.rt.invoke(command, "no-such-container")
    assert_one_line_error(result)


def test_unknown_command_fails(env):
    assert env.rt.invoke("no-such-command").rc != 0


@pytest.mark.ocirt_only("error lines read 'ocirt: <what failed>: <why>'")
@pytest.mark.parametrize("case", ["bad-id", "missing-bundle", "malformed-config", "unknown-container"])
def test_error_line_shape(env, bundle, case):
    if case == "bad-id":
        result = env.rt.create("a/b", bundle.path)
    elif case == "missing-bundle":
        result = env.rt.create(env.new_id(), env.tmp / "no-such-bundle")
    elif case == "malformed-config":
        (bundle.path / "config.json").write_text("{not json")
        result = env.rt.create(env.new_id(), bundle.path)
    else:
        result = env.rt.invoke("state", "no-such-container")
    assert_one_line_error(result)
    assert re.fullmatch(r"ocirt: \S.*: \S.*", result.err.strip()), result.err


def test_error_as_json_log(env):
    log = env.tmp / "log.json"
    result = env.rt.invoke("--log", log, "--log-format", "json", "state", "no-such-container")
    assert result.rc != 0
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    errors = [r for r in records if r.get("level") == "error"]
    assert errors, log.read_text()
    assert {"level", "msg", "time"} <= errors[-1].keys()
