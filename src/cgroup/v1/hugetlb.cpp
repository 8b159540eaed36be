#include "ocirt/cgroup/hugetlb_limits.hpp"
#include "ocirt/cgroup/v1/resources.hpp"

namespace ocirt::cgroup::v1 {

void apply_hugetlb(const CgroupDir& cg, const std::vector<spec::HugepageLimit>& limits) {
    write_hugetlb_limits(cg, limits, "limit_in_bytes");
}

}  // namespace ocirt::cgroup::v1
