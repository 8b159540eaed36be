"""Default devices and /dev symlinks, as runc creates them."""

import json

import pytest

from runner import probe_output

DEFAULT_DEVICES = {
    "/dev/null": (1, 3),
    "/dev/zero": (1, 5),
    "/dev/full": (1, 7),
    "/dev/random": (1, 8),
    "/dev/urandom": (1, 9),
    "/dev/tty": (5, 0),
}

DEV_SYMLINKS = {
    "/dev/fd": "/proc/self/fd",
    "/dev/stdin": "/proc/self/fd/0",
    "/dev/stdout": "/proc/self/fd/1",
    "/dev/stderr": "/proc/self/fd/2",
    "/dev/ptmx": "pts/ptmx",
}


def stat_inside(env, bundle, *paths):
    bundle.probe("stat", *paths).save()
    return json.loads(env.rt.run(env.new_id(), bundle.path).check().out)


@pytest.mark.parametrize("path", DEFAULT_DEVICES)
def test_default_device(env, bundle, path):
    st = stat_inside(env, bundle, path)[path]
    assert st.get("type") == "chr", st
    assert (st["major"], st["minor"]) == DEFAULT_DEVICES[path]
    assert st["mode"] == 0o666
    assert (st["uid"], st["gid"]) == (0, 0)


@pytest.mark.parametrize("path", DEV_SYMLINKS)
def test_dev_symlink(env, bundle, path):
    st = stat_inside(env, bundle, path)[path]
    assert st.get("type") == "lnk", st
    assert st["link"] == DEV_SYMLINKS[path]


def test_dev_null_and_zero_work(env, bundle):
    bundle.args("/bin/sh", "-c", "echo gone > /dev/null && head -c 3 /dev/zero | od -An -tx1").save()
    assert env.rt.run(env.new_id(), bundle.path).check().out.split() == ["00", "00", "00"]


def test_ptmx_opens_a_new_pty(env, bundle):
    bundle.args("/bin/sh", "-c", "exec 3<>/dev/ptmx && ls /dev/pts").save()
    assert "0" in env.rt.run(env.new_id(), bundle.path).check().out.split()


def test_devpts_is_a_new_instance(env, bundle):
    bundle.probe().save()
    report = probe_output(env.rt.run(env.new_id(), bundle.path).check().out)
    inside = [m for m in report["mounts"] if m["mount_point"] == "/dev/pts"]
    assert inside and inside[-1]["fstype"] == "devpts"
    host = {line.split()[2] for line in open("/proc/self/mountinfo") if " - devpts " in line}
    assert inside[-1]["device"] not in host, "the container got the host's devpts"
