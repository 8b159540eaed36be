#include "ocirt/cgroup/v1/manager.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/device_rules.hpp"
#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/cgroup/processes.hpp"
#include "ocirt/cgroup/v1/devices.hpp"
#include "ocirt/cgroup/v1/freezer.hpp"
#include "ocirt/cgroup/v1/resources.hpp"
#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::cgroup::v1 {
namespace {

constexpr auto kDrainTimeout = std::chrono::seconds(10);

const spec::Resources& resources_of(const spec::Config& c) {
    static const spec::Resources kNone;
    return c.linux_ && c.linux_->resources ? *c.linux_->resources : kNone;
}

/// mkdir of each missing directory from `top` down to `dir`, recorded in `created` as it goes.
void make_dirs(const std::string& top, const std::string& dir, std::vector<std::string>& created) {
    for (const auto& level : levels_below(top, dir))
        if (sys::make_dir(level, 0755, true)) created.push_back(level);
}

/// The directories make_dirs would create from `top` down to `dir` (those missing now).
void missing_dirs(const std::string& top, const std::string& dir, std::vector<std::string>& out) {
    for (const auto& level : levels_below(top, dir))
        if (!sys::exists(level)) out.push_back(level);
}

/// What the cgroup2 directory of a hybrid host gets: the unified keys, and huge page limits
/// when v1 has no hugetlb hierarchy (systemd's hybrid layout leaves hugetlb to cgroup2).
spec::Resources unified_part(const ContainerCgroup& cg, const spec::Resources& r) {
    spec::Resources u;
    u.unified = r.unified;
    if (!controller_dir(cg.v1_dirs, "hugetlb")) u.hugepage_limits = r.hugepage_limits;
    return u;
}

void apply_unified(const ContainerCgroup& cg, const spec::Resources& u, ApplyMode) {
    if (u.unified.empty() && u.hugepage_limits.empty()) return;
    if (!cg.unified) {
        if (!u.unified.empty()) check_resources(cg.v1_dirs, u, false);
        fail("/linux/resources/hugepageLimits: no hugetlb hierarchy (cgroup v1 or v2) is mounted on this host");
    }
    const auto needs = needed_controllers(u);
    require_available(needs, parse_controller_list(CgroupDir(cg.mount.mount_point).read("cgroup.controllers")),
                      cg.mount.mount_point);
    enable_controllers(cg.mount.mount_point, cg.dir(), needs);
    const CgroupDir d(cg.dir());
    v2::apply_hugetlb(d, u.hugepage_limits);
    v2::apply_unified(d, u.unified);
}

void apply_device_list(const ContainerCgroup& cg, const spec::Config& c) {
    if (auto d = controller_dir(cg.v1_dirs, "devices")) apply_devices(*d, effective_device_rules(c));
}

}  // namespace

bool needs_unified(const ContainerCgroup& cg, const spec::Config& c) {
    const spec::Resources u = unified_part(cg, resources_of(c));
    return !u.unified.empty() || !u.hugepage_limits.empty();
}

void plan(ContainerCgroup& cg, const std::optional<std::string>& cgroups_path) {
    const bool relative = cgroups_path && !cgroups_path->empty() && (*cgroups_path)[0] != '/';
    const auto own = relative ? v1_entries(sys::read_file("/proc/self/cgroup")) : std::map<std::string, std::string>{};
    for (const auto& h : cg.host.v1_hierarchies) {
        // runc's subsysPath: a relative cgroupsPath is below this process's own cgroup of each
        // hierarchy (there is no v1 rule against processes in inner cgroups).
        std::string path = cg.path;
        if (relative) {
            const auto it = own.find(h.key);
            path = clean_path((it == own.end() ? "/" : it->second) + "/" + clean_path(*cgroups_path));
        }
        if (path == "/") fail("/linux/cgroupsPath: the root cgroup cannot be a container's cgroup");
        cg.v1_dirs[h.key] = with_context("/linux/cgroupsPath", [&] { return directory_of(h.mount, path); });
    }
}

std::vector<std::string> dirs_to_make(const ContainerCgroup& cg) {
    std::vector<std::string> out;
    for (const auto& h : cg.host.v1_hierarchies) missing_dirs(h.mount.mount_point, cg.v1_dirs.at(h.key), out);
    if (cg.unified) missing_dirs(cg.mount.mount_point, cg.dir(), out);
    return out;
}

std::vector<std::string> all_dirs(const ContainerCgroup& cg) {
    std::vector<std::string> out;
    for (const auto& [key, dir] : cg.v1_dirs) out.push_back(dir);
    if (cg.unified) out.push_back(cg.dir());
    return out;
}

void setup(ContainerCgroup& cg, const spec::Config& c) {
    const spec::Resources& r = resources_of(c);
    // Everything that can be refused is refused before a directory exists.
    check_resources(cg.v1_dirs, r, cg.unified);
    const spec::Resources u = unified_part(cg, r);
    if (cg.unified) {
        const auto offered = parse_controller_list(CgroupDir(cg.mount.mount_point).read("cgroup.controllers"));
        require_available(needed_controllers(u), offered, cg.mount.mount_point);
    } else if (!u.hugepage_limits.empty()) {
        fail("/linux/resources/hugepageLimits: no hugetlb hierarchy is mounted on this host");
    }
    emulate(effective_device_rules(c));
    for (const auto& d : all_dirs(cg))
        if (sys::exists(d) && !processes(CgroupDir(d)).empty())
            fail("/linux/cgroupsPath: cgroup {} already has processes", d);
    // Claimed first: a failure part-way (a cpuset copy) removes what was made.
    cg.claimed = true;
    for (const auto& h : cg.host.v1_hierarchies) {
        const bool cpuset = std::find(h.controllers.begin(), h.controllers.end(), "cpuset") != h.controllers.end();
        if (cpuset) make_cpuset_dirs(h.mount.mount_point, cg.v1_dirs.at(h.key), cg.created);
        else make_dirs(h.mount.mount_point, cg.v1_dirs.at(h.key), cg.created);
    }
    if (cg.unified) make_dirs(cg.mount.mount_point, cg.dir(), cg.created);
    apply_resources(cg.v1_dirs, r, ApplyMode::create);
    if (cg.device_filter) apply_device_list(cg, c);
    apply_unified(cg, u, ApplyMode::create);
}

void update(const ContainerCgroup& cg, const spec::Resources& r, const spec::Config& config) {
    check_resources(cg.v1_dirs, r, cg.unified);
    apply_resources(cg.v1_dirs, r, ApplyMode::update);
    if (!r.devices.empty() && cg.device_filter) {
        spec::Config with_new = config;
        if (!with_new.linux_) with_new.linux_ = spec::Linux{};
        if (!with_new.linux_->resources) with_new.linux_->resources = spec::Resources{};
        with_new.linux_->resources->devices = r.devices;
        apply_device_list(cg, with_new);
    }
    apply_unified(cg, unified_part(cg, r), ApplyMode::update);
}

CgroupDir freezer_dir(const ContainerCgroup& cg) {
    auto d = controller_dir(cg.v1_dirs, "freezer");
    if (!d) fail("no cgroup v1 freezer hierarchy is mounted on this host");
    return *d;
}

void remove(const ContainerCgroup& cg) {
    if (!cg.claimed) return;
    const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
    // v1 has no cgroup.kill. rmdir first: the kernel refuses it (EBUSY) while a process is in
    // the directory or a cgroup below it, and only then are the hierarchies scanned (once per
    // refusal, not per directory): SIGKILL to whatever any of them lists (frozen processes die
    // too: SIGKILL wakes them), child cgroups removed, and rmdir again until the kernel has let
    // go. A stopped container's directories go with one rmdir each.
    const auto dirs = all_dirs(cg);
    for (const auto& dir : dirs) {
        for (int attempt = 0;; ++attempt) {
            const int err = sys::remove_empty_dir(dir);
            if (err == 0 || err == ENOENT) break;
            if (err != EBUSY || std::chrono::steady_clock::now() > deadline) throw_error_code(err, "remove cgroup {}", dir);
            if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            if (!processes(cg).empty()) signal_all(cg, SIGKILL);
            remove_child_cgroups(dir);
        }
    }
    // The parents ocirt made, deepest first, while nobody else uses them.
    for (auto it = cg.created.rbegin(); it != cg.created.rend(); ++it) {
        if (std::find(dirs.begin(), dirs.end(), *it) != dirs.end()) continue;  // removed above
        const int err = sys::remove_empty_dir(*it);
        if (err != 0 && err != ENOENT && err != EBUSY && err != ENOTEMPTY) log::debug("remove cgroup {}: {}", *it, std::strerror(err));
    }
}

}  // namespace ocirt::cgroup::v1
