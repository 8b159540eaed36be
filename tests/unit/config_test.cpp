// config.json parser, serialiser and reader. Runs with the working directory set to
// tests/unit (meson's workdir), so fixtures are "fixtures/…" and the engines' configs
// "../integration/engine_configs/…".

#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <string>

#include <nlohmann/json.hpp>

#include "ocirt/spec/config.hpp"
#include "ocirt/util/error.hpp"

using nlohmann::json;
using namespace ocirt::spec;

namespace {

const char* const kPodman = "../integration/engine_configs/podman-4.3-config.json";

json fixture(const std::string& name) { return read_config_json("fixtures/" + name); }

/// The message of the ocirt::Error thrown by fn; fails the test if nothing (or something else) is thrown.
std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const ocirt::Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        FAIL("not an ocirt::Error: " << e.what());
    } catch (...) {
        FAIL("unknown exception");
    }
    FAIL("no error thrown");
    return {};
}

std::string parse_error(const json& j) {
    return error_of([&] { (void)config_from_json(j); });
}

/// A private temporary directory, removed with everything in it.
struct TempDir {
    std::string path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "ocirt-config-test-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string write(const std::string& name, const std::string& content) const {
        const std::string p = path + "/" + name;
        std::ofstream f(p, std::ios::binary);
        f << content;
        f.close();
        REQUIRE(f.good());
        return p;
    }
};

}  // namespace

TEST_CASE("minimal config: only ociVersion") {
    const json j = fixture("minimal.json");
    const Config c = config_from_json(j);
    CHECK(c.oci_version == "1.3.0");
    CHECK_FALSE(c.root);
    CHECK(c.mounts.empty());
    CHECK_FALSE(c.process);
    CHECK_FALSE(c.hostname);
    CHECK_FALSE(c.domainname);
    CHECK(c.hooks.prestart.empty());
    CHECK(c.hooks.poststop.empty());
    CHECK(c.annotations.empty());
    CHECK_FALSE(c.linux_);
    CHECK(config_to_json(c) == j);
}

TEST_CASE("full config: every section parses into the model") {
    const Config c = config_from_json(fixture("full.json"));
    REQUIRE(c.root);
    CHECK(c.root->path == "rootfs");
    CHECK(c.root->readonly);

    REQUIRE(c.mounts.size() == 2);
    CHECK(c.mounts[0].destination == "/proc");
    CHECK(c.mounts[0].options.empty());
    CHECK(c.mounts[1].source == "/srv/data");
    CHECK(c.mounts[1].options == std::vector<std::string>{"rbind", "ro", "idmap"});
    REQUIRE(c.mounts[1].uid_mappings.size() == 1);
    CHECK(c.mounts[1].uid_mappings[0].host_id == 100000);
    CHECK(c.mounts[1].gid_mappings[0].size == 65536);

    REQUIRE(c.process);
    const Process& p = *c.process;
    CHECK(p.terminal);
    REQUIRE(p.console_size);
    CHECK(p.console_size->height == 25);
    CHECK(p.console_size->width == 80);
    CHECK(p.user.uid == 1000);
    CHECK(p.user.gid == 1001);
    CHECK(p.user.umask == 18u);
    CHECK(p.user.additional_gids == std::vector<uint32_t>{5, 6, 4294967295u});
    CHECK(p.user.username == "someone");
    CHECK(p.args == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
    CHECK(p.command_line == "sh -c \"echo hi\"");
    CHECK(p.env.size() == 2);
    CHECK(p.cwd == "/home/someone");
    REQUIRE(p.capabilities);
    CHECK(p.capabilities->bounding == std::vector<std::string>{"CAP_AUDIT_WRITE", "CAP_KILL"});
    REQUIRE(p.capabilities->inheritable);
    CHECK(p.capabilities->inheritable->empty());
    CHECK(p.capabilities->ambient == std::vector<std::string>{"CAP_KILL"});
    REQUIRE(p.rlimits.size() == 2);
    CHECK(p.rlimits[1].type == "RLIMIT_CORE");
    CHECK(p.rlimits[1].soft == 0);
    CHECK(p.rlimits[1].hard == UINT64_MAX);
    CHECK(p.no_new_privileges);
    CHECK(p.apparmor_profile == "acme_secure_profile");
    CHECK(p.oom_score_adj == -500);
    REQUIRE(p.scheduler);
    CHECK(p.scheduler->policy == "SCHED_DEADLINE");
    CHECK(p.scheduler->nice == -20);
    CHECK(p.scheduler->priority == 0);
    CHECK(p.scheduler->flags == std::vector<std::string>{"SCHED_FLAG_RESET_ON_FORK"});
    CHECK(p.scheduler->runtime == 10000000u);
    CHECK(p.scheduler->deadline == 20000000u);
    CHECK(p.scheduler->period == 30000000u);
    CHECK(p.selinux_label == "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
    REQUIRE(p.io_priority);
    CHECK(p.io_priority->io_class == "IOPRIO_CLASS_BE");
    CHECK(p.io_priority->priority == 4);
    REQUIRE(p.exec_cpu_affinity);
    CHECK(p.exec_cpu_affinity->initial == "7");
    CHECK(p.exec_cpu_affinity->final_ == "0-3,7");

    CHECK(c.hostname == "slartibartfast");
    CHECK(c.domainname == "example.org");

    REQUIRE(c.hooks.prestart.size() == 1);
    CHECK(c.hooks.prestart[0].args == std::vector<std::string>{"fix-mounts", "arg1"});
    CHECK(c.hooks.prestart[0].env == std::vector<std::string>{"key1=value1"});
    CHECK_FALSE(c.hooks.prestart[0].timeout);
    REQUIRE(c.hooks.create_runtime.size() == 1);
    CHECK(c.hooks.create_runtime[0].timeout == 5);
    REQUIRE(c.hooks.create_container.size() == 1);
    CHECK(c.hooks.create_container[0].timeout == 7);
    REQUIRE(c.hooks.start_container.size() == 1);
    CHECK(c.hooks.start_container[0].path == "/usr/bin/refresh-ldcache");
    REQUIRE(c.hooks.poststart.size() == 1);
    REQUIRE(c.hooks.poststop.size() == 2);
    CHECK(c.hooks.poststop[1].path == "/bin/true");

    CHECK(c.annotations.at("org.example/with~slash") == "value2");

    REQUIRE(c.linux_);
    const Linux& l = *c.linux_;
    REQUIRE(l.namespaces.size() == 8);
    CHECK(l.namespaces[0].type == NamespaceType::user);
    CHECK(l.namespaces[1].type == NamespaceType::pid);
    CHECK(l.namespaces[1].path == "/proc/1234/ns/pid");
    CHECK(l.namespaces[2].type == NamespaceType::network);
    CHECK(l.namespaces[7].type == NamespaceType::time);
    CHECK_FALSE(l.namespaces[7].path);
    CHECK(l.uid_mappings.size() == 1);
    REQUIRE(l.gid_mappings.size() == 2);
    CHECK(l.gid_mappings[1].container_id == 32000);
    CHECK(l.time_offsets.at("boottime").secs == -86400);
    CHECK(l.time_offsets.at("boottime").nanosecs == 500);
    REQUIRE(l.devices.size() == 3);
    CHECK(l.devices[0].file_mode == 438u);
    CHECK(l.devices[1].major == 8);
    CHECK_FALSE(l.devices[1].uid);
    CHECK(l.devices[2].type == "p");
    CHECK_FALSE(l.devices[2].major);
    CHECK(l.net_devices.at("eth1").name == "ctr_eth1");
    CHECK_FALSE(l.net_devices.at("ens4").name);
    CHECK(l.cgroups_path == "/myRuntime/myContainer");

    REQUIRE(l.resources);
    const Resources& r = *l.resources;
    REQUIRE(r.devices.size() == 3);
    CHECK_FALSE(r.devices[0].allow);
    CHECK_FALSE(r.devices[0].type);
    CHECK(r.devices[0].access == "rwm");
    CHECK(r.devices[2].major == -1);
    REQUIRE(r.memory);
    CHECK(r.memory->limit == 536870912);
    CHECK(r.memory->swap == -1);
    CHECK(r.memory->swappiness == 0u);
    CHECK(r.memory->disable_oom_killer == false);
    CHECK(r.memory->use_hierarchy == true);
    CHECK(r.memory->check_before_update == true);
    REQUIRE(r.cpu);
    CHECK(r.cpu->shares == 1024u);
    CHECK(r.cpu->burst == 500000u);
    CHECK(r.cpu->realtime_runtime == 950000);
    CHECK(r.cpu->cpus == "2-3");
    CHECK(r.cpu->idle == 1);
    REQUIRE(r.block_io);
    CHECK(r.block_io->weight == 10);
    REQUIRE(r.block_io->weight_device.size() == 2);
    CHECK(r.block_io->weight_device[0].leaf_weight == 300);
    CHECK_FALSE(r.block_io->weight_device[1].leaf_weight);
    CHECK(r.block_io->throttle_read_bps_device.at(0).rate == 600);
    CHECK(r.block_io->throttle_write_bps_device.at(0).rate == 700);
    CHECK(r.block_io->throttle_read_iops_device.at(0).rate == 200);
    CHECK(r.block_io->throttle_write_iops_device.at(0).minor == 16);
    REQUIRE(r.hugepage_limits.size() == 2);
    CHECK(r.hugepage_limits[1].page_size == "64KB");
    REQUIRE(r.network);
    CHECK(r.network->class_id == 1048577u);
    CHECK(r.network->priorities.at(1).priority == 1000);
    CHECK(r.has_pids);
    CHECK(r.pids_limit == 32771);
    CHECK(r.rdma.at("mlx5_1").hca_handles == 3u);
    CHECK_FALSE(r.rdma.at("mlx4_0").hca_handles);
    CHECK(r.unified.at("hugetlb.1GB.max") == "1073741824");

    REQUIRE(l.intel_rdt);
    CHECK(l.intel_rdt->clos_id == "guaranteed_group");
    CHECK(l.intel_rdt->schemata.size() == 2);
    CHECK(l.intel_rdt->enable_monitoring == true);
    CHECK(l.sysctl.at("net.core.somaxconn") == "256");

    REQUIRE(l.seccomp);
    CHECK(l.seccomp->default_action == "SCMP_ACT_ERRNO");
    CHECK(l.seccomp->default_errno_ret == 38u);
    CHECK(l.seccomp->flags == std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
    CHECK(l.seccomp->listener_path == "/run/seccomp-agent.sock");
    CHECK(l.seccomp->listener_metadata == "MKNOD=/dev/null");
    REQUIRE(l.seccomp->syscalls.size() == 3);
    const SeccompSyscall& sc = l.seccomp->syscalls[2];
    CHECK(sc.errno_ret == 1u);
    REQUIRE(sc.args.size() == 2);
    CHECK(sc.args[0].op == "SCMP_CMP_NE");
    CHECK_FALSE(sc.args[0].value_two);
    CHECK(sc.args[1].index == 5);
    CHECK(sc.args[1].value == UINT64_MAX);
    CHECK(sc.args[1].value_two == 255u);

    CHECK(l.rootfs_propagation == "slave");
    CHECK(l.masked_paths.size() == 2);
    CHECK(l.readonly_paths.size() == 2);
    CHECK(l.mount_label == "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
    REQUIRE(l.personality);
    CHECK(l.personality->domain == "LINUX32");
    REQUIRE(l.memory_policy);
    CHECK(l.memory_policy->mode == "MPOL_INTERLEAVE");
    CHECK(l.memory_policy->nodes == "0-3");
    CHECK(l.memory_policy->flags == std::vector<std::string>{"MPOL_F_STATIC_NODES"});
}

TEST_CASE("full config round-trips to the same JSON") {
    // full.json is written in canonical form (no nulls, no false flags, no empty lists), so
    // any field the serialiser dropped or renamed shows up as a difference.
    const json j = fixture("full.json");
    const json out = config_to_json(config_from_json(j));
    CHECK(json::diff(j, out) == json::array());
    CHECK(out == j);
    CHECK(config_to_json(config_from_json(out)) == out);
}

TEST_CASE("podman 4.3 config parses") {
    REQUIRE(std::filesystem::exists(kPodman));  // in the repo: fail, never skip
    const json j = read_config_json(kPodman);
    const Config c = config_from_json(j);

    CHECK(c.oci_version == "1.0.2-dev");
    REQUIRE(c.root);
    CHECK(c.root->path == "/tmp/bb/rootfs");
    CHECK_FALSE(c.root->readonly);
    CHECK(c.hostname == "01f642d0a74a");

    REQUIRE(c.process);
    CHECK(c.process->args == std::vector<std::string>{"/bin/true"});
    CHECK(c.process->cwd == "/");
    CHECK(c.process->user.uid == 0);
    CHECK(c.process->user.umask == 18u);
    CHECK(c.process->env.size() == 3);
    CHECK(c.process->env[2] == "HOSTNAME=01f642d0a74a");
    CHECK_FALSE(c.process->terminal);
    REQUIRE(c.process->capabilities);
    const Capabilities& caps = *c.process->capabilities;
    REQUIRE(caps.bounding);
    CHECK(caps.bounding->size() == 14);
    CHECK(caps.bounding->front() == "CAP_AUDIT_WRITE");
    CHECK(caps.bounding->back() == "CAP_SYS_CHROOT");
    CHECK(caps.effective == caps.bounding);
    CHECK(caps.permitted == caps.bounding);
    CHECK_FALSE(caps.inheritable);
    CHECK_FALSE(caps.ambient);
    REQUIRE(c.process->rlimits.size() == 2);
    CHECK(c.process->rlimits[0].type == "RLIMIT_NOFILE");
    CHECK(c.process->rlimits[0].soft == 20000);
    CHECK(c.process->rlimits[1].type == "RLIMIT_NPROC");
    CHECK(c.process->rlimits[1].hard == 96365);

    REQUIRE(c.mounts.size() == 10);
    CHECK(c.mounts[0].destination == "/proc");
    CHECK(c.mounts[1].options == std::vector<std::string>{"nosuid", "noexec", "strictatime", "mode=755", "size=65536k"});
    CHECK(c.mounts[5].destination == "/dev/shm");
    CHECK(c.mounts[5].type == "bind");
    CHECK(c.mounts[9].destination == "/sys/fs/cgroup");
    CHECK(c.mounts[9].options.back() == "ro");

    CHECK(c.annotations.size() == 8);
    CHECK(c.annotations.at("io.container.manager") == "libpod");
    CHECK(c.hooks.prestart.empty());
    CHECK(c.hooks.poststop.empty());

    REQUIRE(c.linux_);
    const Linux& l = *c.linux_;
    REQUIRE(l.namespaces.size() == 5);
    const NamespaceType want[] = {NamespaceType::pid, NamespaceType::network, NamespaceType::ipc,
                                  NamespaceType::uts, NamespaceType::mount};
    for (size_t i = 0; i < 5; ++i) {
        CHECK(l.namespaces[i].type == want[i]);
        CHECK_FALSE(l.namespaces[i].path);
    }
    CHECK(l.cgroups_path ==
          "/libpod_parent/libpod-01f642d0a74acb692a8124564b0fd9ab942e476cc55032bee163eafc083fdc42");
    REQUIRE(l.resources);
    REQUIRE(l.resources->devices.size() == 1);
    CHECK_FALSE(l.resources->devices[0].allow);
    CHECK(l.resources->devices[0].access == "rwm");
    CHECK_FALSE(l.resources->has_pids);
    CHECK(l.masked_paths.size() == 11);
    CHECK(l.readonly_paths.size() == 6);

    REQUIRE(l.seccomp);
    const Seccomp& s = *l.seccomp;
    CHECK(s.default_action == "SCMP_ACT_ERRNO");
    CHECK(s.default_errno_ret == 38u);
    CHECK(s.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
    REQUIRE(s.syscalls.size() == 19);
    const size_t names = std::accumulate(s.syscalls.begin(), s.syscalls.end(), size_t{0},
                                         [](size_t n, const SeccompSyscall& r) { return n + r.names.size(); });
    CHECK(names == 434);
    CHECK(s.syscalls[0].names.size() == 28);
    CHECK(s.syscalls[0].errno_ret == 1u);
    CHECK(s.syscalls[1].names.size() == 374);
    CHECK(s.syscalls[1].action == "SCMP_ACT_ALLOW");
    CHECK_FALSE(s.syscalls[1].errno_ret);
    // The five personality() rules differ only in their argument.
    const uint64_t personas[] = {0, 8, 131072, 131080, 4294967295u};
    for (size_t i = 0; i < 5; ++i) {
        const SeccompSyscall& rule = s.syscalls[2 + i];
        CHECK(rule.names == std::vector<std::string>{"personality"});
        REQUIRE(rule.args.size() == 1);
        CHECK(rule.args[0].index == 0);
        CHECK(rule.args[0].value == personas[i]);
        CHECK(rule.args[0].op == "SCMP_CMP_EQ");
    }
    CHECK(s.syscalls[18].names == std::vector<std::string>{"socket"});

    // Every key in podman's file is known to the model, so it survives a round trip intact.
    CHECK(json::diff(j, config_to_json(c)) == json::array());
}

TEST_CASE("invalid fixtures name the JSON pointer at fault") {
    CHECK(parse_error(fixture("invalid-uid-type.json")) ==
          "/process/user/uid: expected an unsigned 32-bit integer, got string");
    CHECK(parse_error(fixture("invalid-namespace-type.json")) ==
          "/linux/namespaces/2/type: unknown namespace type \"foo\"");
    CHECK(parse_error(fixture("invalid-mount-destination.json")) == "/mounts/1/destination: required field missing");
    CHECK(parse_error(fixture("invalid-seccomp-arg.json")) ==
          "/linux/seccomp/syscalls/0/args/1/op: required field missing");
    CHECK(parse_error(fixture("invalid-uid-range.json")) ==
          "/linux/uidMappings/0/hostID: expected an unsigned 32-bit integer, got 4294967296 (out of range)");
    CHECK(parse_error(fixture("invalid-annotation-value.json")) ==
          "/annotations/org.example~1a~0b: expected a string, got 5");
}

TEST_CASE("required fields: removing one names it") {
    const json full = fixture("full.json");
    const char* const required[] = {
        "/ociVersion",
        "/root/path",
        "/mounts/1/destination",
        "/mounts/1/uidMappings/0/containerID",
        "/mounts/1/gidMappings/0/hostID",
        "/process/cwd",
        "/process/consoleSize/height",
        "/process/consoleSize/width",
        "/process/user/uid",
        "/process/user/gid",
        "/process/rlimits/0/type",
        "/process/rlimits/1/soft",
        "/process/rlimits/1/hard",
        "/process/scheduler/policy",
        "/process/ioPriority/class",
        "/hooks/prestart/0/path",
        "/hooks/poststop/1/path",
        "/linux/namespaces/3/type",
        "/linux/uidMappings/0/size",
        "/linux/gidMappings/1/containerID",
        "/linux/devices/0/type",
        "/linux/devices/2/path",
        "/linux/resources/devices/1/allow",
        "/linux/resources/blockIO/weightDevice/0/major",
        "/linux/resources/blockIO/throttleReadBpsDevice/0/minor",
        "/linux/resources/blockIO/throttleWriteIOPSDevice/0/rate",
        "/linux/resources/hugepageLimits/1/pageSize",
        "/linux/resources/hugepageLimits/0/limit",
        "/linux/resources/network/priorities/0/name",
        "/linux/resources/network/priorities/1/priority",
        "/linux/seccomp/defaultAction",
        "/linux/seccomp/syscalls/0/names",
        "/linux/seccomp/syscalls/1/action",
        "/linux/seccomp/syscalls/2/args/0/index",
        "/linux/seccomp/syscalls/2/args/1/value",
        "/linux/seccomp/syscalls/2/args/1/op",
        "/linux/personality/domain",
        "/linux/memoryPolicy/mode",
    };
    for (const char* ptr : required) {
        INFO(ptr);
        const json::json_pointer jp(ptr);
        json j = full;
        j.at(jp.parent_pointer()).erase(jp.back());
        CHECK(parse_error(j) == std::string(ptr) + ": required field missing");
        // null counts as absent
        j = full;
        j[jp] = nullptr;
        CHECK(parse_error(j) == std::string(ptr) + ": required field missing");
    }
}

TEST_CASE("wrong types and ranges name the JSON pointer") {
    const json full = fixture("full.json");
    struct Case {
        const char* ptr;
        const char* value;  // JSON text
        const char* message;
    };
    const Case cases[] = {
        {"/ociVersion", R"(1)",
         "/ociVersion: expected a string, got 1"},
        {"/root", R"("rootfs")",
         "/root: expected an object, got string"},
        {"/root/readonly", R"("yes")",
         "/root/readonly: expected a boolean, got string"},
        {"/mounts", R"({})",
         "/mounts: expected an array, got object"},
        {"/mounts/0", R"([])",
         "/mounts/0: expected an object, got array"},
        {"/mounts/1/options/2", R"(7)",
         "/mounts/1/options/2: expected a string, got 7"},
        {"/mounts/1/options", R"("ro")",
         "/mounts/1/options: expected an array of strings, got string"},
        {"/process/user/uid", R"(-1)",
         "/process/user/uid: expected an unsigned 32-bit integer, got -1 (out of range)"},
        {"/process/user/uid", R"(1.5)",
         "/process/user/uid: expected an unsigned 32-bit integer, got 1.5"},
        {"/process/user/uid", R"(1e3)",
         "/process/user/uid: expected an unsigned 32-bit integer, got 1000.0"},
        {"/process/user/gid", R"(true)",
         "/process/user/gid: expected an unsigned 32-bit integer, got boolean"},
        {"/process/user/additionalGids/1", R"("6")",
         "/process/user/additionalGids/1: expected an unsigned 32-bit integer, got string"},
        {"/process/user/additionalGids", R"(5)",
         "/process/user/additionalGids: expected an array of integers, got 5"},
        {"/process/oomScoreAdj", R"(2147483648)",
         "/process/oomScoreAdj: expected a signed 32-bit integer, got 2147483648 (out of range)"},
        {"/process/oomScoreAdj", R"(-2147483649)",
         "/process/oomScoreAdj: expected a signed 32-bit integer, got -2147483649 (out of range)"},
        {"/process/rlimits/0/hard", R"(-5)",
         "/process/rlimits/0/hard: expected an unsigned 64-bit integer, got -5 (out of range)"},
        {"/process/terminal", R"(1)",
         "/process/terminal: expected a boolean, got 1"},
        {"/process/capabilities", R"(["CAP_KILL"])",
         "/process/capabilities: expected an object, got array"},
        {"/process/capabilities/ambient/0", R"(null)",
         "/process/capabilities/ambient/0: expected a string, got null"},
        {"/hooks/poststart/0/timeout", R"("5")",
         "/hooks/poststart/0/timeout: expected a signed 32-bit integer, got string"},
        {"/annotations/com.example.key1", R"(1)",
         "/annotations/com.example.key1: expected a string, got 1"},
        {"/annotations", R"([])",
         "/annotations: expected an object of strings, got array"},
        {"/linux/namespaces/0/type", R"("users")",
         "/linux/namespaces/0/type: unknown namespace type \"users\""},
        {"/linux/timeOffsets/boottime/nanosecs", R"(-1)",
         "/linux/timeOffsets/boottime/nanosecs: expected an unsigned 32-bit integer, got -1 (out of range)"},
        {"/linux/timeOffsets/monotonic", R"(5)",
         "/linux/timeOffsets/monotonic: expected an object, got 5"},
        {"/linux/devices/0/fileMode", R"("0666")",
         "/linux/devices/0/fileMode: expected an unsigned 32-bit integer, got string"},
        {"/linux/netDevices/eth1/name", R"(false)",
         "/linux/netDevices/eth1/name: expected a string, got boolean"},
        {"/linux/resources/blockIO/weight", R"(65536)",
         "/linux/resources/blockIO/weight: expected an unsigned 16-bit integer, got 65536 (out of range)"},
        {"/linux/resources/blockIO/weightDevice/1/weight", R"(-1)",
         "/linux/resources/blockIO/weightDevice/1/weight: expected an unsigned 16-bit integer, got -1 (out of range)"},
        {"/linux/resources/memory/limit", R"(9223372036854775808)",
         "/linux/resources/memory/limit: expected a signed 64-bit integer, got 9223372036854775808 (out of range)"},
        {"/linux/resources/memory/disableOOMKiller", R"("false")",
         "/linux/resources/memory/disableOOMKiller: expected a boolean, got string"},
        {"/linux/resources/pids/limit", R"("max")",
         "/linux/resources/pids/limit: expected a signed 64-bit integer, got string"},
        {"/linux/resources/pids", R"(5)",
         "/linux/resources/pids: expected an object, got 5"},
        {"/linux/resources/rdma/mlx5_1/hcaObjects", R"(4294967296)",
         "/linux/resources/rdma/mlx5_1/hcaObjects: expected an unsigned 32-bit integer, got 4294967296 (out of range)"},
        {"/linux/resources/unified/io.max", R"(1)",
         "/linux/resources/unified/io.max: expected a string, got 1"},
        {"/linux/sysctl/net.ipv4.ip_forward", R"(1)",
         "/linux/sysctl/net.ipv4.ip_forward: expected a string, got 1"},
        {"/linux/intelRdt/schemata", R"("L3:0=f")",
         "/linux/intelRdt/schemata: expected an array of strings, got string"},
        {"/linux/seccomp/syscalls/2/args/1/index", R"("5")",
         "/linux/seccomp/syscalls/2/args/1/index: expected an unsigned 32-bit integer, got string"},
        {"/linux/seccomp/syscalls/2/errnoRet", R"(-1)",
         "/linux/seccomp/syscalls/2/errnoRet: expected an unsigned 32-bit integer, got -1 (out of range)"},
        {"/linux/seccomp/syscalls/0/names", R"("getcwd")",
         "/linux/seccomp/syscalls/0/names: expected an array of strings, got string"},
        {"/linux/seccomp/defaultErrnoRet", R"("EPERM")",
         "/linux/seccomp/defaultErrnoRet: expected an unsigned 32-bit integer, got string"},
        {"/linux/maskedPaths/1", R"({})",
         "/linux/maskedPaths/1: expected a string, got object"},
        {"/linux/memoryPolicy/nodes", R"(3)",
         "/linux/memoryPolicy/nodes: expected a string, got 3"},
    };
    for (const Case& tc : cases) {
        INFO(tc.ptr << " = " << tc.value);
        json j = full;
        j[json::json_pointer(tc.ptr)] = json::parse(tc.value);
        CHECK(parse_error(j) == tc.message);
    }
}

TEST_CASE("the document itself must be an object") {
    CHECK(parse_error(json::array()) == "/: expected an object, got array");
    CHECK(parse_error(json("x")) == "/: expected an object, got string");
}

TEST_CASE("null optional fields are absent; unknown keys are ignored") {
    json j = fixture("full.json");
    j["hostname"] = nullptr;
    j["process"]["user"]["umask"] = nullptr;
    j["process"]["capabilities"]["ambient"] = nullptr;
    j["linux"]["seccomp"]["syscalls"] = nullptr;
    j["linux"]["resources"]["memory"] = nullptr;
    j["linux"]["rootfsPropagation"] = nullptr;
    j["hooks"] = nullptr;
    // Unknown properties at several levels, including keys from older spec versions.
    j["windows"] = {{"layerFolders", {"C:\\a"}}};
    j["process"]["unknownThing"] = {1, 2, 3};
    j["linux"]["resources"]["blockIO"]["blkioWeight"] = "not even a number";
    j["linux"]["intelRdt"]["enableCMT"] = true;
    j["linux"]["seccomp"]["futureField"] = nullptr;

    const Config c = config_from_json(j);
    CHECK_FALSE(c.hostname);
    CHECK_FALSE(c.process->user.umask);
    CHECK_FALSE(c.process->capabilities->ambient);
    CHECK(c.process->capabilities->bounding);
    CHECK(c.linux_->seccomp->syscalls.empty());
    CHECK_FALSE(c.linux_->resources->memory);
    CHECK_FALSE(c.linux_->rootfs_propagation);
    CHECK(c.hooks.prestart.empty());
    CHECK(c.linux_->resources->block_io->weight == 10);

    const json out = config_to_json(c);
    CHECK_FALSE(out.contains("hostname"));
    CHECK_FALSE(out.contains("windows"));
    CHECK_FALSE(out.contains("hooks"));
    CHECK_FALSE(out["process"]["user"].contains("umask"));
    CHECK_FALSE(out["process"].contains("unknownThing"));
    CHECK_FALSE(out["linux"]["seccomp"].contains("syscalls"));
}

TEST_CASE("pids: an empty object is kept apart from a missing one") {
    json j = fixture("minimal.json");
    j["linux"]["resources"]["pids"] = json::object();
    Config c = config_from_json(j);
    REQUIRE(c.linux_->resources);
    CHECK(c.linux_->resources->has_pids);
    CHECK_FALSE(c.linux_->resources->pids_limit);
    CHECK(config_to_json(c) == j);

    j["linux"]["resources"]["pids"]["limit"] = -1;
    c = config_from_json(j);
    CHECK(c.linux_->resources->has_pids);
    CHECK(c.linux_->resources->pids_limit == -1);

    j["linux"]["resources"].erase("pids");
    c = config_from_json(j);
    CHECK_FALSE(c.linux_->resources->has_pids);
    CHECK_FALSE(c.linux_->resources->pids_limit);
    CHECK_FALSE(config_to_json(c)["linux"]["resources"].contains("pids"));
}

TEST_CASE("serialising a model built in code round-trips") {
    Config c;
    c.oci_version = "1.3.0";
    c.root = Root{"rootfs", false};
    Process p;
    p.cwd = "/";
    p.user.uid = 4294967295u;
    p.user.gid = 7;
    p.capabilities = Capabilities{};
    p.capabilities->effective = std::vector<std::string>{};  // set but empty: kept
    c.process = p;
    Linux l;
    l.namespaces = {{NamespaceType::cgroup, std::nullopt}, {NamespaceType::ipc, "/proc/1/ns/ipc"}};
    l.resources = Resources{};
    l.resources->cpu = CpuResources{};
    l.resources->cpu->quota = -1;
    l.seccomp = Seccomp{};
    l.seccomp->default_action = "SCMP_ACT_ALLOW";
    l.seccomp->syscalls.push_back({{"mount", "umount2"}, "SCMP_ACT_ERRNO", 1u, {{1, 0, 7u, "SCMP_CMP_MASKED_EQ"}}});
    c.linux_ = l;

    const json j = config_to_json(c);
    // Fields the spec requires are written even when empty or default.
    CHECK(j["process"]["args"] == json::array());
    CHECK(j["process"]["user"] == json({{"uid", 4294967295u}, {"gid", 7}}));
    CHECK(j["process"]["capabilities"] == json({{"effective", json::array()}}));
    CHECK(j["root"] == json({{"path", "rootfs"}}));
    CHECK_FALSE(j["process"].contains("terminal"));
    CHECK_FALSE(j["process"].contains("env"));
    CHECK(j["linux"]["namespaces"] == json::parse(R"([{"type":"cgroup"},{"type":"ipc","path":"/proc/1/ns/ipc"}])"));

    const Config back = config_from_json(j);
    CHECK(back.oci_version == c.oci_version);
    CHECK(back.root->path == "rootfs");
    CHECK(back.process->user.uid == 4294967295u);
    REQUIRE(back.process->capabilities->effective);
    CHECK(back.process->capabilities->effective->empty());
    CHECK_FALSE(back.process->capabilities->bounding);
    REQUIRE(back.linux_->namespaces.size() == 2);
    CHECK(back.linux_->namespaces[1].path == "/proc/1/ns/ipc");
    CHECK(back.linux_->resources->cpu->quota == -1);
    const SeccompArg& arg = back.linux_->seccomp->syscalls.at(0).args.at(0);
    CHECK(arg.index == 1);
    CHECK(arg.value_two == 7u);
    CHECK(arg.op == "SCMP_CMP_MASKED_EQ");
    CHECK(config_to_json(back) == j);
}

TEST_CASE("read_config_json: syntax errors give line and column") {
    const std::string msg = error_of([] { (void)fixture("invalid-syntax.json"); });
    CHECK(msg.rfind("fixtures/invalid-syntax.json:5:21: invalid JSON: ", 0) == 0);
    CHECK(msg.find("invalid literal") != std::string::npos);

    TempDir dir;
    CHECK(error_of([&] { (void)read_config_json(dir.write("empty.json", "")); }) ==
          dir.path + "/empty.json:1:1: invalid JSON: unexpected end of input: expected a value");
    const std::string trailing = error_of([&] { (void)read_config_json(dir.write("t.json", "{\"a\": 1,\n}")); });
    CHECK(trailing == dir.path + "/t.json:2:1: invalid JSON: trailing comma before '}'");
    const std::string first_col = error_of([&] { (void)read_config_json(dir.write("f.json", "x")); });
    CHECK(first_col.rfind(dir.path + "/f.json:1:1: invalid JSON: ", 0) == 0);
}

TEST_CASE("read_config_json: a repeated key is refused naming both lines") {
    TempDir dir;
    CHECK(error_of([&] { (void)read_config_json(dir.write("d.json", "{\"process\": {\n\"args\": [],\n\"args\": []}}")); }) ==
          dir.path + "/d.json:3: /process: duplicate key \"args\" (lines 2 and 3)");
}

TEST_CASE("read_config_json: nesting deeper than 128 levels is refused, as by validate") {
    TempDir dir;
    // The top-level object is level 1; `n` nested arrays under one key make n + 1 levels.
    auto nested = [](int n) {
        return "{\"ociVersion\": \"1.3.0\", \"x\": " + std::string(n, '[') + std::string(n, ']') + "}";
    };
    const json ok = read_config_json(dir.write("ok.json", nested(127)));
    CHECK(config_from_json(ok).oci_version == "1.3.0");
    CHECK(error_of([&] { (void)read_config_json(dir.write("deep.json", nested(128))); }) ==
          dir.path + "/deep.json:1:157: invalid JSON: nesting deeper than 128 levels");
    // Far deeper input fails the same way without building the tree.
    CHECK(error_of([&] { (void)read_config_json(dir.write("deeper.json", std::string(100000, '['))); }) ==
          dir.path + "/deeper.json:1:129: invalid JSON: nesting deeper than 128 levels");
    const std::string objects = [] {
        std::string s;
        for (int i = 0; i < 129; ++i) s += "{\"a\":";
        return s + "1" + std::string(129, '}');
    }();
    CHECK(error_of([&] { (void)read_config_json(dir.write("objects.json", objects)); }) ==
          dir.path + "/objects.json:1:641: invalid JSON: nesting deeper than 128 levels");
}

TEST_CASE("read_config_json: 16 MiB size limit") {
    TempDir dir;
    const size_t limit = 16u << 20;
    std::string exact = "{\"ociVersion\": \"1.3.0\"}";
    exact.resize(limit, ' ');
    const json j = read_config_json(dir.write("exact.json", exact));
    CHECK(j["ociVersion"] == "1.3.0");

    exact.push_back(' ');
    const std::string big = dir.write("big.json", exact);
    CHECK(error_of([&] { (void)read_config_json(big); }) ==
          big + ": config.json is larger than 16 MiB (16777217 bytes)");
}

TEST_CASE("read_config_json: a missing file is an errno error") {
    try {
        (void)read_config_json("fixtures/does-not-exist.json");
        FAIL("no error");
    } catch (const ocirt::Error& e) {
        CHECK(e.code() == ENOENT);
        CHECK(std::string(e.what()).find("fixtures/does-not-exist.json") != std::string::npos);
    }
}
