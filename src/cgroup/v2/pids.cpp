#include <string>

#include "ocirt/cgroup/v2/resources.hpp"

namespace ocirt::cgroup::v2 {

void apply_pids(const CgroupDir& cg, const spec::Resources& r) {
    if (!r.has_pids && !r.pids_limit) return;
    // runtime-spec: a limit of 0 or below, or none, means no limit.
    const int64_t limit = r.pids_limit.value_or(0);
    cg.write("pids.max", limit > 0 ? std::to_string(limit) : "max", "/linux/resources/pids/limit");
}

}  // namespace ocirt::cgroup::v2
