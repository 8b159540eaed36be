"""Hooks: the six kinds, their order, stdin, args, env, namespaces, timeout, failure."""

import json
import os
import time

import pytest

from runner import wait_until

# createContainer and startContainer run in the container's mount namespace,
# but only startContainer sees the container's root (createContainer runs
# before pivot_root, and its path resolves in the runtime namespace).
IN_CONTAINER = {"startContainer"}
LOG_INSIDE = "/hooklog"

# Records, in dir $0 under name $1: stdin, argv, env, mount namespace, and order.
RECORDER = ('cat > "$0/$1.json"; echo "$1" >> "$0/order"; echo "$0" "$@" > "$0/$1.args"; '
            'env > "$0/$1.env"; readlink /proc/self/ns/mnt > "$0/$1.mnt"')


class HookLog:
    """A host dir that every hook writes into (bound into the container too)."""

    def __init__(self, env, bundle):
        self.dir = env.host_dir("hooklog")
        os.chmod(self.dir, 0o777)
        bundle.bind(self.dir, LOG_INSIDE)

    def add(self, bundle, kind, name=None, **kwargs):
        out = LOG_INSIDE if kind in IN_CONTAINER else str(self.dir)
        bundle.hook(kind, "/bin/sh", args=["sh", "-c", RECORDER, out, name or kind], **kwargs)

    def order(self):
        path = self.dir / "order"
        return path.read_text().split() if path.exists() else []

    def state(self, name):
        return json.loads((self.dir / f"{name}.json").read_text())

    def text(self, name, ext):
        return (self.dir / f"{name}.{ext}").read_text()


def all_hooks(env, bundle):
    log = HookLog(env, bundle)
    for kind in ["prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                 "poststop"]:
        log.add(bundle, kind)
    return log


def test_each_hook_runs_at_its_command(env, bundle):
    cid = env.new_id()
    log = all_hooks(env, bundle)
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    assert log.order()[:3] == ["prestart", "createRuntime", "createContainer"]
    assert "startContainer" not in log.order()
    env.rt.start(cid).check()
    assert "startContainer" in log.order()
    assert "poststop" not in log.order()
    env.rt.delete(cid, "--force").check()
    assert log.order()[-1] == "poststop"


@pytest.mark.runc_deviates("runc 1.1 runs poststart hooks during create "
                           "(opencontainers/runc#1710, fixed upstream by #5186)")
def test_hooks_run_in_lifecycle_order(env, bundle):
    cid = env.new_id()
    log = all_hooks(env, bundle)
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    assert log.order() == ["prestart", "createRuntime", "createContainer"]
    env.rt.start(cid).check()
    assert log.order()[3:] == ["startContainer", "poststart"]
    env.rt.delete(cid, "--force").check()
    assert log.order()[5:] == ["poststop"]


def test_run_runs_every_hook_once(env, bundle):
    log = all_hooks(env, bundle)
    bundle.probe("exit", "0").save()
    env.rt.run(env.new_id(), bundle.path).check()
    assert sorted(log.order()) == sorted(["prestart", "createRuntime", "createContainer",
                                          "startContainer", "poststart", "poststop"])


def hook_states(env, bundle):
    """Runs create, start, delete --force with every hook; returns (cid, init pid, log)."""
    cid = env.new_id()
    log = all_hooks(env, bundle)
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    pid = env.rt.state(cid)["pid"]
    env.rt.delete(cid, "--force").check()
    return cid, pid, log


def test_hook_stdin_is_the_state(env, bundle):
    cid, pid, log = hook_states(env, bundle)
    # The pid is as seen from the namespace the hook runs in (state.md).
    expected = {"prestart": ("creating", pid), "createRuntime": ("creating", pid),
                "createContainer": ("creating", 1), "startContainer": ("created", 1),
                "poststop": ("stopped", None)}
    for kind, (status, hook_pid) in expected.items():
        state = log.state(kind)
        assert state["id"] == cid, kind
        assert state["bundle"] == str(bundle.path), kind
        assert state["ociVersion"], kind
        assert state["status"] == status, kind
        if hook_pid is not None:
            assert state["pid"] == hook_pid, kind


@pytest.mark.runc_deviates("runc 1.1 runs poststart hooks during create, with status "
                           "'created' (opencontainers/runc#1710, fixed upstream by #5186)")
def test_poststart_stdin_says_running(env, bundle):
    cid, pid, log = hook_states(env, bundle)
    state = log.state("poststart")
    assert (state["id"], state["status"], state["pid"]) == (cid, "running", pid)


def test_hook_args_and_env(env, bundle):
    log = HookLog(env, bundle)
    log.add(bundle, "createRuntime", env=["HOOK_VAR=hello", "OTHER=1"])
    bundle.probe("exit", "0").save()
    runtime_env = dict(os.environ, OI_RUNTIME_ONLY="leak")
    env.rt.run(env.new_id(), bundle.path, env=runtime_env).check()
    assert log.text("createRuntime", "args").split() == [str(log.dir), "createRuntime"]
    hook_env = log.text("createRuntime", "env").splitlines()
    assert "HOOK_VAR=hello" in hook_env and "OTHER=1" in hook_env
    assert not any(line.startswith("OI_RUNTIME_ONLY=") for line in hook_env)


def test_hooks_run_in_the_right_mount_namespace(env, bundle):
    cid = env.new_id()
    log = all_hooks(env, bundle)
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    container_mnt = os.readlink(f"/proc/{env.rt.state(cid)['pid']}/ns/mnt")
    env.rt.delete(cid, "--force").check()
    host_mnt = os.readlink("/proc/self/ns/mnt")
    for kind in ["prestart", "createRuntime", "poststart", "poststop"]:
        assert log.text(kind, "mnt").strip() == host_mnt, kind
    for kind in ["createContainer", "startContainer"]:
        assert log.text(kind, "mnt").strip() == container_mnt, kind


def test_several_hooks_of_one_kind_run_in_order(env, bundle):
    log = HookLog(env, bundle)
    for n in range(1, 4):
        log.add(bundle, "createRuntime", name=f"createRuntime-{n}")
    bundle.probe("exit", "0").save()
    env.rt.run(env.new_id(), bundle.path).check()
    assert log.order() == ["createRuntime-1", "createRuntime-2", "createRuntime-3"]


@pytest.mark.parametrize("kind", ["prestart", "createRuntime", "createContainer"])
def test_failing_create_hook_fails_create_and_leaves_nothing(env, bundle, kind):
    cid = env.new_id()
    bundle.hook(kind, "/bin/sh", args=["sh", "-c", "exit 3"])
    bundle.probe("sleep", "300").save()
    result = env.rt.create(cid, bundle.path)
    assert result.rc != 0, result.describe()
    env.assert_nothing_left(cid)


@pytest.mark.parametrize("kind", ["startContainer", "poststart"])
def test_failing_start_hook_fails_run_and_leaves_nothing(env, bundle, kind):
    # runtime.md (v1.3 lifecycle): a failing startContainer or poststart hook is an
    # error and stops the container (poststart used to be only a warning).
    cid = env.new_id()
    bundle.hook(kind, "/bin/sh", args=["sh", "-c", "exit 3"])
    bundle.probe("sleep", "300").save()
    result = env.rt.run(cid, bundle.path, timeout=30)
    assert result.rc != 0, result.describe()
    env.assert_nothing_left(cid)


def failing_poststart(env, bundle):
    """A bundle whose poststart hook fails and whose poststop hook is logged; returns the log."""
    log = HookLog(env, bundle)
    bundle.hook("poststart", "/bin/sh", args=["sh", "-c", "echo refused >&2; exit 3"])
    log.add(bundle, "poststop")
    bundle.probe("sleep", "300").save()
    return log


@pytest.mark.runc_deviates("runc 1.1 runs poststart hooks during create and keeps the container")
def test_failing_poststart_hook_fails_start_and_destroys_the_container(env, bundle):
    # runtime.md 1.3, step 9: generate an error, stop the container and continue at step 12
    # (destroy it) and 13 (poststop hooks): start itself leaves nothing for a delete.
    cid = env.new_id()
    log = failing_poststart(env, bundle)
    env.rt.create(cid, bundle.path).check()
    pid = env.rt.state(cid)["pid"]
    result = env.rt.start(cid)
    assert result.rc != 0 and "poststart" in result.err and "refused" in result.err, result.describe()
    gone = env.rt.invoke("state", cid)
    assert gone.rc != 0 and "does not exist" in gone.err, gone.describe()
    assert log.order() == ["poststop"]
    assert log.state("poststop")["status"] == "stopped"
    wait_until(lambda: not os.path.exists(f"/proc/{pid}") or
               open(f"/proc/{pid}/stat").read().split()[2] == "Z", what="the container process to die")
    env.assert_nothing_left(cid)


def test_failing_poststart_hook_in_run_runs_poststop_once_and_leaves_nothing(env, bundle):
    cid = env.new_id()
    log = failing_poststart(env, bundle)
    began = time.monotonic()
    result = env.rt.run(cid, bundle.path, timeout=30)
    assert result.rc != 0, result.describe()
    assert time.monotonic() - began < 10
    assert log.order() == ["poststop"]
    env.assert_nothing_left(cid)


MARK = "OCIRT_IT_HOOK_MARK"


def test_hook_without_env_gets_the_runtimes_environment(env, bundle):
    # runc (Go's exec.Cmd with a nil Env) and crun pass their own environment to a hook that
    # has no `env`; `"env": []` is an empty one, and a listed env is exactly that.
    log = HookLog(env, bundle)
    for kind in ["prestart", "createRuntime", "poststop"]:
        log.add(bundle, kind)
    log.add(bundle, "createRuntime", name="empty", env=[])
    log.add(bundle, "createRuntime", name="listed", env=["ONLY=this"])
    bundle.probe("exit", "0").save()
    env.rt.run(env.new_id(), bundle.path, env={**os.environ, MARK: "from the runtime"}).check()
    for kind in ["prestart", "createRuntime", "poststop"]:
        assert f"{MARK}=from the runtime" in log.text(kind, "env").splitlines(), kind
    assert MARK not in log.text("empty", "env")
    listed = log.text("listed", "env")
    assert "ONLY=this" in listed.splitlines() and MARK not in listed


def test_hook_timeout_kills_the_hook_and_fails_create(env, bundle):
    cid = env.new_id()
    pid_file = env.tmp / "hook.pid"
    bundle.hook("createRuntime", "/bin/sh", args=["sh", "-c", f"echo $$ > {pid_file}; exec sleep 60"],
                timeout=1)
    bundle.probe("sleep", "300").save()
    began = time.monotonic()
    result = env.rt.create(cid, bundle.path, timeout=30)
    assert result.rc != 0, result.describe()
    assert time.monotonic() - began < 20
    hook_pid = int(pid_file.read_text())
    wait_until(lambda: not os.path.exists(f"/proc/{hook_pid}") or
               open(f"/proc/{hook_pid}/stat").read().split()[2] == "Z",
               what="the timed-out hook to be killed")
    env.assert_nothing_left(cid)


def test_failing_poststop_hook_does_not_stop_delete(env, bundle):
    cid = env.new_id()
    bundle.hook("poststop", "/bin/sh", args=["sh", "-c", "exit 1"])
    bundle.probe("exit", "0").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    env.rt.delete(cid)
    assert cid not in env.rt.list_ids()


def test_poststop_runs_once_on_delete_force(env, bundle):
    cid = env.new_id()
    log = HookLog(env, bundle)
    log.add(bundle, "poststop")
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    env.rt.delete(cid, "--force").check()
    assert log.order() == ["poststop"]
