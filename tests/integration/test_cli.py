"""Command-line surface: --help, --version, global flags, state-dependent refusals."""

import json
import threading

import pytest

COMMANDS = ["create", "start", "run", "state", "kill", "delete", "list", "exec", "spec", "pause", "resume", "update", "events", "ps"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(env, command):
    result = env.rt.invoke(command, "--help")
    assert result.rc == 0, result.describe()
    assert command in result.out


def test_version(env):
    result = env.rt.invoke("--version")
    assert result.rc == 0 and "version" in result.out


def test_debug_records_go_to_the_log_file(env, bundle):
    log = env.tmp / "runtime.log"
    bundle.probe("exit", "0").save()
    env.rt.invoke("--log", log, "--debug", "run", "--bundle", bundle.path, env.new_id()).check()
    assert log.exists() and log.read_text().strip(), "no debug records in the --log file"


def test_errors_go_to_the_log_file(env):
    log = env.tmp / "runtime.log"
    assert env.rt.invoke("--log", log, "state", "no-such-container").rc != 0
    assert "no-such-container" in log.read_text() or "not exist" in log.read_text()


def test_kill_of_a_stopped_container_fails(env, bundle):
    cid = env.new_id()
    bundle.probe("exit", "0").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    assert env.rt.kill(cid, "KILL").rc != 0
    assert env.rt.state(cid)["status"] == "stopped"


def test_parallel_creates_with_distinct_ids(env, bundle):
    bundle.probe("sleep", "300").save()
    ids = [env.new_id() for _ in range(5)]
    results = {}

    def create(cid):
        results[cid] = env.rt.create(cid, bundle.path, timeout=60)
    threads = [threading.Thread(target=create, args=(cid,)) for cid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for cid in ids:
        results[cid].check()
    assert sorted(env.rt.list_ids()) == sorted(ids)


@pytest.mark.runc_deviates("runc 1.1 does not lock create: racing creates of one id can both "
                           "succeed and leave an orphan init")
def test_racing_creates_of_one_id_make_one_container(env, bundle):
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    results = []

    def create():
        results.append(env.rt.create(cid, bundle.path, timeout=60))
    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.rc == 0 for r in results) == [False, False, False, True], \
        "\n".join(r.describe() for r in results)
    assert env.rt.list_ids() == [cid]
    assert json.loads(env.rt.invoke("state", cid).check().out)["status"] == "created"
