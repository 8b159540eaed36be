#include <string>

#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroup::v2 {

bool rdma_is_set(const std::map<std::string, spec::RdmaLimit>& rdma) {
    for (const auto& [device, limit] : rdma)
        if (limit.hca_handles || limit.hca_objects) return true;
    return false;
}

void apply_rdma(const CgroupDir& cg, const std::map<std::string, spec::RdmaLimit>& rdma) {
    for (const auto& [device, limit] : rdma) {
        const std::string field = "/linux/resources/rdma/" + device;
        if (device.empty() || device.find_first_of(" \n=") != std::string::npos) fail("{}: not an RDMA device name", field);
        std::string line = device;
        if (limit.hca_handles) line += " hca_handle=" + std::to_string(*limit.hca_handles);
        if (limit.hca_objects) line += " hca_object=" + std::to_string(*limit.hca_objects);
        if (line == device) continue;
        cg.write("rdma.max", line, field);
    }
}

}  // namespace ocirt::cgroup::v2
