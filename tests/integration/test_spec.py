"""spec: a default config that the same runtime can run as is."""

import json

import pytest

from host import host_namespaces
from runner import probe_output


def test_spec_writes_config_json_into_the_bundle(env):
    bundle_dir = env.host_dir("fresh")
    env.rt.invoke("spec", "--bundle", bundle_dir).check()
    config = json.loads((bundle_dir / "config.json").read_text())
    assert config["ociVersion"]
    assert config["root"]["path"] == "rootfs"
    assert config["process"]["args"]


def test_spec_refuses_to_overwrite(env):
    bundle_dir = env.host_dir("fresh")
    env.rt.invoke("spec", "--bundle", bundle_dir).check()
    assert env.rt.invoke("spec", "--bundle", bundle_dir).rc != 0


def test_default_spec_runs_unchanged_but_for_args(env, bundle):
    # The bundle fixture's config is the runtime's `spec` with args and terminal set.
    report = probe_output(env.rt.run(env.new_id(), bundle.path).check().out)
    assert report["pid"] == 1


@pytest.mark.ocirt_only("ocirt spec holds only fields ocirt applies, so every one must be honoured")
def test_ocirt_spec_namespaces_are_all_new(env, bundle):
    report = probe_output(env.rt.run(env.new_id(), bundle.path).check().out)
    names = {"pid": "pid", "network": "net", "mount": "mnt", "ipc": "ipc", "uts": "uts",
             "user": "user", "cgroup": "cgroup", "time": "time"}
    for ns_type in bundle.namespace_types():
        name = names[ns_type]
        assert report["namespaces"][name] != host_namespaces()[name], ns_type
