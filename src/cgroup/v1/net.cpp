#include <string>

#include "ocirt/cgroup/v1/resources.hpp"
#include <fmt/format.h>

namespace ocirt::cgroup::v1 {

void apply_net_cls(const CgroupDir& cg, uint32_t class_id) {
    if (class_id != 0) cg.write("net_cls.classid", std::to_string(class_id), "/linux/resources/network/classID");
}

void apply_net_prio(const CgroupDir& cg, const std::vector<spec::NetworkPriority>& priorities) {
    for (size_t i = 0; i < priorities.size(); ++i)
        cg.write("net_prio.ifpriomap", fmt::format("{} {}", priorities[i].name, priorities[i].priority),
                 "/linux/resources/network/priorities/" + std::to_string(i));
}

}  // namespace ocirt::cgroup::v1
