#include <string>

#include "ocirt/cgroup/v2/resources.hpp"

namespace ocirt::cgroup::v2 {

bool pids_is_set(const spec::Resources& r) { return r.pids_limit.value_or(0) > 0; }

void apply_pids(const CgroupDir& cg, const spec::Resources& r) {
    const std::string field = "/linux/resources/pids/limit";
    if (pids_is_set(r)) {
        cg.write("pids.max", std::to_string(*r.pids_limit), field);
        return;
    }
    // No limit (absent, 0 or below) is "max": a new cgroup starts there, so only a cgroup with the
    // controller enabled (where `update` may lift an earlier limit) gets the write.
    if ((r.has_pids || r.pids_limit) && cg.has("pids.max")) cg.write("pids.max", "max", field);
}

}  // namespace ocirt::cgroup::v2
