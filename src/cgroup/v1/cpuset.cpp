#include <algorithm>
#include <string>
#include <vector>

#include "ocirt/cgroup/v1/resources.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup::v1 {

void init_cpuset(const std::string& mount_point, const std::string& dir, const std::vector<std::string>& created) {
    // From the top down: each level copies its parent's cpus/mems where it has none yet. The
    // directories below a parent flagged here were made before the flag: they get it as the
    // kernel gives it to the ones made later.
    std::string parent = mount_point;
    std::string cur = mount_point;
    bool flagged_here = false;
    for (const auto& part : util::split(dir.substr(mount_point.size()), '/')) {
        if (part.empty()) continue;
        cur += "/" + part;
        const CgroupDir child(cur), up(parent);
        for (const char* file : {"cpuset.cpus", "cpuset.mems"})
            if (child.read(file).empty()) child.write(file, up.read(file), std::string("/linux/resources/cpu (") + file + " from the parent cgroup)");
        if (flagged_here || (cur != dir && std::find(created.begin(), created.end(), cur) != created.end())) {
            child.write("cgroup.clone_children", "1", "/linux/cgroupsPath (cgroup.clone_children of a new cpuset cgroup)");
            flagged_here = true;
        }
        parent = cur;
    }
}

void apply_cpuset(const CgroupDir& cg, const spec::CpuResources& c) {
    const std::string f = "/linux/resources/cpu";
    if (c.cpus && !c.cpus->empty()) cg.write("cpuset.cpus", *c.cpus, f + "/cpus");
    if (c.mems && !c.mems->empty()) cg.write("cpuset.mems", *c.mems, f + "/mems");
}

}  // namespace ocirt::cgroup::v1
