#pragma once
/// What ocirt's cgroup support covers, for `ocirt features` (runtime-spec features.md,
/// linux.cgroup).

namespace ocirt::cgroup {

/// The linux.cgroup object of the features document.
struct CgroupFeatures {
    bool v1 = true;            ///< cgroup v1 hierarchies (legacy and hybrid hosts) are driven as runc's fs
    bool v2 = true;
    bool systemd = false;      ///< no systemd cgroup driver (--systemd-cgroup is an error)
    bool systemd_user = false;
    bool rdma = true;
};

/// ocirt's cgroup features.
constexpr CgroupFeatures features() { return CgroupFeatures{}; }

}  // namespace ocirt::cgroup
