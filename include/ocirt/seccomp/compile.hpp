#pragma once
/// linux.seccomp → a classic BPF program, through libseccomp. Names are checked against the
/// tables in names.hpp; unknown syscall names are skipped as runc does (the kernel or
/// libseccomp may not know a new one), anything else unknown is an error naming its JSON path.

#include <string>

#include "ocirt/spec/config.hpp"

namespace ocirt::seccomp {

/// Checks every name and combination in `s`; errors name the field ("/linux/seccomp/syscalls/3/action").
void check_seccomp(const spec::Seccomp& s);
/// True if any rule uses SCMP_ACT_NOTIFY (the filter then needs a listener).
bool uses_notify(const spec::Seccomp& s);
/// The SECCOMP_FILTER_FLAG_* bits for seccomp(2): the configured flags, plus NEW_LISTENER for
/// SCMP_ACT_NOTIFY (and TSYNC_ESRCH when TSYNC comes with it, as the kernel requires).
unsigned filter_flags(const spec::Seccomp& s);
/// Compiles `s` (already checked) with libseccomp and returns the exported BPF program
/// (struct sock_filter[] as bytes).
std::string compile_program(const spec::Seccomp& s);

}  // namespace ocirt::seccomp
