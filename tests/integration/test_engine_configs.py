"""The config.json files podman 4.3 and Docker 20.10 wrote (engine_configs/), run as the engines
wrote them: tmpcopyup on every podman tmpfs, a device fileMode with its file-type bits, Docker's
blockIO weight 0 and its tmpfs without mode=."""

from engine_configs import engine_bundle
from runner import probe_output


def test_podman_read_only_config_with_tmpfs_and_device(env):
    cid = env.new_id()
    bundle = engine_bundle(env, "podman-4.3-readonly-device-config.json", cid,
                           "/probe", "stat", "/dev/mynull", "/var/tmp/keep", "/tmp", "/scratch", "/run")
    (bundle.rootfs / "var/tmp").mkdir(parents=True, exist_ok=True)
    (bundle.rootfs / "var/tmp/keep").write_text("image content\n")
    result = env.rt.run(cid, bundle.path)
    assert result.rc == 0, result.describe()
    st = probe_output(result.out)
    # --device /dev/null:/dev/mynull: fileMode 8630 is S_IFCHR | 0666.
    assert st["/dev/mynull"]["type"] == "chr"
    assert (st["/dev/mynull"]["major"], st["/dev/mynull"]["minor"]) == (1, 3)
    assert st["/dev/mynull"]["mode"] == 0o666
    # tmpcopyup: the image's /var/tmp content is in the tmpfs podman asked for.
    assert st["/var/tmp/keep"]["type"] == "reg"
    assert st["/tmp"]["mode"] == 0o1777  # the image's /tmp mode (no mode= in podman's options)
    assert st["/scratch"]["type"] == "dir"


def test_docker_config_with_blkio_weight_zero_and_a_tmpfs_without_mode(env):
    cid = env.new_id()
    bundle = engine_bundle(env, "docker-20.10-config.json", cid, "/probe", "stat", "/scratch", "/dev/mynull")
    (bundle.rootfs / "scratch").mkdir()
    (bundle.rootfs / "scratch").chmod(0o750)
    result = env.rt.run(cid, bundle.path)
    assert result.rc == 0, result.describe()
    st = probe_output(result.out)
    assert st["/dev/mynull"]["type"] == "chr" and st["/dev/mynull"]["mode"] == 0o666
    # --tmpfs /scratch: no mode= in Docker's options, so the image directory's mode.
    assert st["/scratch"]["type"] == "dir" and st["/scratch"]["mode"] == 0o750
