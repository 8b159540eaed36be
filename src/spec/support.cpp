#include "ocirt/spec/support.hpp"

#include "ocirt/util/error.hpp"

namespace ocirt::spec {

std::vector<std::string> unapplied_fields(const Config& c) {
    std::vector<std::string> out;
    if (c.process) {
        const Process& p = *c.process;
        if (p.apparmor_profile) out.emplace_back("/process/apparmorProfile");
        if (p.selinux_label) out.emplace_back("/process/selinuxLabel");
        if (p.scheduler) out.emplace_back("/process/scheduler");
        if (p.io_priority) out.emplace_back("/process/ioPriority");
        if (p.exec_cpu_affinity) out.emplace_back("/process/execCPUAffinity");
    }
    if (c.linux_) {
        const Linux& l = *c.linux_;
        if (!l.devices.empty()) out.emplace_back("/linux/devices");
        if (!l.net_devices.empty()) out.emplace_back("/linux/netDevices");
        if (l.cgroups_path) out.emplace_back("/linux/cgroupsPath");
        if (l.resources) out.emplace_back("/linux/resources");
        if (l.intel_rdt) out.emplace_back("/linux/intelRdt");
        if (!l.sysctl.empty()) out.emplace_back("/linux/sysctl");
        if (l.seccomp) out.emplace_back("/linux/seccomp");
        if (!l.masked_paths.empty()) out.emplace_back("/linux/maskedPaths");
        if (!l.readonly_paths.empty()) out.emplace_back("/linux/readonlyPaths");
        if (l.mount_label) out.emplace_back("/linux/mountLabel");
        if (l.personality) out.emplace_back("/linux/personality");
        if (l.memory_policy) out.emplace_back("/linux/memoryPolicy");
    }
    return out;
}

void check_applicable(const Config& c) {
    const auto fields = unapplied_fields(c);
    if (!fields.empty()) fail("{}: not supported by ocirt yet", fields.front());
}

}  // namespace ocirt::spec
