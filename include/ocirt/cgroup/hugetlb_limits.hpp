#pragma once
/// hugepageLimits written to a cgroup's hugetlb files; the two hierarchies differ only in the
/// files' suffix (v2: `hugetlb.<size>.max`, v1: `hugetlb.<size>.limit_in_bytes`).

#include <string_view>
#include <vector>

#include "ocirt/cgroup/cgroup_dir.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::cgroup {

/// Checks each page size (a name, no path), then writes `hugetlb.<size>.<limit_suffix>` and,
/// where the kernel accounts reservations, `hugetlb.<size>.rsvd.<limit_suffix>` (runc sets
/// both). A page size the kernel lacks is an error naming the field and the missing file.
void write_hugetlb_limits(const CgroupDir& cg, const std::vector<spec::HugepageLimit>& limits,
                          std::string_view limit_suffix);

}  // namespace ocirt::cgroup
