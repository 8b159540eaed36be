"""Values engines send for "unset" (dockerd's blockIO weight 0 and empty memory, docker update's
cpu zeros, podman's pids limit 0) ask for no controller: on a hierarchy without io, cpu, memory
or pids (the host lane offers only hugetlb) such a config runs, as with runc."""

import json

from cgroup_host import cgroup_path_of, running
from engine_configs import engine_config

ZEROS = {
    "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0},
    "memory": {"limit": 0, "reservation": 0, "swap": 0},
    "blockIO": {"weight": 0},
    "pids": {"limit": 0},
}


def test_docker_resources_run(env, bundle):
    # The resources exactly as dockerd 20.10 writes them for `docker run` without limits.
    resources = engine_config("docker-20.10-config.json")["linux"]["resources"]
    assert resources["blockIO"] == {"weight": 0}
    bundle.linux["resources"] = resources
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    assert cgroup_path_of(pid).endswith(cid)


def test_zero_values_at_create_and_in_update(env, bundle):
    bundle.linux["resources"] = dict(ZEROS)
    cid, pid, cgdir = running(env, bundle, "/probe", "sleep", "60")
    doc = env.tmp / "zeros.json"
    doc.write_text(json.dumps(ZEROS))
    with open(doc) as f:
        env.rt.invoke("update", "-r", "-", cid, stdin=f).check()
    if (cgdir / "pids.max").exists():
        assert (cgdir / "pids.max").read_text().strip() == "max"
