#pragma once
/// The v1 freezer: freezer.state FROZEN / THAWED, with runc's retry loop (a v1 freeze may stay
/// FREEZING while processes keep appearing).

#include "ocirt/cgroup/cgroup_dir.hpp"

namespace ocirt::cgroup::v1 {

/// Writes FROZEN until freezer.state reads FROZEN (thawing now and then); thaws and throws
/// if it never does.
void freeze(const CgroupDir& cg);
/// Writes THAWED.
void thaw(const CgroupDir& cg);
/// True if the cgroup itself is frozen or freezing (freezer.self_freezing, else freezer.state).
bool is_frozen(const CgroupDir& cg);

}  // namespace ocirt::cgroup::v1
