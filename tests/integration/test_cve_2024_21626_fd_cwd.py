"""CVE-2024-21626: a runtime fd reaches the container, and process.cwd = /proc/self/fd/N walks
through it to the host.

runc 1.1.11 held an fd on the host's /sys/fs/cgroup while it set the cwd; a cwd of
/proc/self/fd/7 then put the container's working directory on the host filesystem, outside
its root (getcwd reports "(unreachable)"). A naive runtime that holds any directory fd while it
changes directory fails here: the probe's cwd is empty (unreachable) or names a host directory.
ocirt holds no directory fd then and checks the cwd is reachable from the new root.
"""

import pytest

from runner import probe_output


@pytest.mark.parametrize("fd", range(3, 12))
def test_cwd_through_a_proc_fd_link_stays_inside(env, bundle, fd):
    bundle.process["cwd"] = f"/proc/self/fd/{fd}"
    bundle.probe("report").save()
    r = env.rt.run(env.new_id(), bundle.path)
    if r.rc != 0:
        return  # refused: nothing to escape through
    cwd = probe_output(r.out)["cwd"]
    assert cwd.startswith("/") and not cwd.startswith("/proc/self/fd"), cwd
    assert not (bundle.rootfs / cwd.lstrip("/")).is_symlink()


def test_exec_cwd_through_a_proc_fd_link_stays_inside(env, bundle):
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    env.rt.run(cid, bundle.path, "--detach").check()
    for fd in range(3, 12):
        r = env.rt.exec(cid, "/probe", "report", flags=("--cwd", f"/proc/self/fd/{fd}"))
        if r.rc == 0:
            cwd = probe_output(r.out)["cwd"]
            assert cwd.startswith("/"), (fd, cwd)
