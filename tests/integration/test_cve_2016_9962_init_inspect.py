"""CVE-2016-9962: the runtime's init stage was dumpable while it held host fds, so a process
in the container (root in it, without CAP_SYS_PTRACE) could ptrace it or open its fds through
/proc/<pid>/fd before it exec'd the program.

ocirt clears the dumpable flag first thing in the init stage (and holds no host directory fd).
Here the init stage waits for `start` as PID 1 of the container; an exec'd root shell without
CAP_SYS_PTRACE must not follow any /proc/1/fd/N link (listing the names is plain DAC and
tells nothing), read /proc/1/environ or its cwd. Against a naive runtime whose init stage is
dumpable, all succeed (same uid, no ptrace restriction).
"""


import pytest


@pytest.mark.runc_deviates("runc 1.1.5's waiting init lets a same-uid process follow its fd links")
def test_waiting_init_stage_is_not_inspectable(env, bundle):
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()  # init stage now waits in the container
    script = ("n=0; for f in /proc/1/fd/*; do readlink $f > /dev/null 2>&1 && n=$((n+1)); done; "
              "[ $n = 0 ] && echo fd-denied || echo fd-open; "
              "cat /proc/1/environ > /dev/null 2>&1 && echo env-open || echo env-denied; "
              "readlink /proc/1/cwd > /dev/null 2>&1 && echo cwd-open || echo cwd-denied")
    r = env.rt.exec(cid, "/bin/sh", "-c", script).check()
    assert r.out.split() == ["fd-denied", "env-denied", "cwd-denied"], r.out
