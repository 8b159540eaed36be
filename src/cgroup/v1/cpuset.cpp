#include <string>
#include <vector>

#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/cgroup/v1/resources.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroup::v1 {

void make_cpuset_dirs(const std::string& mount_point, const std::string& dir, std::vector<std::string>& created) {
    // From the top down, each level complete before the next is made: the kernel gives a new
    // directory its parent's cpus/mems (and the flag) only if the parent has clone_children
    // when the child is made.
    std::string parent = mount_point;
    for (const auto& cur : levels_below(mount_point, dir)) {
        const bool made = sys::make_dir(cur, 0755, true);
        if (made) created.push_back(cur);
        const CgroupDir child(cur), up(parent);
        for (const char* file : {"cpuset.cpus", "cpuset.mems"})
            if (child.read(file).empty()) child.write(file, up.read(file), std::string("/linux/resources/cpu (") + file + " from the parent cgroup)");
        if (made && cur != dir) child.write("cgroup.clone_children", "1", "/linux/cgroupsPath (cgroup.clone_children of a new parent cgroup)");
        parent = cur;
    }
}

void apply_cpuset(const CgroupDir& cg, const spec::CpuResources& c) {
    const std::string f = "/linux/resources/cpu";
    if (c.cpus && !c.cpus->empty()) cg.write("cpuset.cpus", *c.cpus, f + "/cpus");
    if (c.mems && !c.mems->empty()) cg.write("cpuset.mems", *c.mems, f + "/mems");
}

}  // namespace ocirt::cgroup::v1
