#include "ocirt/spec/support.hpp"

#include "ocirt/util/error.hpp"

namespace ocirt::spec {

std::vector<std::string> unapplied_fields(const Config& c) {
    std::vector<std::string> out;
    if (c.process) {
        const Process& p = *c.process;
        if (p.apparmor_profile) out.emplace_back("/process/apparmorProfile");
        if (p.selinux_label) out.emplace_back("/process/selinuxLabel");
    }
    if (c.linux_) {
        const Linux& l = *c.linux_;
        if (l.cgroups_path) out.emplace_back("/linux/cgroupsPath");
        if (l.resources) out.emplace_back("/linux/resources");
        if (l.seccomp) out.emplace_back("/linux/seccomp");
        if (l.mount_label) out.emplace_back("/linux/mountLabel");
    }
    return out;
}

void check_applicable(const Config& c) {
    const auto fields = unapplied_fields(c);
    if (!fields.empty()) fail("{}: not supported by ocirt yet", fields.front());
}

}  // namespace ocirt::spec
