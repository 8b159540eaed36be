#pragma once
/// Which cgroup v2 controllers a config needs, whether the hierarchy offers them, and enabling
/// them in cgroup.subtree_control of every ancestor of the container's cgroup.

#include <set>
#include <string>
#include <vector>

#include "ocirt/cgroup/hierarchy.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::cgroup {

/// A controller a config needs, and the first config field that needs it.
struct ControllerNeed {
    std::string controller;  ///< "memory", "cpu", "cpuset", "pids", "io", "hugetlb", "rdma", "misc"...
    std::string field;       ///< "/linux/resources/memory"
};

/// The controllers `r` needs, each once, in a fixed order. Throws for what cgroup v2 cannot do
/// at all (network classID/priorities, blockIO leafWeight, non-zero realtime, a bad unified key).
std::vector<ControllerNeed> needed_controllers(const spec::Resources& r);
/// The words of cgroup.controllers / cgroup.subtree_control.
std::set<std::string> parse_controller_list(const std::string& text);
/// Throws naming the controller and the field for the first need not in `available`.
void require_available(const std::vector<ControllerNeed>& needs, const std::set<std::string>& available,
                       const std::string& where);
/// Writes "+<controller>" to cgroup.subtree_control of each directory from `mount_point` down to
/// the parent of `dir` (absolute, under the mount), where it is not enabled yet.
void enable_controllers(const std::string& mount_point, const std::string& dir, const std::vector<ControllerNeed>& needs);

}  // namespace ocirt::cgroup
