#include "ocirt/cgroup/hugetlb_limits.hpp"

#include <string>

#include "ocirt/util/error.hpp"

namespace ocirt::cgroup {

void write_hugetlb_limits(const CgroupDir& cg, const std::vector<spec::HugepageLimit>& limits,
                          std::string_view limit_suffix) {
    for (size_t i = 0; i < limits.size(); ++i) {
        const auto& h = limits[i];
        const std::string field = "/linux/resources/hugepageLimits/" + std::to_string(i);
        if (h.page_size.empty() || h.page_size.find('/') != std::string::npos || h.page_size.find("..") != std::string::npos)
            fail("{}/pageSize: \"{}\" is not a page size", field, h.page_size);
        const std::string file = "hugetlb." + h.page_size + "." + std::string(limit_suffix);
        if (!cg.has(file)) fail("{}/pageSize: the kernel has no {} huge pages ({} is missing)", field, h.page_size, cg.file(file));
        cg.write(file, std::to_string(h.limit), field + "/limit");
        const std::string rsvd = "hugetlb." + h.page_size + ".rsvd." + std::string(limit_suffix);
        if (cg.has(rsvd)) cg.write(rsvd, std::to_string(h.limit), field + "/limit");
    }
}

}  // namespace ocirt::cgroup
