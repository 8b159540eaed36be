#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ocirt/spec/validate/semantic.hpp"
#include "ocirt/spec/validate/validate.hpp"

using namespace ocirt::spec::validate;
using nlohmann::json;

namespace {

// A valid base config; tests patch it and look at what validation says.
json base() {
    return json::parse(R"({
        "ociVersion": "1.3.0",
        "root": {"path": "rootfs"},
        "process": {"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0}},
        "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}]}
    })");
}

// "[warning: ]pointer: message" for every diagnostic.
std::vector<std::string> diagnose(const json& config) {
    auto report = validate_config_text(config.dump(), "config.json");
    std::vector<std::string> out;
    for (const auto& d : report.diagnostics)
        out.push_back((d.severity == Severity::warning ? "warning: " : "") + d.pointer + ": " + d.message);
    return out;
}

bool says(const json& config, const std::string& line) {
    auto all = diagnose(config);
    bool found = std::find(all.begin(), all.end(), line) != all.end();
    if (!found) {
        UNSCOPED_INFO("wanted: " << line);
        for (const auto& l : all) UNSCOPED_INFO("got:    " << l);
    }
    return found;
}

json& linux_of(json& c) { return c["linux"]; }

}  // namespace

TEST_CASE("semantic: the base config is clean", "[validate][semantic]") {
    CHECK(diagnose(base()).empty());
}

TEST_CASE("semantic: process args, missing process, spec version", "[validate][semantic]") {
    json c = base();
    c["process"].erase("args");
    CHECK(says(c, "/process: process.args is missing: it needs at least the program to run"));
    c = base();
    c["process"]["args"] = {""};
    CHECK(says(c, "/process/args/0: the program to run (args[0]) is empty"));
    c = base();
    c.erase("process");
    CHECK(diagnose(c) == std::vector<std::string>{"warning: : no process: the container can be created but not started"});
    c = base();
    c["ociVersion"] = "1.4.0";
    CHECK(says(c, "warning: /ociVersion: ociVersion 1.4.0 is newer than runtime-spec 1.3.0; fields ocirt does not know are ignored"));
    c["ociVersion"] = "1.0.2-dev";
    CHECK(diagnose(c).empty());
}

TEST_CASE("semantic: recursive rootfsPropagation spellings are accepted with a warning", "[validate][semantic]") {
    json c = base();
    c["linux"]["rootfsPropagation"] = "slave";
    CHECK(diagnose(c).empty());
    c["linux"]["rootfsPropagation"] = "runbindable";
    CHECK(diagnose(c) == std::vector<std::string>{
                             "warning: /linux/rootfsPropagation: runtime-spec spells it \"unbindable\"; ocirt, like runc, "
                             "accepts \"runbindable\" (\"/\" is changed recursively either way)"});
}

TEST_CASE("semantic: sysctls need the namespace they live in", "[validate][semantic]") {
    json c = base();
    linux_of(c)["sysctl"] = {{"net.ipv4.ip_forward", "1"}, {"kernel.msgmax", "8192"}, {"fs.mqueue.queues_max", "10"},
                             {"kernel.domainname", "x"}};
    CHECK(diagnose(c).empty());
    linux_of(c)["namespaces"] = {{{"type", "mount"}}};
    CHECK(says(c, "/linux/sysctl/net.ipv4.ip_forward: sysctl \"net.ipv4.ip_forward\" needs a network namespace, but linux.namespaces has none"));
    CHECK(says(c, "/linux/sysctl/kernel.msgmax: sysctl \"kernel.msgmax\" needs an ipc namespace, but linux.namespaces has none"));
    CHECK(says(c, "/linux/sysctl/fs.mqueue.queues_max: sysctl \"fs.mqueue.queues_max\" needs an ipc namespace, but linux.namespaces has none"));
    CHECK(says(c, "/linux/sysctl/kernel.domainname: sysctl \"kernel.domainname\" needs a uts namespace, but linux.namespaces has none"));
    c = base();
    linux_of(c)["sysctl"] = {{"user.max_user_namespaces", "0"}};
    CHECK(says(c, "/linux/sysctl/user.max_user_namespaces: sysctl \"user.max_user_namespaces\" needs a user namespace, but linux.namespaces has none"));
    // A joined network namespace still takes net.* sysctls.
    c = base();
    linux_of(c)["namespaces"][2]["path"] = "/var/run/netns/blue";
    linux_of(c)["sysctl"] = {{"net.core.somaxconn", "1024"}};
    CHECK(diagnose(c).empty());
}

TEST_CASE("semantic: user namespace and id mappings", "[validate][semantic]") {
    json c = base();
    linux_of(c)["namespaces"].push_back({{"type", "user"}});
    CHECK(says(c, "/linux/namespaces/5: a new user namespace needs linux.uidMappings: without them no uid inside is valid"));
    linux_of(c)["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    linux_of(c)["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    CHECK(diagnose(c).empty());
    c["process"]["user"]["additionalGids"] = {10, 65536};
    CHECK(says(c, "/process/user/additionalGids/1: gid 65536 is not mapped by linux.gidMappings"));
    c["process"]["user"].erase("additionalGids");
    linux_of(c)["namespaces"][5]["path"] = "/proc/7/ns/user";
    CHECK(says(c, "/linux/uidMappings: uid/gid mappings cannot be written to a user namespace that is joined by path"));
    linux_of(c)["gidMappings"].push_back({{"containerID", 70000}, {"hostID", 100010}, {"size", 5}});
    CHECK(says(c, "/linux/gidMappings/1: host id ranges overlap with mapping 0; the kernel rejects overlapping mappings"));
}

TEST_CASE("semantic: namespace files must match their type", "[validate][semantic]") {
    json c = base();
    linux_of(c)["namespaces"][2]["path"] = "/proc/self/ns/net";
    linux_of(c)["namespaces"][0]["path"] = "/proc/12/task/13/ns/pid_for_children";
    CHECK(diagnose(c).empty());
    linux_of(c)["namespaces"][1]["path"] = "/proc/12/ns/uts";
    CHECK(says(c, "/linux/namespaces/1/path: /proc/12/ns/uts is a \"uts\" namespace file, but the type is \"mount\""));
}

TEST_CASE("semantic: cgroupsPath accepts paths and the systemd form", "[validate][semantic]") {
    json c = base();
    for (const char* good : {"/ocirt/c1", "relative/c1", "system.slice:docker:abc", ":ocirt:c1", "user-1000.slice:podman:x"}) {
        linux_of(c)["cgroupsPath"] = good;
        INFO(good);
        CHECK(diagnose(c).empty());
    }
    linux_of(c)["cgroupsPath"] = "/a//b";
    CHECK(says(c, "/linux/cgroupsPath: cgroupsPath has an empty or \".\" component"));
    linux_of(c)["cgroupsPath"] = "../escape";
    CHECK(says(c, "/linux/cgroupsPath: cgroupsPath must not contain \"..\": it would leave the cgroup hierarchy it names"));
    linux_of(c)["cgroupsPath"] = "system.slice:ocirt:";
    CHECK(says(c, "/linux/cgroupsPath: the name part of a systemd cgroupsPath (\"slice:prefix:name\") is empty"));
    linux_of(c)["cgroupsPath"] = "machine:ocirt:c1";
    CHECK(says(c, "/linux/cgroupsPath: the slice \"machine\" of a systemd cgroupsPath must end in \".slice\" and contain no '/'"));
}

TEST_CASE("semantic: hostname needs a uts namespace", "[validate][semantic]") {
    json c = base();
    c["hostname"] = "box";
    c["domainname"] = "example.test";
    CHECK(diagnose(c).empty());
    linux_of(c)["namespaces"].erase(4);
    CHECK(says(c, "/hostname: setting hostname needs a uts namespace, but linux.namespaces has none"));
    CHECK(says(c, "/domainname: setting domainname needs a uts namespace, but linux.namespaces has none"));
}

TEST_CASE("semantic: seccomp notify, errno and redundant rules", "[validate][semantic]") {
    json c = base();
    linux_of(c)["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                              {"listenerPath", "/run/agent.sock"},
                              {"syscalls", {{{"names", {"mknod"}}, {"action", "SCMP_ACT_NOTIFY"}},
                                            {{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38}}}}};
    CHECK(diagnose(c).empty());
    linux_of(c)["seccomp"].erase("listenerPath");
    CHECK(says(c, "/linux/seccomp: SCMP_ACT_NOTIFY is used but listenerPath is not set"));
    linux_of(c)["seccomp"]["syscalls"].push_back({{"names", {"read"}}, {"action", "SCMP_ACT_ALLOW"}});
    CHECK(says(c, "warning: /linux/seccomp/syscalls/2/action: this rule repeats the default action and has no effect"));
}

TEST_CASE("semantic: scheduler, memory policy, time offsets, net devices", "[validate][semantic]") {
    json c = base();
    c["process"]["scheduler"] = {{"policy", "SCHED_DEADLINE"}, {"runtime", 30}, {"deadline", 20}, {"period", 10}};
    CHECK(says(c, "/process/scheduler/runtime: SCHED_DEADLINE needs runtime ≤ deadline"));
    CHECK(says(c, "/process/scheduler/deadline: SCHED_DEADLINE needs deadline ≤ period"));
    c["process"]["scheduler"] = {{"policy", "SCHED_OTHER"}, {"priority", 5}};
    CHECK(says(c, "/process/scheduler/priority: priority must be 0 for SCHED_OTHER; only SCHED_FIFO and SCHED_RR use it"));

    c = base();
    linux_of(c)["memoryPolicy"] = {{"mode", "MPOL_LOCAL"}, {"nodes", "0"}};
    CHECK(says(c, "/linux/memoryPolicy/nodes: MPOL_LOCAL takes no nodes"));

    c = base();
    linux_of(c)["timeOffsets"] = {{"boottime", {{"secs", 5}}}};
    CHECK(says(c, "/linux/timeOffsets: timeOffsets need a time namespace, but linux.namespaces has none"));
    linux_of(c)["namespaces"].push_back({{"type", "time"}});
    CHECK(diagnose(c).empty());

    c = base();
    linux_of(c)["netDevices"] = {{"eth0", {{"name", "ctr%d"}}}, {"eth1", {{"name", "ctr%d"}}}, {"eth2", json::object()}};
    CHECK(diagnose(c).empty());  // templates get unique names from the kernel
    linux_of(c)["netDevices"]["eth3"] = {{"name", "eth2"}};
    CHECK(says(c, "/linux/netDevices/eth3: \"eth2\" and \"eth3\" would both be named \"eth2\" in the container"));
    linux_of(c)["netDevices"]["eth3"] = {{"name", "a%sb"}};
    CHECK(says(c, "/linux/netDevices/eth3/name: network device name \"a%sb\" may contain '%' only as a single \"%d\" template"));
}

TEST_CASE("semantic: a device fileMode with file-type bits (podman) must agree with the type", "[validate][semantic]") {
    json c = base();
    linux_of(c)["devices"] = json::array({{{"path", "/dev/mynull"}, {"type", "c"}, {"major", 1}, {"minor", 3}, {"fileMode", 8630}}});
    CHECK(diagnose(c).empty());  // S_IFCHR | 0666: schema and semantic checks accept it
    linux_of(c)["devices"][0]["type"] = "b";
    CHECK(says(c, "/linux/devices/0/fileMode: the file-type bits of 8630 (S_IFCHR, 020000) disagree with type \"b\""));
    linux_of(c)["devices"][0]["type"] = "c";
    linux_of(c)["devices"][0]["fileMode"] = 0100666;  // S_IFREG: no device has it
    CHECK_FALSE(diagnose(c).empty());
}

TEST_CASE("semantic: cpu lists", "[validate][semantic]") {
    CHECK(check_cpu_list("").empty());
    CHECK(check_cpu_list("0-3,7").empty());
    CHECK(check_cpu_list("5-5").empty());
    CHECK(check_cpu_list("7-3") == "range \"7-3\" runs backwards");
    CHECK(check_cpu_list("x-y,,--").empty());  // syntax is the schema's business
}

TEST_CASE("semantic: any JSON value is safe input", "[validate][semantic]") {
    std::vector<std::string> caps;
    for (const char* text : {"null", "[]", "1", "\"x\"", R"({"linux": 5, "process": []})",
                             R"({"linux": {"namespaces": [1, {"type": 2}], "uidMappings": "x", "sysctl": [1],
                                 "seccomp": {"syscalls": [{"action": 1}]}, "resources": {"cpu": {"cpus": 5}}},
                                 "process": {"user": 1, "capabilities": {"ambient": [1]}, "rlimits": [5]},
                                 "mounts": [1, {"options": 5}]})"}) {
        INFO(text);
        CHECK_NOTHROW(check_config_semantics(json::parse(text), caps));
    }
}
