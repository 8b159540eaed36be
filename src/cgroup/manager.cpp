#include "ocirt/cgroup/manager.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/device_filter.hpp"
#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/cgroup/processes.hpp"
#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup {
namespace {

constexpr auto kDrainTimeout = std::chrono::seconds(10);

const spec::Resources& resources_of(const spec::Config& c) {
    static const spec::Resources kNone;
    return c.linux_ && c.linux_->resources ? *c.linux_->resources : kNone;
}

/// The hierarchy path of a directory under the mount.
std::string hierarchy_path(const Cgroup2Mount& m, const std::string& dir) {
    const std::string root = clean_path(m.root);
    return clean_path((root == "/" ? "" : root) + "/" + dir.substr(m.mount_point.size()));
}

/// mkdir of each missing directory from the mount down to the cgroup, recorded as it goes. A
/// concurrent remove of a shared parent (another container's delete) can make a mkdir fail with
/// ENOENT: start over.
void make_cgroup_dirs(ContainerCgroup& cg) {
    const std::string dir = cg.dir();
    for (int attempt = 0;; ++attempt) {
        std::string cur = cg.mount.mount_point;
        try {
            for (const auto& part : util::split(dir.substr(cur.size()), '/')) {
                if (part.empty()) continue;
                cur += "/" + part;
                if (sys::make_dir(cur, 0755, true)) cg.created.push_back(hierarchy_path(cg.mount, cur));
            }
            return;
        } catch (const Error& e) {
            if (e.code() != ENOENT || attempt >= 5) throw;
        }
    }
}

}  // namespace

std::string ContainerCgroup::dir() const { return directory_of(mount, path); }

std::optional<ContainerCgroup> plan_cgroup(const spec::Config& c, const std::string& id, bool systemd) {
    const std::optional<std::string> wanted = c.linux_ ? c.linux_->cgroups_path : std::nullopt;
    if (systemd) fail("--systemd-cgroup: the systemd cgroup driver is not supported by ocirt yet");
    const CgroupHost host = discover_host();
    if (!host.v2) {
        const bool asks = wanted || (c.linux_ && c.linux_->resources);
        if (!asks) return std::nullopt;
        const char* field = wanted ? "/linux/cgroupsPath" : "/linux/resources";
        if (host.kind == HostKind::legacy)
            fail("{}: this host has only cgroup v1 hierarchies (v1 {} controller at {}); ocirt supports only cgroup v2",
                 field, host.v1.begin()->first, host.v1.begin()->second);
        fail("{}: this host has no cgroup v2 hierarchy (no cgroup2 mount in /proc/self/mountinfo)", field);
    }
    const std::string path = resolve_cgroup_path(wanted, id, own_cgroup());
    if (path == "/") fail("/linux/cgroupsPath: the root cgroup cannot be a container's cgroup");
    ContainerCgroup cg;
    cg.path = path;
    cg.mount = *host.v2;
    cg.host = host;
    with_context("/linux/cgroupsPath", [&] { cg.dir(); });  // the mount must show the path
    return cg;
}

void setup_cgroup(ContainerCgroup& cg, const spec::Config& c) {
    const spec::Resources& r = resources_of(c);
    const auto needs = needed_controllers(r);
    refuse_v1_controllers(needs, cg.host);
    const CgroupDir top(cg.mount.mount_point);
    require_available(needs, parse_controller_list(top.read("cgroup.controllers")), cg.mount.mount_point);
    const CgroupDir files = cg.files();
    if (sys::exists(cg.dir()) && populated(files)) fail("/linux/cgroupsPath: cgroup {} already has processes", cg.path);
    make_cgroup_dirs(cg);
    cg.claimed = true;
    enable_controllers(cg.mount.mount_point, cg.dir(), needs);
    v2::apply_resources(files, r, v2::ApplyMode::create);
    install_device_filter(cg.dir(), effective_device_rules(c));
}

sys::Fd open_for_join(const ContainerCgroup& cg) { return sys::open_at(AT_FDCWD, cg.dir() + "/cgroup.procs", O_WRONLY); }

void join(int procs_fd) { with_context("join the container's cgroup", [&] { sys::write_all(procs_fd, "0"); }); }

ContainerCgroup locate(const std::string& path, const std::vector<std::string>& created) {
    const CgroupHost host = discover_host();
    if (!host.v2) fail("cgroup {}: no cgroup2 mount in this mount namespace", path);
    ContainerCgroup cg;
    cg.path = path;
    cg.mount = *host.v2;
    cg.host = host;
    cg.created = created;
    cg.claimed = true;
    return cg;
}

ContainerCgroup sub_cgroup(const ContainerCgroup& cg, const std::string& relative) {
    // Cleaned lexically as runc does: ".." may not climb out of the container's cgroup.
    const std::string path = clean_path(cg.path + "/" + relative);
    const std::string base = cg.path == "/" ? "" : cg.path;
    if (relative.empty() || path.size() <= base.size() + 1 || path.compare(0, base.size() + 1, base + "/") != 0)
        fail("{} is not a sub-cgroup of {}", relative, cg.path);
    ContainerCgroup sub = cg;
    sub.path = path;
    sub.created.clear();
    sub.claimed = false;
    if (!sys::exists(sub.dir() + "/cgroup.procs")) fail("cgroup {} does not exist", path);
    return sub;
}

namespace {
/// Removes the cgroups below `dir`, deepest first, as runc's RemovePath does: the kernel refuses
/// (EBUSY) to remove a cgroup that has children, and they exist whenever exec --cgroup joined a
/// sub-cgroup a user made or the container made its own (systemd or a nested engine with a
/// cgroup namespace). Errors are left to the caller's rmdir of `dir` to report.
void remove_child_cgroups(const std::string& dir) {
    for (const auto& name : sys::list_dir(dir)) {
        const std::string child = dir + "/" + name;
        const auto st = sys::stat_path(child);
        if (!st || !S_ISDIR(st->st_mode)) continue;
        remove_child_cgroups(child);
        sys::remove_empty_dir(child);
    }
}
}  // namespace

void remove_cgroup(const ContainerCgroup& cg) {
    const CgroupDir files = cg.files();
    if (!cg.claimed) return;
    const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
    // rmdir fails with EBUSY while a process (even a dying one) is in the cgroup or below it;
    // kill (cgroup.kill reaches the whole subtree) and retry until the kernel has let go of the
    // last one. A create killed before it made the cgroup may still have made parents.
    while (sys::exists(cg.dir())) {
        if (populated(files) && !kill_all(files)) signal_all(files, SIGKILL);
        remove_child_cgroups(cg.dir());
        const int err = sys::remove_empty_dir(cg.dir());
        if (err == 0) break;
        if (err != EBUSY || std::chrono::steady_clock::now() > deadline)
            throw_error_code(err, "remove cgroup {}", cg.dir());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // The parents ocirt made, deepest first, while nobody else uses them.
    for (auto it = cg.created.rbegin(); it != cg.created.rend(); ++it) {
        if (*it == cg.path) continue;
        const int err = sys::remove_empty_dir(directory_of(cg.mount, *it));
        if (err == ENOENT) continue;  // recorded before a killed create made it
        if (err != 0) {
            if (err != EBUSY && err != ENOTEMPTY) log::debug("remove cgroup {}: {}", *it, std::strerror(err));
            break;
        }
    }
}

void update_cgroup(const ContainerCgroup& cg, const spec::Resources& r, const spec::Config& config) {
    const CgroupDir files = cg.files();
    // A limit of a kind create did not set needs its controller enabled in the ancestors now.
    const auto needs = needed_controllers(r);
    refuse_v1_controllers(needs, cg.host);
    require_available(needs, parse_controller_list(CgroupDir(cg.mount.mount_point).read("cgroup.controllers")),
                      cg.mount.mount_point);
    enable_controllers(cg.mount.mount_point, cg.dir(), needs);
    v2::apply_resources(files, r, v2::ApplyMode::update);
    if (!r.devices.empty()) {
        spec::Config with_new = config;
        if (!with_new.linux_) with_new.linux_ = spec::Linux{};
        if (!with_new.linux_->resources) with_new.linux_->resources = spec::Resources{};
        with_new.linux_->resources->devices = r.devices;
        install_device_filter(cg.dir(), effective_device_rules(with_new));
    }
}

}  // namespace ocirt::cgroup
