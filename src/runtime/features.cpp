#include "ocirt/runtime/features.hpp"

#include <seccomp.h>

#include <fmt/format.h>

#include "ocirt/cgroup/features.hpp"
#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/checkpoint/criu.hpp"
#include "ocirt/mount/options.hpp"
#include "ocirt/process/process_extras.hpp"
#include "ocirt/seccomp/names.hpp"
#include "ocirt/security/capabilities.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/spec/state.hpp"

namespace ocirt::runtime {

nlohmann::json features_document() {
    using nlohmann::json;
    constexpr cgroup::CgroupFeatures cg = cgroup::features();
    json linux = {
        {"namespaces", spec::namespace_type_names()},
        {"capabilities", security::known_capability_names()},
        {"cgroup", {{"v1", cg.v1}, {"v2", cg.v2}, {"systemd", cg.systemd}, {"systemdUser", cg.systemd_user}, {"rdma", cg.rdma}}},
        // The same tables the seccomp compiler reads, so this cannot claim what it refuses.
        {"seccomp",
         {{"enabled", true},
          {"actions", seccomp::supported_actions()},
          {"operators", seccomp::supported_operators()},
          {"archs", seccomp::supported_architectures()},
          {"knownFlags", seccomp::known_flags()},
          {"supportedFlags", seccomp::supported_flags()}}},
        // Applied when the host runs the module; create refuses a label it cannot apply.
        {"apparmor", {{"enabled", true}}},
        {"selinux", {{"enabled", true}}},
        {"intelRdt", {{"enabled", true}, {"schemata", true}, {"monitoring", true}}},
        {"mountExtensions", {{"idmap", {{"enabled", true}}}}},
        {"netDevices", {{"enabled", true}}},
        {"memoryPolicy", {{"modes", process::memory_policy_modes()}, {"flags", process::memory_policy_flags()}}},
    };
    const scmp_version* v = seccomp_version();
    json annotations = {{"io.github.seccomp.libseccomp.version", fmt::format("{}.{}.{}", v->major, v->minor, v->micro)},
                        // Which cgroup driver containers get on this host: "unified" (v2), "hybrid" or "legacy" (v1).
                        {"org.ocirt.cgroup.host", cgroup::host_kind_name(cgroup::discover_host().kind)}};
    // checkpoint/restore only where they can work: criu on PATH and `criu check` passing.
    if (const auto criu = checkpoint::check_criu(); criu.usable) {
        annotations["org.ocirt.checkpoint.enabled"] = "true";
        annotations["org.criu.version"] = criu.version;
    }
    return json{
        {"ociVersionMin", "1.0.0"},
        {"ociVersionMax", spec::kOciVersion},
        {"hooks", {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
        {"mountOptions", mount::known_mount_options()},
        {"linux", linux},
        {"annotations", annotations},
    };
}

}  // namespace ocirt::runtime
