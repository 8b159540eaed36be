#pragma once
/// The seccomp filter of a container process: prepared in the parent (checked, compiled or
/// taken from the cache) and installed by the init stage, which only loads it.

#include <string>

#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::seccomp {

/// A compiled filter ready to install.
struct Filter {
    std::string program;  ///< BPF instructions (struct sock_filter[]) as bytes
    unsigned flags = 0;   ///< SECCOMP_FILTER_FLAG_* for seccomp(2)
    bool cached = false;  ///< taken from the cache (for logs and tests)

    /// True if installing it yields a notify listener fd (SCMP_ACT_NOTIFY).
    bool has_listener() const;
};

/// Parent side: checks `s`, checks the kernel knows its flags, and returns its program from
/// the cache in `cache_dir` or compiles it (and stores it there).
Filter prepare_filter(const spec::Seccomp& s, const std::string& cache_dir);
/// Init side: installs the filter on this process. Returns the notify listener fd when the
/// filter has one, else an empty Fd. Without no_new_privs this needs CAP_SYS_ADMIN.
sys::Fd apply_filter(const Filter& f);

}  // namespace ocirt::seccomp
