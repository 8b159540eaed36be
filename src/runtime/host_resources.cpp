#include "ocirt/runtime/host_resources.hpp"

#include "ocirt/ns/net_devices.hpp"
#include "ocirt/resctrl/intel_rdt.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::runtime {
namespace {

std::string netns_pin(const ContainerDir& dir) { return dir.path() + "/netns"; }

}  // namespace

void acquire_host_resources(const ContainerDir& dir, const spec::Config& cfg, int pid) {
    if (!cfg.linux_) return;
    ns::move_net_devices_in(cfg.linux_->net_devices, pid, netns_pin(dir));
    if (cfg.linux_->intel_rdt) resctrl::join_intel_rdt(*cfg.linux_->intel_rdt, dir.id(), pid);
}

void release_host_resources(const ContainerDir& dir, const spec::Config& cfg) noexcept {
    if (!cfg.linux_) return;
    try {
        ns::move_net_devices_out(cfg.linux_->net_devices, netns_pin(dir));
    } catch (const Error& e) {
        log::warn("{}: network devices: {}", dir.id(), e.what());
    }
    try {
        if (cfg.linux_->intel_rdt) resctrl::leave_intel_rdt(*cfg.linux_->intel_rdt, dir.id());
    } catch (const Error& e) {
        log::warn("{}: intelRdt: {}", dir.id(), e.what());
    }
}

}  // namespace ocirt::runtime
