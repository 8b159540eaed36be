#pragma once
/// The container's cgroup on a legacy or hybrid host, as runc's libcontainer/cgroups/fs: a
/// directory in every mounted v1 hierarchy (named ones like name=systemd too) and, on a hybrid
/// host, in the cgroup2 hierarchy. manager.cpp dispatches here for Driver::v1.

#include "ocirt/cgroup/manager.hpp"

namespace ocirt::cgroup::v1 {

/// Fills the v1 part of a planned cgroup: the directory of `path` (or, for a relative
/// cgroupsPath, of this process's cgroup joined with it) in each v1 hierarchy.
void plan(ContainerCgroup& cg, const std::optional<std::string>& cgroups_path);
/// Checks every limit has its hierarchy, creates the directories (recording each), copies the
/// cpuset down, applies linux.resources and the device list; unified keys (and huge page limits
/// without a v1 hugetlb hierarchy) go to the cgroup2 directory on a hybrid host.
void setup(ContainerCgroup& cg, const spec::Config& c);
/// update: the same, on the live cgroup.
void update(const ContainerCgroup& cg, const spec::Resources& r, const spec::Config& config);
/// True if the config's linux.resources ask the cgroup2 directory of a hybrid host for something:
/// unified keys, or huge page limits without a v1 hugetlb hierarchy.
bool needs_unified(const ContainerCgroup& cg, const spec::Config& c);
/// Every directory of the cgroup: the v1 ones, then the cgroup2 one.
std::vector<std::string> all_dirs(const ContainerCgroup& cg);
/// The directories setup will make (missing now), in the order it makes them.
std::vector<std::string> dirs_to_make(const ContainerCgroup& cg);
/// Kills what is left (freezing first), removes every directory with whatever was made below
/// it, then the parents ocirt created that are empty.
void remove(const ContainerCgroup& cg);
/// The freezer directory; throws when no freezer hierarchy is mounted.
CgroupDir freezer_dir(const ContainerCgroup& cg);

}  // namespace ocirt::cgroup::v1
