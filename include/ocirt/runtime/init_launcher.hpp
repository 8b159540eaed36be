#pragma once
/// Starting the init stage: ocirt re-exec'd from its sealed binary as `ocirt init <fd>` with one end
/// of the sync socketpair, the bootstrap document sent first.

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "ocirt/runtime/bootstrap.hpp"
#include "ocirt/runtime/sync.hpp"

namespace ocirt::runtime {

/// A running init stage.
struct LaunchedInit {
    pid_t pid;        ///< the first init process (our child)
    SyncChannel channel;
};

/// Re-execs ocirt as the init stage and sends the bootstrap with `fds` after the document.
/// The init stage's socket lands above the fds the container keeps (3 .. 3+extra_fds-1).
/// The binary is sealed against the container (sys::sealed_self_exe; `state_root`, the --root
/// directory, serves as the overlay's spare layer).
/// `cgroup_dir_fd` (or -1): the container's cgroup v2 directory when it is a single unified
/// one; the init stage is then cloned straight into it (clone3 CLONE_INTO_CGROUP) and the
/// cgroup.procs fds at the end of `fds` (boot.join_cgroups of them) are dropped. If the
/// kernel refuses, it is forked and joins through them as before.
/// `before_bootstrap` (when set) runs with the new stage's PID before the bootstrap is sent, while
/// the stage waits for it (a user's systemd moving it into its cgroup); if it throws, the stage
/// is killed and reaped.
LaunchedInit launch_init(const InitBootstrap& boot, const std::vector<int>& fds, const std::string& state_root,
                         int cgroup_dir_fd = -1, const std::function<void(pid_t)>& before_bootstrap = {});

/// Marks every fd the caller gave us close-on-exec except 0-2 and the `extra` ones at 3..,
/// so no descriptor of the caller or of ocirt leaks into the container (CVE-2024-21626 class).
void seal_inherited_fds(int extra);

/// The number of fds passed by socket activation (LISTEN_FDS when LISTEN_PID is ours or unset).
int listen_fds_count();

}  // namespace ocirt::runtime
