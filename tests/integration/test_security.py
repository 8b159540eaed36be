"""Host protections: the container never sees the runtime binary or runtime fds."""

import os
import stat

import pytest

from runner import probe_output


def created_init(env, bundle):
    cid = env.new_id()
    bundle.probe("sleep", "300").save()
    env.rt.create(cid, bundle.path).check()
    return cid, env.rt.state(cid)["pid"]


@pytest.mark.runc_deviates("Debian's runc 1.1.5 init stage has the runc file itself as its exe")
def test_waiting_init_does_not_run_the_runtime_binary_file(env, bundle):
    # CVE-2019-5736: the init stage must run from a copy the container cannot
    # reach, not from the runtime's own file on disk.
    _, pid = created_init(env, bundle)
    exe = os.stat(f"/proc/{pid}/exe")
    runtime = os.stat(env.info.binary)
    assert (exe.st_dev, exe.st_ino) != (runtime.st_dev, runtime.st_ino)


def test_waiting_init_holds_no_directory_fd(env, bundle):
    # CVE-2024-21626: a leaked directory fd lets the container reach the host tree.
    _, pid = created_init(env, bundle)
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        st = os.stat(f"{fd_dir}/{fd}")
        assert not stat.S_ISDIR(st.st_mode), f"fd {fd} -> {os.readlink(f'{fd_dir}/{fd}')}"


def test_proc_self_exe_inside_is_the_program(env, bundle):
    bundle.args("/bin/sh", "-c", "readlink /proc/self/exe; readlink /proc/1/exe").save()
    out = env.rt.run(env.new_id(), bundle.path).check().out.split()
    assert out == ["/bin/busybox", "/bin/busybox"]


def test_cwd_of_the_process_is_inside_the_rootfs(env, bundle):
    bundle.process["cwd"] = "/"
    report = probe_output(env.rt.run(env.new_id(), bundle.path, "--no-pivot").check().out)
    assert report["cwd"] == "/"
