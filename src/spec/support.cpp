#include "ocirt/spec/support.hpp"

#include "ocirt/util/error.hpp"

namespace ocirt::spec {

std::vector<std::string> unapplied_fields(const Config& c) {
    std::vector<std::string> out;
    if (c.linux_) {
        const Linux& l = *c.linux_;
        if (l.cgroups_path) out.emplace_back("/linux/cgroupsPath");
        if (l.resources) out.emplace_back("/linux/resources");
    }
    return out;
}

void check_applicable(const Config& c) {
    const auto fields = unapplied_fields(c);
    if (!fields.empty()) fail("{}: not supported by ocirt yet", fields.front());
}

}  // namespace ocirt::spec
