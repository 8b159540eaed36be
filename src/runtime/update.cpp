#include <nlohmann/json.hpp>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/runtime/container.hpp"
#include "ocirt/resctrl/intel_rdt.hpp"
#include "ocirt/runtime/create_internal.hpp"
#include "ocirt/runtime/rootless.hpp"
#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/runtime/update_request.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::runtime {
namespace {

template <typename T>
void overlay(std::optional<T>& into, const std::optional<T>& from) {
    if (from) into = from;
}

/// The --resources document's text, if given ("-" reads stdin).
std::optional<std::string> resources_text(const UpdateOptions& o) {
    if (!o.resources_file) return std::nullopt;
    return with_context("--resources", [&] {
        return *o.resources_file == "-" ? sys::read_fd(0, 1u << 20) : sys::read_file(*o.resources_file, 1u << 20);
    });
}

/// --l3-cache-schema / --mem-bw-schema: the container's Intel RDT group gets the new schemata
/// (made and joined now if the container had none, as runc does); recorded in `cfg`.
void update_intel_rdt(const UpdateOptions& o, const ContainerDir& dir, pid_t pid, spec::Config& cfg) {
    if (!o.l3_cache_schema && !o.mem_bw_schema) return;
    spec::IntelRdt rdt = cfg.linux_->intel_rdt.value_or(spec::IntelRdt{});
    if (o.l3_cache_schema) rdt.l3_cache_schema = *o.l3_cache_schema;
    if (o.mem_bw_schema) rdt.mem_bw_schema = *o.mem_bw_schema;
    with_context(o.l3_cache_schema ? "--l3-cache-schema" : "--mem-bw-schema",
                 [&] { resctrl::update_intel_rdt(rdt, dir.id(), pid); });
    cfg.linux_->intel_rdt = rdt;
}

/// `from` laid over `into`, group by group; returns the groups `from` touches, as merged.
spec::Resources merge(spec::Resources& into, const spec::Resources& from) {
    spec::Resources touched;
    if (from.memory) {
        auto& m = into.memory ? *into.memory : into.memory.emplace();
        const auto& f = *from.memory;
        overlay(m.limit, f.limit);
        overlay(m.reservation, f.reservation);
        overlay(m.swap, f.swap);
        overlay(m.kernel, f.kernel);
        overlay(m.kernel_tcp, f.kernel_tcp);
        overlay(m.swappiness, f.swappiness);
        overlay(m.disable_oom_killer, f.disable_oom_killer);
        overlay(m.use_hierarchy, f.use_hierarchy);
        touched.memory = m;
        touched.memory->check_before_update = f.check_before_update;
    }
    if (from.cpu) {
        auto& c = into.cpu ? *into.cpu : into.cpu.emplace();
        const auto& f = *from.cpu;
        overlay(c.shares, f.shares);
        overlay(c.quota, f.quota);
        overlay(c.burst, f.burst);
        overlay(c.period, f.period);
        overlay(c.realtime_runtime, f.realtime_runtime);
        overlay(c.realtime_period, f.realtime_period);
        overlay(c.cpus, f.cpus);
        overlay(c.mems, f.mems);
        overlay(c.idle, f.idle);
        touched.cpu = from.cpu;  // only what was asked: cpuset files stay as they are otherwise
        if (f.quota || f.period) {
            touched.cpu->quota = c.quota;
            touched.cpu->period = c.period;
        }
    }
    if (from.has_pids || from.pids_limit) {
        into.has_pids = touched.has_pids = true;
        into.pids_limit = touched.pids_limit = from.pids_limit;
    }
    if (from.block_io) {
        auto& b = into.block_io ? *into.block_io : into.block_io.emplace();
        overlay(b.weight, from.block_io->weight);
        touched.block_io = from.block_io;
        if (!from.block_io->weight_device.empty()) b.weight_device = from.block_io->weight_device;
        for (auto list : {&spec::BlockIoResources::throttle_read_bps_device, &spec::BlockIoResources::throttle_write_bps_device,
                           &spec::BlockIoResources::throttle_read_iops_device, &spec::BlockIoResources::throttle_write_iops_device})
            if (!((*from.block_io).*list).empty()) b.*list = (*from.block_io).*list;
    }
    if (!from.hugepage_limits.empty()) into.hugepage_limits = touched.hugepage_limits = from.hugepage_limits;
    for (const auto& [dev, limit] : from.rdma) into.rdma[dev] = touched.rdma[dev] = limit;
    for (const auto& [key, value] : from.unified) into.unified[key] = touched.unified[key] = value;
    if (!from.devices.empty()) into.devices = touched.devices = from.devices;
    if (from.network) into.network = touched.network = from.network;
    return touched;
}

/// True if `r` asks for nothing (no group given).
bool is_empty(const spec::Resources& r) {
    return !r.memory && !r.cpu && !r.has_pids && !r.pids_limit && !r.block_io && r.hugepage_limits.empty() &&
           r.rdma.empty() && r.unified.empty() && r.devices.empty() && !r.network;
}

/// The JSON pointer of the first group `r` asks for, for an error about it.
std::string first_field(const spec::Resources& r) {
    const char* name = r.memory                     ? "memory"
                       : r.cpu                      ? "cpu"
                       : r.has_pids || r.pids_limit ? "pids"
                       : r.block_io                 ? "blockIO"
                       : !r.hugepage_limits.empty() ? "hugepageLimits"
                       : !r.rdma.empty()            ? "rdma"
                       : !r.unified.empty()         ? "unified"
                       : !r.devices.empty()         ? "devices"
                                                    : "network";
    return std::string("/linux/resources/") + name;
}

/// Why a container has no cgroup: rootless without a delegated one, or created without one.
const char* no_cgroup_reason(const GlobalOptions& g) {
    return is_rootless(g.rootless) ? "rootless, nothing was delegated to this user"
                                   : "it was created without one: --cgroup-manager=disabled";
}

}  // namespace

void update_container(const GlobalOptions& g, const UpdateOptions& o) {
    with_context("update " + o.id, [&] {
        ContainerDir dir = ContainerDir::open(g.root, o.id);
        const auto rec = dir.load();
        const spec::Status st = compute_status(dir, rec);
        if (st != spec::Status::running && st != spec::Status::created && st != spec::Status::paused)
            fail("container not running");
        const spec::Resources asked = requested_resources(o, resources_text(o));
        spec::Config cfg = saved_config(dir);
        if (!cfg.linux_) cfg.linux_ = spec::Linux{};
        if (!is_empty(asked)) {
            if (rec->cgroup_path.empty())
                fail("{}: cannot set the limit: the container has no cgroup ({})", first_field(asked),
                     no_cgroup_reason(g));
            spec::Resources& current = cfg.linux_->resources ? *cfg.linux_->resources : cfg.linux_->resources.emplace();
            const spec::Resources touched = merge(current, asked);
            cgroup::ContainerCgroup cg = locate_cgroup(*rec);
            // Rootless, create loaded no device filter (cgroup/rootless.hpp: the devices are the
            // host's nodes bound at create); update loads none either. runc ignores the devices'
            // errors rootless; ocirt says so.
            if (is_rootless(g.rootless) && is_rootless(Rootless::auto_detect)) {
                cg.device_filter = false;
                if (!touched.devices.empty())
                    log::warn("/linux/resources/devices: not applied: running rootless, the container has no "
                              "device filter (its devices are the host's nodes bound at create)");
            }
            cgroup::update_cgroup(cg, touched, cfg);
        }
        update_intel_rdt(o, dir, rec->pid, cfg);
        sys::replace_file(dir.config_path(), spec::config_to_json(cfg).dump(), 0600);
    });
}

}  // namespace ocirt::runtime
