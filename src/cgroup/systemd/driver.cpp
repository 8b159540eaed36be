#include "ocirt/cgroup/systemd/driver.hpp"

#include <csignal>

#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/device_filter.hpp"
#include "ocirt/cgroup/device_rules.hpp"
#include "ocirt/cgroup/systemd/bus.hpp"
#include "ocirt/cgroup/systemd/properties.hpp"
#include "ocirt/cgroup/systemd/unit_name.hpp"
#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::cgroup::systemd {
namespace {

const spec::Resources& resources_of(const spec::Config& c) {
    static const spec::Resources kNone;
    return c.linux_ && c.linux_->resources ? *c.linux_->resources : kNone;
}

/// A child that does nothing until it is killed (or its parent dies): the one process a new
/// scope must have before the init stage joins it.
pid_t start_placeholder() {
    const pid_t pid = sys::fork_process();
    if (pid == 0) {
        try {
            sys::set_parent_death_signal(SIGKILL);
            sys::set_process_name("ocirt-scope");
            while (true) sys::poll_readable({}, -1);
        } catch (...) {
        }
        sys::exit_now(0);
    }
    return pid;
}

std::vector<Property> device_props(const std::vector<DeviceRule>& rules) {
    return device_properties(rules, parse_proc_devices(sys::read_file("/proc/devices")));
}

}  // namespace

ContainerCgroup plan(const spec::Config& c, const std::string& id) {
    // sd_booted(3)'s test.
    if (!sys::exists("/run/systemd/system"))
        fail("--systemd-cgroup: systemd is not PID 1 on this host (no /run/systemd/system); use the cgroupfs driver");
    const CgroupHost host = discover_host();
    if (host.kind != HostKind::unified || !host.v2)
        fail("--systemd-cgroup: ocirt's systemd driver drives a unified cgroup v2 host only; this one has cgroup v1 "
             "hierarchies");
    const UnitPlan p = plan_unit(c.linux_ ? c.linux_->cgroups_path : std::nullopt, id);
    ContainerCgroup cg;
    cg.path = p.path;
    cg.mount = *host.v2;
    cg.host = host;
    cg.systemd_unit = p.unit;
    cg.systemd_slice = p.slice;
    return cg;
}

void setup(ContainerCgroup& cg, const spec::Config& c) {
    const spec::Resources& r = resources_of(c);
    const auto needs = needed_controllers(r);
    const CgroupDir top(cg.mount.mount_point);
    require_available(needs, parse_controller_list(top.read("cgroup.controllers")), cg.mount.mount_point);
    const bool is_slice = cg.systemd_unit.size() > 6 && cg.systemd_unit.ends_with(".slice");

    std::vector<Property> props{{"Description", "ocirt container " + cg.systemd_unit}};
    if (is_slice) {
        props.push_back({"Wants", std::vector<std::string>{cg.systemd_slice}});
    } else {
        props.push_back({"Slice", cg.systemd_slice});
        props.push_back({"Delegate", true});
    }
    for (const char* accounting : {"MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting"})
        props.push_back({accounting, true});
    props.push_back({"DefaultDependencies", false});
    for (auto& p : resource_properties(r)) props.push_back(std::move(p));
    for (auto& p : device_props(effective_device_rules(c))) props.push_back(std::move(p));

    // Forked before the bus connects: the child shares no connection.
    if (!is_slice) {
        cg.placeholder = start_placeholder();
        props.push_back({"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(cg.placeholder)}});
    }
    Bus bus = Bus::connect();
    with_context("/linux/cgroupsPath", [&] {
        bus.start_transient_unit(cg.systemd_unit, cg.systemd_slice + "/" + cg.systemd_unit, props);
    });
    cg.claimed = true;
    log::debug("systemd driver: {} started; cgroup {}", cg.systemd_unit, cg.path);
    // A slice's cgroup may not exist before something is in it (as runc's CreateCgroupPath).
    if (is_slice) sys::make_dirs(cg.dir(), 0755);
    if (!sys::exists(cg.dir())) fail("StartTransientUnit {}: systemd made no cgroup {}", cg.systemd_unit, cg.path);
    enable_controllers(cg.mount.mount_point, cg.dir(), needs);
    v2::apply_resources(cg.files(), r, v2::ApplyMode::create);
    install_device_filter(cg.dir(), effective_device_rules(c));
}

void hand_over(ContainerCgroup& cg, pid_t init_pid) {
    if (cg.placeholder <= 0) return;
    // The init stage joins the scope itself first thing, but maybe not yet: put it in now, so
    // that the scope is never empty (systemd stops an empty scope).
    try {
        sys::write_file(cg.dir() + "/cgroup.procs", std::to_string(init_pid));
    } catch (const Error& e) {
        if (e.code() != ESRCH) throw;
    }
    end_placeholder(cg);
    cg.placeholder = 0;
}

void end_placeholder(const ContainerCgroup& cg) noexcept {
    if (cg.placeholder <= 0) return;
    try {
        sys::send_signal(cg.placeholder, SIGKILL);
        sys::wait_process(cg.placeholder);
    } catch (const Error& e) {
        log::debug("ending the scope's placeholder {}: {}", cg.placeholder, e.what());
    }
}

void stop(const ContainerCgroup& cg) {
    Bus bus = Bus::connect();
    bus.stop_unit(cg.systemd_unit);
    bus.reset_failed_unit(cg.systemd_unit);
}

void set_properties(const ContainerCgroup& cg, const spec::Resources& r, const spec::Config& config) {
    std::vector<Property> props = resource_properties(r);
    if (!r.devices.empty()) {
        spec::Config with_new = config;
        if (!with_new.linux_) with_new.linux_ = spec::Linux{};
        if (!with_new.linux_->resources) with_new.linux_->resources = spec::Resources{};
        with_new.linux_->resources->devices = r.devices;
        for (auto& p : device_props(effective_device_rules(with_new))) props.push_back(std::move(p));
    }
    if (props.empty()) return;
    Bus::connect().set_unit_properties(cg.systemd_unit, props);
}

}  // namespace ocirt::cgroup::systemd
