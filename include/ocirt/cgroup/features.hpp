#pragma once
/// What ocirt's cgroup support covers, for `ocirt features` (runtime-spec features.md,
/// linux.cgroup).

namespace ocirt::cgroup {

/// The linux.cgroup object of the features document.
struct CgroupFeatures {
    bool v1 = true;            ///< cgroup v1 hierarchies (legacy and hybrid hosts) are driven as runc's fs
    bool v2 = true;
    bool systemd = true;       ///< the systemd driver (--systemd-cgroup; cgroup/systemd/)
    bool systemd_user = true;  ///< rootless: the user's systemd on the user bus (cgroup/systemd/user_bus.hpp)
    bool rdma = true;
};

/// ocirt's cgroup features.
constexpr CgroupFeatures features() { return CgroupFeatures{}; }

}  // namespace ocirt::cgroup
