"""linux.resources.devices as an eBPF cgroup device program (runc's default allow list)."""

import json

import pytest

from cgroup_host import resources, running
from runner import wait_until

pytestmark = pytest.mark.ocirt_only("checks ocirt's eBPF device filter")

# A loop block device node: its open fails with EPERM when the filter denies it, and with
# something else (ENXIO for an unbound loop, or success) when it is allowed.
MAKE_LOOP = "mknod /tmp/loop7 b 7 7 && echo made"
OPEN_LOOP = "head -c 0 /tmp/loop7 2>&1; echo rc=$?"


def with_mknod(bundle):
    caps = bundle.process["capabilities"]
    for kind in ("bounding", "effective", "permitted"):
        caps[kind] = sorted(set(caps.get(kind, [])) | {"CAP_MKNOD"})
    bundle.readonly_root(False)


def test_default_nodes_open_and_a_denied_node_does_not(env, bundle):
    with_mknod(bundle)
    script = f"echo x > /dev/null && echo null-ok; {MAKE_LOOP}; {OPEN_LOOP}"
    bundle.args("/bin/sh", "-c", script).save()
    result = env.rt.run(env.new_id(), bundle.path).check()
    assert "null-ok" in result.out
    assert "made" in result.out, result.out     # mknod of any device is in the default list
    assert "Operation not permitted" in result.out, result.out


def test_an_allow_rule_opens_the_node(env, bundle):
    with_mknod(bundle)
    resources(bundle)["devices"] = [{"allow": False, "access": "rwm"},
                                    {"allow": True, "type": "b", "major": 7, "minor": 7, "access": "r"}]
    bundle.args("/bin/sh", "-c", f"{MAKE_LOOP}; {OPEN_LOOP}").save()
    result = env.rt.run(env.new_id(), bundle.path).check()
    assert "made" in result.out and "Operation not permitted" not in result.out, result.out


def test_update_replaces_the_device_program(env, bundle):
    with_mknod(bundle)
    cid, pid, cgdir = running(env, bundle, "/bin/sh", "-c", f"{MAKE_LOOP}; sleep 100")
    wait_until(lambda: (bundle.rootfs / "tmp/loop7").exists(), what="the node")

    def open_loop():
        return env.rt.exec(cid, "/bin/sh", "-c", OPEN_LOOP).check().out

    assert "Operation not permitted" in open_loop()
    allow = env.tmp / "allow.json"
    allow.write_text(json.dumps({"devices": [{"allow": False, "access": "rwm"},
                                             {"allow": True, "type": "b", "major": 7, "minor": 7,
                                              "access": "r"}]}))
    env.rt.invoke("update", "--resources", allow, cid).check()
    # Had the new program been stacked on the old one, the old deny would still apply.
    assert "Operation not permitted" not in open_loop()
    deny = env.tmp / "deny.json"
    deny.write_text(json.dumps({"devices": [{"allow": False, "access": "rwm"}]}))
    env.rt.invoke("update", "--resources", deny, cid).check()
    assert "Operation not permitted" in open_loop()
