#include "ocirt/cgroup/hugetlb_limits.hpp"
#include "ocirt/cgroup/v2/resources.hpp"

namespace ocirt::cgroup::v2 {

void apply_hugetlb(const CgroupDir& cg, const std::vector<spec::HugepageLimit>& limits) {
    write_hugetlb_limits(cg, limits, "max");
}

}  // namespace ocirt::cgroup::v2
