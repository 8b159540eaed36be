#pragma once
/// What the parent hands the init stage in the `bootstrap` message: a JSON document (in a sealed
/// memfd, so its size is not bounded by the socket buffer) plus fds in a fixed order.

#include <string>
#include <vector>

#include "ocirt/mount/mounts.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::runtime {

/// Why the init stage was started.
enum class InitMode { create, exec };

/// The bootstrap document.
struct InitBootstrap {
    InitMode mode = InitMode::create;
    std::string config_json;    ///< create: the whole config; exec: {"ociVersion", "process"}
    std::string id;
    std::string bundle;
    std::string rootfs;
    bool no_pivot = false;
    bool no_new_keyring = false;
    int extra_fds = 0;          ///< fds 3 .. 3+extra_fds-1 pass to the container process
    std::vector<std::string> join_types;  ///< exec: namespace types of the attached fds, in order
    std::string seccomp_program;  ///< the compiled filter as hex (empty: none)
    unsigned seccomp_flags = 0;   ///< its SECCOMP_FILTER_FLAG_* bits
    int join_cgroups = 0;       ///< the last join_cgroups fds are the container cgroup's cgroup.procs (one per hierarchy), to join first
    std::string cgroup_dir;     ///< create: the container's cgroup directory in the runtime's hierarchy
    std::vector<mount::CgroupV1Hierarchy> cgroup_v1;  ///< create, legacy or hybrid host: what a "cgroup" mount holds
    /// exec into a container without a mount namespace of its own: the fd after the namespace
    /// fds is the container process's root (/proc/<pid>/root), to chroot into.
    bool enter_root = false;
    bool fork_as_sibling = false;  ///< run --no-subreaper: the container process becomes the parent's child
    bool trace = false;            ///< the last fd is the trace file (docs/trace.md), taken before any other
};

/// Serialises the document.
std::string bootstrap_to_json(const InitBootstrap& b);
/// Parses the document.
InitBootstrap bootstrap_from_json(const std::string& text);

/// The fds that travel with the bootstrap message, in order: [document, exec.sock listener (create only),
/// namespace fds..., root (exec, when enter_root), cgroup.procs... (join_cgroups of them), trace (when trace)].
inline constexpr size_t kBootstrapDocFd = 0;

/// When this process traces, marks `b` and appends the trace fd to `fds` (it must come last).
void pass_trace(InitBootstrap& b, std::vector<int>& fds);
/// In the init stage: takes the trace fd off the end of `fds` and starts tracing as "init".
void take_trace(const InitBootstrap& b, std::vector<sys::Fd>& fds);

}  // namespace ocirt::runtime
