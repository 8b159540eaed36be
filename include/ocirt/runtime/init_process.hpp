#pragma once
/// The last steps of the init stage, shared by create and exec: turning this process into the
/// container's process (identity, limits, terminal) and exec'ing the program.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/seccomp/filter.hpp"
#include "ocirt/security/capabilities.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"
#include "ocirt/sys/process.hpp"

namespace ocirt::runtime {

class SyncChannel;

/// Makes this process dumpable for its lifetime. The init stage runs non-dumpable (CVE-2016-9962),
/// but then, inside a user namespace, its /proc/self files belong to the host's root and writes
/// to timens_offsets or oom_score_adj fail. No container process exists yet to exploit the window.
class DumpableWindow {
public:
    DumpableWindow();
    ~DumpableWindow();
    DumpableWindow(const DumpableWindow&) = delete;
    DumpableWindow& operator=(const DumpableWindow&) = delete;
};

/// Opens a pty on the devpts at <root>/dev/pts (resolved inside `rootfd`), sizes it, sends its
/// master to the parent as `console_master` and returns the slave.
sys::Fd open_container_terminal(SyncChannel& ch, int rootfd, const spec::Process& p);

/// Makes `slave` the controlling terminal and fds 0, 1, 2.
void attach_terminal(int slave);

/// The container's process up to its execve, set up before the seccomp filter goes in.
struct ContainerProcess {
    /// The execve to make, program looked up and arrays built.
    std::unique_ptr<sys::PreparedExec> exec;
    /// noNewPrivileges false with a filter: raises CAP_SYS_ADMIN (kept in the permitted set) for
    /// the filter's install, and drops it again right after. Empty when not needed.
    std::unique_ptr<security::PreparedCapset> raise_admin, drop_admin;
    /// Capabilities that could not be granted, one line each, for the parent to log.
    std::vector<std::string> warnings;
};

/// Applies rlimits, oomScoreAdj, user, groups, capabilities, noNewPrivileges, umask and cwd in
/// runc's order, then looks the program up (as the container's user) and prepares its execve
/// (environment with HOME added when missing). `filter_needs_admin`: a filter will be
/// installed without no_new_privs, so CAP_SYS_ADMIN stays in the permitted set for it.
ContainerProcess become_container_process(const spec::Process& p, bool filter_needs_admin);

/// Resolves process.args[0] against the PATH of `env`; throws in runc's words if it is not
/// executable (`exec: "x": executable file not found in $PATH`).
std::string resolve_executable(const spec::Process& p, const std::vector<std::string>& env);

/// Resets signals, keeps fds 0..2+extra_fds, installs `filter` if given, drops a held
/// CAP_SYS_ADMIN and execve()s. Returns only by throwing.
[[noreturn]] void exec_program(ContainerProcess& cp, int extra_fds, const std::optional<seccomp::Filter>& filter);

}  // namespace ocirt::runtime
