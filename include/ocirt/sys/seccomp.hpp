#pragma once
/// The seccomp(2) system call: installing a classic BPF filter (optionally with a user
/// notification listener) and asking the kernel which filter flags and actions it knows.

#include <cstdint>
#include <string>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// Installs `program` (an array of struct sock_filter, 8 bytes each) on this thread with
/// seccomp(SECCOMP_SET_MODE_FILTER, flags). With SECCOMP_FILTER_FLAG_NEW_LISTENER the
/// kernel's notification fd is returned (close-on-exec); otherwise an empty Fd.
Fd install_seccomp_filter(const std::string& program, unsigned flags);
/// True if this kernel knows the filter flag `flag` (it answers EFAULT, not EINVAL, to a
/// filter-less call with it).
bool seccomp_filter_flag_known(unsigned flag);
/// True if this kernel implements the filter return action `action` (SECCOMP_GET_ACTION_AVAIL).
bool seccomp_action_available(uint32_t action);

}  // namespace ocirt::sys
