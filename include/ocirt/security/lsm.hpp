#pragma once
/// Linux security module labels: process.apparmorProfile, process.selinuxLabel and
/// linux.mountLabel. A label the host cannot apply is an error (a container must not run
/// unconfined by surprise), except AppArmor's "unconfined", which asks for nothing (as runc).
/// Every write to /proc/thread-self/attr goes through a verified procfs handle, so a fake or
/// overmounted /proc in the rootfs cannot turn it into a no-op (CVE-2019-16884 class).

#include "ocirt/spec/config.hpp"

namespace ocirt::security {

/// The AppArmor profile that means "no confinement".
inline constexpr const char* kUnconfined = "unconfined";

/// Parent: the process labels and linux.mountLabel can be applied on this host.
void check_lsm_labels(const spec::Config& c);
/// Parent: the labels of `p` can be applied on this host (exec).
void check_process_labels(const spec::Process& p);
/// Init, after pivot_root and before the identity changes: sets the AppArmor profile and the
/// SELinux label the next execve switches to.
void apply_exec_labels(const spec::Process& p);

}  // namespace ocirt::security
