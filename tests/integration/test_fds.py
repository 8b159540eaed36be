"""File descriptors: none of the runtime's leak in; --preserve-fds and LISTEN_FDS are exact."""

import os

import pytest

from runner import probe_output


def open_files(env, *names):
    """Opens files under the temp dir (close-on-exec here); teardown closes them."""
    fds = []
    for name in names:
        fd = os.open(env.tmp / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        env.defer(lambda fd=fd: os.close(fd))
        fds.append(fd)
    return fds


def fd_numbers(report):
    return sorted(int(fd) for fd in report["fds"])


def test_only_stdio_reaches_the_container(env, bundle):
    bundle.probe().save()
    report = probe_output(env.rt.run(env.new_id(), bundle.path).check().out)
    assert fd_numbers(report) == [0, 1, 2], report["fds"]


def test_runtime_fds_without_preserve_fds_do_not_leak(env, bundle):
    a, b = open_files(env, "extra-a", "extra-b")
    bundle.probe().save()
    report = probe_output(env.rt.run(env.new_id(), bundle.path, extra_fds={3: a, 4: b}).check().out)
    assert fd_numbers(report) == [0, 1, 2], report["fds"]


def test_preserve_fds_passes_exactly_the_first_n(env, bundle):
    a, b = open_files(env, "extra-a", "extra-b")
    bundle.probe().save()
    result = env.rt.run(env.new_id(), bundle.path, "--preserve-fds", "1", extra_fds={3: a, 4: b})
    report = probe_output(result.check().out)
    assert fd_numbers(report) == [0, 1, 2, 3], report["fds"]
    assert report["fds"]["3"] == str(env.tmp / "extra-a")


def test_preserve_fds_two(env, bundle):
    a, b = open_files(env, "extra-a", "extra-b")
    bundle.probe().save()
    result = env.rt.run(env.new_id(), bundle.path, "--preserve-fds", "2", extra_fds={3: a, 4: b})
    report = probe_output(result.check().out)
    assert fd_numbers(report) == [0, 1, 2, 3, 4], report["fds"]
    assert (report["fds"]["3"], report["fds"]["4"]) == (str(env.tmp / "extra-a"),
                                                          str(env.tmp / "extra-b"))


def test_preserved_fd_is_usable(env, bundle):
    (fd,) = open_files(env, "shared")
    bundle.args("/bin/sh", "-c", "echo through-fd-3 >&3").save()
    env.rt.run(env.new_id(), bundle.path, "--preserve-fds", "1", extra_fds={3: fd}).check()
    assert (env.tmp / "shared").read_text() == "through-fd-3\n"


def test_create_preserve_fds(env, bundle):
    cid = env.new_id()
    (fd,) = open_files(env, "extra-a")
    bundle.probe().save()
    created = env.rt.create(cid, bundle.path, "--preserve-fds", "1", extra_fds={3: fd}).check()
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    report = probe_output(created.io.out())
    assert fd_numbers(report) == [0, 1, 2, 3], report["fds"]


def test_exec_gets_no_runtime_fds(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    (fd,) = open_files(env, "extra-a")
    report = probe_output(env.rt.exec(cid, "/probe", extra_fds={3: fd}).check().out)
    assert fd_numbers(report) == [0, 1, 2], report["fds"]


def test_exec_preserve_fds(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    (fd,) = open_files(env, "extra-a")
    result = env.rt.exec(cid, "/probe", flags=["--preserve-fds", "1"], extra_fds={3: fd})
    report = probe_output(result.check().out)
    assert fd_numbers(report) == [0, 1, 2, 3], report["fds"]


@pytest.mark.parametrize("count", [1, 2])
def test_listen_fds_are_passed_on(env, bundle, count):
    fds = open_files(env, "listen-a", "listen-b")
    bundle.probe().save()
    runtime_env = dict(os.environ, LISTEN_FDS=str(count))
    # LISTEN_PID must be the runtime's own pid: set it in a shell that then execs it.
    result = env.rt.run(env.new_id(), bundle.path, env=runtime_env,
                        extra_fds={3: fds[0], 4: fds[1]}, shell_prefix="export LISTEN_PID=$$")
    report = probe_output(result.check().out)
    assert fd_numbers(report) == list(range(3 + count)), report["fds"]
    assert f"LISTEN_FDS={count}" in report["env"]
    assert "LISTEN_PID=1" in report["env"]


def test_container_stdio_is_the_runtimes(env, bundle):
    cid = env.new_id()
    bundle.probe().save()
    created = env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    env.rt.wait_status(cid, "stopped")
    fds = probe_output(created.io.out())["fds"]
    assert fds["1"] == str(created.io.out_path)
    assert fds["2"] == str(created.io.err_path)
