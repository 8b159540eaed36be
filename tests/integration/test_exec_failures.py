"""A program that cannot be started is reported in runc's words; `exec` then exits 255.

Docker chooses its own exit status from the runtime's message, case-sensitively: "executable
file not found" or "no such file or directory" → 127, "permission denied" → 126.
"""

import pytest

NOT_FOUND = 'exec: "nonexistent": executable file not found in $PATH'
NO_SUCH_FILE = 'exec: "/nonexistent": stat /nonexistent: no such file or directory'
NOT_EXECUTABLE = 'exec: "/etc/passwd": permission denied'
A_DIRECTORY = 'exec: "/bin": permission denied'
CASES = [pytest.param("nonexistent", NOT_FOUND, id="not-in-PATH"),
         pytest.param("/nonexistent", NO_SUCH_FILE, id="no-such-file"),
         pytest.param("/etc/passwd", NOT_EXECUTABLE, id="not-executable"),
         pytest.param("/bin", A_DIRECTORY, id="a-directory")]


def stderr_of(r):
    """stderr with runc's JSON-style quoting undone (its log line escapes the quotes)."""
    return r.err.replace('\\"', '"')


def not_elf(bundle):
    path = bundle.rootfs / "notelf"
    path.write_bytes(b"\0garbage")
    path.chmod(0o755)


@pytest.mark.parametrize("command", ["run", "create"])
@pytest.mark.parametrize("program, message", CASES)
def test_create_and_run_fail_in_runcs_words(env, bundle, program, message, command):
    # The lookup happens before `ready`: a create-time error, as in runc.
    bundle.args(program).save()
    cid = env.new_id()
    r = getattr(env.rt, command)(cid, bundle.path)
    assert r.rc != 0
    assert message in stderr_of(r), r.describe()
    env.assert_nothing_left(cid)


def started_container(env, bundle):
    not_elf(bundle)
    bundle.args("/bin/sleep", "300").save()
    cid = env.new_id()
    env.rt.create(cid, bundle.path).check()
    env.rt.start(cid).check()
    return cid


@pytest.mark.parametrize("program, message", CASES)
def test_exec_exits_255_with_runcs_words(env, bundle, program, message):
    cid = started_container(env, bundle)
    r = env.rt.exec(cid, program)
    assert r.rc == 255, r.describe()
    assert message in stderr_of(r), r.describe()


def test_exec_of_a_file_the_kernel_cannot_run(env, bundle):
    # Found and executable, but execve says ENOEXEC: the process did not start.
    cid = started_container(env, bundle)
    r = env.rt.exec(cid, "/notelf")
    assert "exec /notelf: exec format error" in stderr_of(r), r.describe()
    if not env.info.is_runc:  # runc 1.1.5 exits 1 here
        assert r.rc == 255, r.describe()
    assert env.rt.exec(cid, "/bin/true").rc == 0


def test_start_of_a_file_the_kernel_cannot_run(env, bundle):
    not_elf(bundle)
    bundle.args("/notelf").save()
    r = env.rt.run(env.new_id(), bundle.path)
    assert r.rc != 0
    assert "exec /notelf: exec format error" in stderr_of(r), r.describe()


def test_exec_of_a_missing_container_exits_255(env):
    r = env.rt.exec("no-such-container", "/bin/true")
    assert r.rc == 255, r.describe()
