"""`features`: the document runtime-spec describes, and every item it lists is accepted by
create (a runtime that claims what it refuses misleads its callers)."""

import json

import pytest

pytestmark = pytest.mark.ocirt_only("checks ocirt's own features document against ocirt")

NEEDS_NODES = {"MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_PREFERRED_MANY",
               "MPOL_WEIGHTED_INTERLEAVE"}


@pytest.fixture
def features(env):
    return json.loads(env.rt.invoke("features").check().out)


def accepted(env, bundle):
    """None if `run` of /bin/true succeeds with the bundle's config, else its error."""
    bundle.args("/bin/true").save()
    result = env.rt.run(env.new_id(), bundle.path)
    return None if result.rc == 0 else result.err.strip()


def test_document_shape(env, features):
    assert features["ociVersionMin"] == "1.0.0"
    assert features["ociVersionMax"] == "1.3.0"
    assert features["hooks"] == ["prestart", "createRuntime", "createContainer", "startContainer",
                                 "poststart", "poststop"]
    linux = features["linux"]
    assert set(linux["namespaces"]) == {"user", "pid", "network", "ipc", "uts", "mount", "cgroup", "time"}
    assert "CAP_SYS_ADMIN" in linux["capabilities"]
    assert linux["mountExtensions"]["idmap"]["enabled"] is True
    assert linux["netDevices"]["enabled"] is True
    assert "tmpcopyup" in features["mountOptions"]


def test_every_mount_option_is_accepted(env, features):
    src = env.host_dir("optsrc")
    refused = {}
    for opt in features["mountOptions"]:
        bundle = env.bundle()
        m = {"destination": "/mnt/o", "type": "bind", "source": str(src), "options": ["rbind", opt]}
        if opt == "tmpcopyup":  # an option of tmpfs mounts
            m = {"destination": "/mnt/o", "type": "tmpfs", "source": "tmpfs", "options": [opt]}
        if opt in ("idmap", "ridmap"):
            m["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 1}]
            m["gidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 1}]
        bundle.config["mounts"].append(m)
        err = accepted(env, bundle)
        if err:
            refused[opt] = err
    assert not refused, refused


def test_every_namespace_is_accepted(env, features):
    bundle = env.bundle()
    bundle.linux["namespaces"] = [{"type": t} for t in features["linux"]["namespaces"]]
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "cgroup"]
    assert accepted(env, bundle) is None


def held_capability_bits():
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["CapBnd"], 16)


def test_every_capability_is_accepted(env, features):
    caps = features["linux"]["capabilities"]
    # The list is in kernel order (CAP_CHOWN is 0): every name is known to the validator...
    bundle = env.bundle()
    bundle.process["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
    bundle.save()
    report = json.loads(env.rt.invoke("validate", "--bundle", bundle.path, "--format", "json").out)
    assert [p for p in report if "capabilit" in p["message"]] == []
    # ...and every one this test process holds is granted by create (a runtime cannot grant
    # what it lacks: this host withholds CAP_SYS_RESOURCE, for one).
    held = [c for i, c in enumerate(caps) if held_capability_bits() >> i & 1]
    bundle.process["capabilities"] = {k: held for k in ("bounding", "effective", "permitted")}
    assert accepted(env, bundle) is None


def test_every_memory_policy_mode_and_flag_is_accepted(env, features):
    refused = {}
    policy = features["linux"]["memoryPolicy"]
    for mode in policy["modes"]:
        bundle = env.bundle()
        bundle.linux["memoryPolicy"] = {"mode": mode, **({"nodes": "0"} if mode in NEEDS_NODES else {})}
        err = accepted(env, bundle)
        if err:
            refused[mode] = err
    for flag in policy["flags"]:
        bundle = env.bundle()
        bundle.linux["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0", "flags": [flag]}
        err = accepted(env, bundle)
        if err:
            refused[flag] = err
    assert not refused, refused


def test_intel_rdt_claim_matches_the_host_check(env, features):
    # Claimed as supported: on a host without resctrl the refusal must name the host, not ocirt.
    assert features["linux"]["intelRdt"]["enabled"] is True
    bundle = env.bundle()
    bundle.linux["intelRdt"] = {"closID": "x", "schemata": ["L3:0=1"]}
    err = accepted(env, bundle)
    assert err is None or "resctrl" in err



def seccomp_bundle(env, archs, flags, rule):
    bundle = env.bundle()
    bundle.linux["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": archs, "flags": flags,
                               "syscalls": [rule]}
    return bundle


def test_every_seccomp_name_is_accepted(env, features):
    # One rule per action and operator on a call /bin/true never makes (acct), and every flag
    # the kernel supports; NOTIFY needs a listener (test_seccomp.py runs it with one).
    seccomp = features["linux"]["seccomp"]
    assert seccomp["enabled"] is True
    assert set(seccomp["supportedFlags"]) <= set(seccomp["knownFlags"])
    flags = [f for f in seccomp["supportedFlags"] if f != "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]
    rules = [{"names": ["acct"], "action": a} for a in seccomp["actions"] if a != "SCMP_ACT_NOTIFY"]
    rules += [{"names": ["acct"], "action": "SCMP_ACT_ERRNO",
               "args": [{"index": 0, "value": 1, "valueTwo": 1, "op": op}]} for op in seccomp["operators"]]
    for n, rule in enumerate(rules):
        bundle = seccomp_bundle(env, ["SCMP_ARCH_X86_64"], flags if n == 0 else [], rule)
        assert accepted(env, bundle) is None, rule


def test_every_seccomp_arch_is_accepted_or_refused_clearly(env, features):
    # libseccomp takes any listed architecture of the host's byte order; the others are a
    # clear error naming the field, never a crash or a silently dropped architecture.
    rule = {"names": ["acct"], "action": "SCMP_ACT_ERRNO"}
    taken = []
    for arch in features["linux"]["seccomp"]["archs"]:
        error = accepted(env, seccomp_bundle(env, [arch], [], rule))
        if error is None:
            taken.append(arch)
        else:
            assert "/linux/seccomp/architectures/0" in error and "byte order" in error, error
    assert {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"} <= set(taken)
