#pragma once
/// ENOSYS for syscalls newer than the profile, as runc does (libcontainer/seccomp/patchbpf): a
/// profile written for an older kernel does not name clone3 or faccessat2, so its default
/// action (EPERM, say) answers them, and glibc, which falls back to clone or faccessat only on
/// ENOSYS, fails. A stub in front of libseccomp's program therefore answers ENOSYS for any
/// syscall number above the highest one the profile names, per architecture of the filter.
/// Not added when the default action lets calls through (ALLOW, LOG, TRACE) or already
/// answers ENOSYS.

#include <string>

#include "ocirt/spec/config.hpp"

namespace ocirt::seccomp {

/// `program` (exported BPF of `s`, already checked) with the ENOSYS stub in front when `s`
/// needs one; `program` unchanged otherwise.
std::string with_enosys_stub(const spec::Seccomp& s, const std::string& program);

}  // namespace ocirt::seccomp
