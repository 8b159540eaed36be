#include <string>

#include "ocirt/cgroup/v1/resources.hpp"
#include <fmt/format.h>

namespace ocirt::cgroup::v1 {
namespace {

void throttle(const CgroupDir& cg, const char* file, const std::vector<spec::ThrottleDevice>& devs, const std::string& field) {
    for (size_t i = 0; i < devs.size(); ++i)
        cg.write(file, fmt::format("{}:{} {}", devs[i].major, devs[i].minor, devs[i].rate), field + "/" + std::to_string(i));
}

}  // namespace

void apply_blkio(const CgroupDir& cg, const spec::BlockIoResources& b) {
    const std::string f = "/linux/resources/blockIO";
    // runc's detectWeightFilenames: the CFQ files, else BFQ's (Linux 5.0 dropped CFQ).
    const bool cfq = cg.has("blkio.weight") || !cg.has("blkio.bfq.weight");
    const std::string weight = cfq ? "blkio.weight" : "blkio.bfq.weight";
    const std::string weight_device = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
    if (b.weight.value_or(0) != 0) cg.write(weight, std::to_string(*b.weight), f + "/weight");
    if (b.leaf_weight.value_or(0) != 0) cg.write("blkio.leaf_weight", std::to_string(*b.leaf_weight), f + "/leafWeight");
    for (size_t i = 0; i < b.weight_device.size(); ++i) {
        const auto& w = b.weight_device[i];
        const std::string field = f + "/weightDevice/" + std::to_string(i);
        if (w.weight.value_or(0) != 0)
            cg.write(weight_device, fmt::format("{}:{} {}", w.major, w.minor, *w.weight), field + "/weight");
        if (w.leaf_weight.value_or(0) != 0)
            cg.write("blkio.leaf_weight_device", fmt::format("{}:{} {}", w.major, w.minor, *w.leaf_weight), field + "/leafWeight");
    }
    throttle(cg, "blkio.throttle.read_bps_device", b.throttle_read_bps_device, f + "/throttleReadBpsDevice");
    throttle(cg, "blkio.throttle.write_bps_device", b.throttle_write_bps_device, f + "/throttleWriteBpsDevice");
    throttle(cg, "blkio.throttle.read_iops_device", b.throttle_read_iops_device, f + "/throttleReadIOPSDevice");
    throttle(cg, "blkio.throttle.write_iops_device", b.throttle_write_iops_device, f + "/throttleWriteIOPSDevice");
}

}  // namespace ocirt::cgroup::v1
