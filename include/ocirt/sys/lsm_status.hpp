#pragma once
/// Whether the host runs the Linux security modules that runtime-spec labels address.

namespace ocirt::sys {

/// True if AppArmor is enabled (/sys/module/apparmor/parameters/enabled reads "Y").
bool apparmor_enabled();
/// True if SELinux is enabled (selinuxfs mounted at /sys/fs/selinux).
bool selinux_enabled();

}  // namespace ocirt::sys
