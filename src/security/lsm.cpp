#include "ocirt/security/lsm.hpp"

#include "ocirt/sys/lsm_status.hpp"
#include "ocirt/sys/procfs.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::security {
namespace {

bool wants_apparmor(const spec::Process& p) {
    return p.apparmor_profile && !p.apparmor_profile->empty() && *p.apparmor_profile != kUnconfined;
}

bool wants_selinux(const spec::Process& p) { return p.selinux_label && !p.selinux_label->empty(); }

}  // namespace

void check_process_labels(const spec::Process& p) {
    if (wants_apparmor(p) && !sys::apparmor_enabled())
        fail("/process/apparmorProfile: profile \"{}\" asked for, but AppArmor is not enabled on this host",
             *p.apparmor_profile);
    if (wants_selinux(p) && !sys::selinux_enabled())
        fail("/process/selinuxLabel: label \"{}\" asked for, but SELinux is not enabled on this host", *p.selinux_label);
}

void check_lsm_labels(const spec::Config& c) {
    if (c.process) check_process_labels(*c.process);
    if (c.linux_ && c.linux_->mount_label && !c.linux_->mount_label->empty() && !sys::selinux_enabled())
        fail("/linux/mountLabel: label \"{}\" asked for, but SELinux is not enabled on this host", *c.linux_->mount_label);
}

void apply_exec_labels(const spec::Process& p) {
    const bool apparmor = p.apparmor_profile && !p.apparmor_profile->empty() && sys::apparmor_enabled();
    const bool selinux = wants_selinux(p);
    if (!apparmor && !selinux) return;
    // The container's /proc, checked: it is the one mounted for this process's namespaces.
    const auto proc = sys::ProcFs::open("/proc");
    if (apparmor)
        with_context("/process/apparmorProfile", [&] {
            // Kernels with LSM stacking have a per-module directory; older ones only attr/exec.
            const bool per_module = proc.has_entry("thread-self/attr/apparmor");
            proc.write_entry(per_module ? "thread-self/attr/apparmor/exec" : "thread-self/attr/exec",
                             "exec " + *p.apparmor_profile);
        });
    if (selinux)
        with_context("/process/selinuxLabel", [&] { proc.write_entry("thread-self/attr/exec", *p.selinux_label); });
}

}  // namespace ocirt::security
