#include "ocirt/cgroup/controllers.hpp"

#include "ocirt/cgroup/cgroup_dir.hpp"
#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup {
namespace {

constexpr const char* kRes = "/linux/resources";

void need(std::vector<ControllerNeed>& out, const std::string& controller, const std::string& field) {
    for (const auto& n : out)
        if (n.controller == controller) return;
    out.push_back({controller, field});
}

/// The controller a unified key belongs to ("memory.high" → "memory"; "cgroup.*" → "").
std::string unified_controller(const std::string& key) {
    const std::string field = std::string(kRes) + "/unified/" + key;
    if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos)
        fail("{}: not a cgroup interface file name", field);
    const auto dot = key.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
        fail("{}: expected <controller>.<name>", field);
    const std::string c = key.substr(0, dot);
    return c == "cgroup" ? "" : c;
}

}  // namespace

std::vector<ControllerNeed> needed_controllers(const spec::Resources& r) {
    const std::string res = kRes;
    std::vector<ControllerNeed> out;
    if (r.network && (r.network->class_id.value_or(0) != 0 || !r.network->priorities.empty()))
        fail("{}/network: net_cls and net_prio do not exist on cgroup v2", res);
    // A group needs its controller exactly when its apply_* would write something (v2::*_is_set).
    if (r.cpu) {
        const auto& c = *r.cpu;
        if (c.realtime_runtime.value_or(0) != 0) fail("{}/cpu/realtimeRuntime: not supported on cgroup v2", res);
        if (c.realtime_period.value_or(0) != 0) fail("{}/cpu/realtimePeriod: not supported on cgroup v2", res);
        if (v2::cpu_is_set(c)) need(out, "cpu", res + "/cpu");
        if (v2::cpuset_is_set(c)) need(out, "cpuset", res + "/cpu/cpus");
    }
    if (r.memory && v2::memory_is_set(*r.memory)) need(out, "memory", res + "/memory");
    if (v2::pids_is_set(r)) need(out, "pids", res + "/pids");
    if (r.block_io) {
        const auto& b = *r.block_io;
        if (b.leaf_weight.value_or(0) != 0) fail("{}/blockIO/leafWeight: not supported on cgroup v2", res);
        for (const auto& w : b.weight_device)
            if (w.leaf_weight.value_or(0) != 0) fail("{}/blockIO/weightDevice: leafWeight is not supported on cgroup v2", res);
        if (v2::io_is_set(b)) need(out, "io", res + "/blockIO");
    }
    if (!r.hugepage_limits.empty()) need(out, "hugetlb", res + "/hugepageLimits");
    if (v2::rdma_is_set(r.rdma)) need(out, "rdma", res + "/rdma");
    for (const auto& [key, value] : r.unified) {
        const std::string c = unified_controller(key);
        if (!c.empty()) need(out, c, res + "/unified/" + key);
    }
    return out;
}

std::set<std::string> parse_controller_list(const std::string& text) {
    std::set<std::string> out;
    for (const auto& w : util::split(util::trim(text), ' '))
        if (!w.empty()) out.insert(w);
    return out;
}

void require_available(const std::vector<ControllerNeed>& needs, const std::set<std::string>& available,
                       const std::string& where) {
    for (const auto& n : needs) {
        if (available.count(n.controller)) continue;
        std::vector<std::string> have(available.begin(), available.end());
        fail("{}: the cgroup v2 controller \"{}\" is not available (cgroup2 at {} offers: {})", n.field, n.controller,
             where, have.empty() ? "none" : util::join(have, " "));
    }
}

void enable_controllers(const std::string& mount_point, const std::string& dir, const std::vector<ControllerNeed>& needs) {
    if (needs.empty()) return;
    // Every directory above the container's cgroup, from the mount point down.
    std::vector<std::string> ancestors{mount_point};
    for (const auto& level : levels_below(mount_point, dir)) ancestors.push_back(level);
    ancestors.pop_back();
    for (const auto& a : ancestors) {
        const CgroupDir d(a);
        const auto enabled = parse_controller_list(d.read("cgroup.subtree_control"));
        for (const auto& n : needs)
            if (!enabled.count(n.controller)) d.write("cgroup.subtree_control", "+" + n.controller, n.field);
    }
}

}  // namespace ocirt::cgroup
