#include <fmt/format.h>

#include <string>

#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroup::v2 {
namespace {

constexpr const char* kField = "/linux/resources/blockIO";

void throttle(const CgroupDir& cg, const std::vector<spec::ThrottleDevice>& devs, const char* key, const char* json_name) {
    for (const auto& d : devs)
        cg.write("io.max", fmt::format("{}:{} {}={}", d.major, d.minor, key, d.rate), std::string(kField) + "/" + json_name);
}

}  // namespace

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
    if (weight == 0) return 0;
    return 1 + (weight - 10) * 9999 / 990;
}

bool io_is_set(const spec::BlockIoResources& b) {
    bool device_weight = false;
    for (const auto& d : b.weight_device) device_weight = device_weight || d.weight.has_value();
    // As runc's isIoSet: a weight of 0 is "not set" (dockerd always sends one).
    return b.weight.value_or(0) != 0 || device_weight || !b.throttle_read_bps_device.empty() ||
           !b.throttle_write_bps_device.empty() || !b.throttle_read_iops_device.empty() ||
           !b.throttle_write_iops_device.empty();
}

void apply_io(const CgroupDir& cg, const spec::BlockIoResources& b) {
    if (!io_is_set(b)) return;
    const std::string f = kField;
    // BFQ takes the blkio weight range (1..1000) as it is; io.weight wants 1..10000.
    const bool bfq = cg.has("io.bfq.weight");
    if (b.weight.value_or(0) != 0) {
        if (*b.weight < 10 || *b.weight > 1000) fail("{}/weight: {} is outside 10..1000", f, *b.weight);
        if (bfq)
            cg.write("io.bfq.weight", std::to_string(*b.weight), f + "/weight");
        else
            cg.write("io.weight", std::to_string(blkio_weight_to_io_weight(*b.weight)), f + "/weight");
    }
    for (const auto& d : b.weight_device) {
        if (!d.weight) continue;
        if (*d.weight < 10 || *d.weight > 1000) fail("{}/weightDevice: {} is outside 10..1000", f, *d.weight);
        if (bfq)
            cg.write("io.bfq.weight", fmt::format("{}:{} {}", d.major, d.minor, *d.weight), f + "/weightDevice");
        else
            cg.write("io.weight", fmt::format("{}:{} {}", d.major, d.minor, blkio_weight_to_io_weight(*d.weight)),
                     f + "/weightDevice");
    }
    throttle(cg, b.throttle_read_bps_device, "rbps", "throttleReadBpsDevice");
    throttle(cg, b.throttle_write_bps_device, "wbps", "throttleWriteBpsDevice");
    throttle(cg, b.throttle_read_iops_device, "riops", "throttleReadIOPSDevice");
    throttle(cg, b.throttle_write_iops_device, "wiops", "throttleWriteIOPSDevice");
}

}  // namespace ocirt::cgroup::v2
