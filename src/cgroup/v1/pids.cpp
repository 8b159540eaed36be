#include <string>

#include "ocirt/cgroup/v1/resources.hpp"

namespace ocirt::cgroup::v1 {

void apply_pids(const CgroupDir& cg, const spec::Resources& r) {
    if (!r.has_pids || !r.pids_limit) return;
    // As runc: a limit of 0 or below is "max".
    cg.write("pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max", "/linux/resources/pids/limit");
}

}  // namespace ocirt::cgroup::v1
