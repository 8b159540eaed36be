"""CVE-2022-29162: runc set the inheritable capabilities to the full bounding set by default,
so a non-root process exec'ing a file with inheritable file capabilities gained them.

ocirt grants exactly the configured inheritable set: empty when the config has none, and
`exec --cap` adds to bounding/effective/permitted only. A naive runtime that copies the
bounding set into inheritable fails every assertion below.
"""

import pytest

CAP_SETS = ["CapBnd", "CapInh", "CapPrm", "CapEff", "CapAmb"]


def caps_of(text):
    fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
    return {k: int(fields[k], 16) for k in CAP_SETS}


def test_no_inheritable_list_means_an_empty_inheritable_set(env, bundle):
    caps = bundle.process.get("capabilities", {})
    caps.pop("inheritable", None)
    caps.pop("ambient", None)
    bundle.process["capabilities"] = caps
    bundle.args("/bin/cat", "/proc/self/status").save()
    got = caps_of(env.rt.run(env.new_id(), bundle.path).check().out)
    assert got["CapInh"] == 0 and got["CapAmb"] == 0
    assert got["CapBnd"] != 0


@pytest.mark.parametrize("user", ["0", "1000"])
def test_exec_cap_does_not_grant_inheritable(env, bundle, user):
    bundle.probe("sleep", "300").save()
    cid = env.new_id()
    env.rt.run(cid, bundle.path, "--detach").check()
    r = env.rt.exec(cid, "/bin/cat", "/proc/self/status",
                    flags=("--cap", "CAP_SYS_ADMIN", "--user", user)).check()
    got = caps_of(r.out)
    assert got["CapInh"] == 0 and got["CapAmb"] == 0
