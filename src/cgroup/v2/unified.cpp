#include <string>

#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroup::v2 {

void apply_unified(const CgroupDir& cg, const std::map<std::string, std::string>& unified) {
    if (unified.empty()) return;
    // Keys were checked by needed_controllers (no "/", no "..", <controller>.<name>); a key of a
    // controller not enabled here names a file that does not exist.
    const auto enabled = parse_controller_list(cg.try_read("cgroup.controllers").value_or(""));
    for (const auto& [key, value] : unified) {
        const std::string field = "/linux/resources/unified/" + key;
        const std::string controller = key.substr(0, key.find('.'));
        if (controller != "cgroup" && !enabled.count(controller))
            fail("{}: the controller \"{}\" is not enabled for this cgroup", field, controller);
        cg.write(key, value, field);
    }
}

}  // namespace ocirt::cgroup::v2
