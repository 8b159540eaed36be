#include "ocirt/cgroup/systemd/driver.hpp"

#include <csignal>

#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/device_filter.hpp"
#include "ocirt/cgroup/device_rules.hpp"
#include "ocirt/cgroup/systemd/bus.hpp"
#include "ocirt/cgroup/systemd/properties.hpp"
#include "ocirt/cgroup/systemd/unit_name.hpp"
#include "ocirt/cgroup/systemd/user_bus.hpp"
#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::cgroup::systemd {
namespace {

constexpr const char* kUserSlice = "user.slice";

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

/// The manager that owns the unit: the user's (on the user bus) or the system's.
Bus connect_for(const ContainerCgroup& cg) {
    if (cg.systemd_user) return connect_user_bus();
    return Bus::connect();
}

}  // namespace

ContainerCgroup plan(const spec::Config& c, const std::string& id, bool user) {
    // sd_booted(3)'s test.
    if (!sys::exists("/run/systemd/system"))
        fail("--systemd-cgroup: systemd is not PID 1 on this host (no /run/systemd/system); use the cgroupfs driver");
    const CgroupHost host = discover_host();
    if (host.kind != HostKind::unified || !host.v2)
        fail("--systemd-cgroup: ocirt's systemd driver drives a unified cgroup v2 host only; this one has cgroup v1 "
             "hierarchies");
    const auto cgroups_path = c.linux_ ? c.linux_->cgroups_path : std::nullopt;
    ContainerCgroup cg;
    if (user) {
        // The user's systemd makes its units below its own cgroup (user@<uid>.service), which
        // the system manager delegated to the user; its slices nest there as at the root.
        const UnitPlan p = plan_unit(cgroups_path, id, kUserSlice);
        const std::string manager = connect_user_bus().control_group();
        if (manager.empty() || manager.front() != '/')
            fail("--systemd-cgroup (rootless): the user's systemd reports no ControlGroup (\"{}\")", manager);
        cg.path = (manager == "/" ? "" : manager) + p.path;
        cg.systemd_unit = p.unit;
        cg.systemd_slice = p.slice;
        cg.systemd_user = true;
        cg.systemd_manager_cgroup = manager;
        cg.mount = *host.v2;
        cg.host = host;
        with_context("/linux/cgroupsPath", [&] { cg.dir(); });  // the mount must show the user's subtree
        return cg;
    }
    const UnitPlan p = plan_unit(cgroups_path, id);
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
    const std::string top_dir = require_controllers(cg, needs);
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
    // The user's systemd cannot load a device program (no privilege) and enforces no device
    // policy; devices are bind-mounted from the host instead (docs/rootless.md).
    if (!cg.systemd_user)
        for (auto& p : device_props(effective_device_rules(c))) props.push_back(std::move(p));

    // Forked before the bus connects: the child shares no connection.
    if (!is_slice) {
        cg.placeholder = start_placeholder();
        props.push_back({"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(cg.placeholder)}});
    }
    Bus bus = connect_for(cg);
    with_context("/linux/cgroupsPath", [&] {
        bus.start_transient_unit(cg.systemd_unit, cg.systemd_slice + "/" + cg.systemd_unit, props);
    });
    cg.claimed = true;
    log::debug("systemd driver: {} started; cgroup {}", cg.systemd_unit, cg.path);
    // A slice's cgroup may not exist before something is in it (as runc's CreateCgroupPath).
    if (is_slice) sys::make_dirs(cg.dir(), 0755);
    if (!sys::exists(cg.dir())) fail("StartTransientUnit {}: systemd made no cgroup {}", cg.systemd_unit, cg.path);
    enable_controllers(top_dir, cg.dir(), needs);
    v2::apply_resources(cg.files(), r, v2::ApplyMode::create);
    if (cg.device_filter) install_device_filter(cg.dir(), effective_device_rules(c));
}

std::string require_controllers(const ContainerCgroup& cg, const std::vector<ControllerNeed>& needs) {
    if (!cg.systemd_user) {
        require_available(needs, parse_controller_list(CgroupDir(cg.mount.mount_point).read("cgroup.controllers")),
                          cg.mount.mount_point);
        return cg.mount.mount_point;
    }
    // The user's systemd can only use the controllers the system manager delegated to it
    // (user@.service's Delegate=, Debian: cpu memory pids); above its cgroup nothing is the user's.
    const std::string manager =
        cg.systemd_manager_cgroup.empty() ? user_manager_cgroup(cg.path) : cg.systemd_manager_cgroup;
    const std::string dir = directory_of(cg.mount, manager);
    require_delegated(needs, parse_controller_list(CgroupDir(dir).read("cgroup.controllers")), manager);
    return dir;
}

void hand_over(ContainerCgroup& cg, pid_t init_pid) {
    if (cg.placeholder <= 0) return;
    if (cg.systemd_user) {
        // attach_process put it in before it joined (the user may not move it from where it was).
        end_placeholder(cg);
        cg.placeholder = 0;
        return;
    }
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

void attach_process(const ContainerCgroup& cg, pid_t pid) {
    if (!cg.systemd_user) return;
    // Relative to the unit's cgroup: "" for the unit itself, "/sub" for exec --cgroup sub.
    connect_user_bus().attach_processes(cg.systemd_unit, cg.systemd_subcgroup, {static_cast<uint32_t>(pid)});
}

void stop(const ContainerCgroup& cg) {
    Bus bus = connect_for(cg);
    bus.stop_unit(cg.systemd_unit);
    bus.reset_failed_unit(cg.systemd_unit);
}

void set_properties(const ContainerCgroup& cg, const spec::Resources& r, const spec::Config& config) {
    std::vector<Property> props = resource_properties(r);
    if (!r.devices.empty() && !cg.systemd_user) {
        spec::Config with_new = config;
        if (!with_new.linux_) with_new.linux_ = spec::Linux{};
        if (!with_new.linux_->resources) with_new.linux_->resources = spec::Resources{};
        with_new.linux_->resources->devices = r.devices;
        for (auto& p : device_props(effective_device_rules(with_new))) props.push_back(std::move(p));
    }
    if (props.empty()) return;
    connect_for(cg).set_unit_properties(cg.systemd_unit, props);
}

}  // namespace ocirt::cgroup::systemd
