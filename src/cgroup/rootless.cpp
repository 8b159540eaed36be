#include "ocirt/cgroup/rootless.hpp"

#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/cgroup/v1/manager.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup {

bool asks_limits(const spec::Config& c) {
    if (!c.linux_ || !c.linux_->resources) return false;
    spec::Resources r = *c.linux_->resources;
    r.devices.clear();
    try {
        return !needed_controllers(r).empty();
    } catch (const Error&) {
        return true;  // a limit cgroup v2 has no controller for (net_cls, realtime ...) is a limit too
    }
}

namespace {
/// The cgroup directory `dir` can be made (its nearest existing ancestor is writable) or, when
/// it exists, joined (its cgroup.procs is writable).
bool usable(const std::string& dir) {
    if (sys::exists(dir)) return sys::is_writable(dir) && sys::is_writable(dir + "/cgroup.procs");
    std::string cur = dir;
    while (true) {
        const auto slash = cur.find_last_of('/');
        if (slash == std::string::npos || slash == 0) return false;
        cur = cur.substr(0, slash);
        if (sys::exists(cur)) return sys::is_writable(cur);
    }
}
/// The nearest cgroup above (or at) both hierarchy paths.
std::string common_ancestor(const std::string& a, const std::string& b) {
    const auto pa = util::split(a, '/');
    const auto pb = util::split(b, '/');
    std::string out;
    for (size_t i = 0; i < pa.size() && i < pb.size() && pa[i] == pb[i]; ++i)
        if (!pa[i].empty()) out += "/" + pa[i];
    return out.empty() ? "/" : out;
}

/// cgroup2 moves a process into another cgroup only for a writer of the cgroup.procs of the
/// common ancestor of both (cgroup-v2.rst, "Delegation Containment"): the caller's processes
/// must already be inside the delegated subtree.
bool joinable_v2(const ContainerCgroup& cg) {
    try {
        const std::string common = common_ancestor(clean_path(own_cgroup()), cg.path);
        return sys::is_writable(directory_of(cg.mount, common) + "/cgroup.procs");
    } catch (const Error&) {
        return false;  // the caller's cgroup is not under this mount
    }
}
}  // namespace

bool delegated(const ContainerCgroup& cg) {
    const auto dirs = cg.driver == Driver::v1 ? v1::all_dirs(cg) : std::vector<std::string>{cg.dir()};
    if (dirs.empty()) return false;
    for (const auto& d : dirs)
        if (d.empty() || !usable(d)) return false;
    return !cg.unified || joinable_v2(cg);
}

std::optional<ContainerCgroup> plan_rootless(const spec::Config& c, const std::string& id, bool systemd,
                                             bool unprivileged) {
    const bool limits = asks_limits(c);
    std::optional<ContainerCgroup> cg;
    try {
        cg = plan_cgroup(c, id, systemd, systemd && unprivileged);
    } catch (const Error& e) {
        // --systemd-cgroup asks for the user's systemd: failing to reach it is an error, as runc.
        if (limits || (systemd && unprivileged)) throw;
        log::debug("rootless: no cgroup ({})", e.what());
        return std::nullopt;
    }
    if (!cg) return cg;
    cg->device_filter = !unprivileged;
    if (!cg->systemd_unit.empty() || delegated(*cg)) return cg;
    // A hybrid host's cgroup2 directory, when only the v1 hierarchies were delegated (or the
    // caller's processes are outside the delegated cgroup2 subtree): left out, the container
    // stays in the caller's cgroup2 cgroup, as runc 1.1's rootless v1 manager leaves it, unless
    // the config asks cgroup2 for a limit.
    if (cg->driver == Driver::v1 && cg->unified && !v1::needs_unified(*cg, c)) {
        ContainerCgroup v1_only = *cg;
        v1_only.unified = false;
        if (delegated(v1_only)) {
            log::debug("rootless: cgroup {} is delegated in the v1 hierarchies only; not joining cgroup2", cg->path);
            return v1_only;
        }
    }
    if (limits)
        fail("/linux/resources: running rootless, the cgroup {} is not delegated to this user (not writable), so "
             "its limits cannot be applied",
             cg->path);
    log::debug("rootless: cgroup {} is not delegated to this user; running without a cgroup", cg->path);
    return std::nullopt;
}

}  // namespace ocirt::cgroup
