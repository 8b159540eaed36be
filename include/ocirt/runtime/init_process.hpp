#pragma once
/// The last steps of the init stage, shared by create and exec: turning this process into the
/// container's process (identity, limits, terminal) and exec'ing the program.

#include <string>
#include <vector>

#include "ocirt/seccomp/filter.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

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

/// Applies rlimits, oomScoreAdj, user, groups, capabilities, noNewPrivileges, umask and cwd in
/// runc's order. Returns the environment the program gets (HOME added when missing).
std::vector<std::string> become_container_process(const spec::Process& p);

/// Resolves process.args[0] against the PATH of `env`; throws if it is not executable.
std::string resolve_executable(const spec::Process& p, const std::vector<std::string>& env);

/// Resets signals, keeps fds 0..2+extra_fds, installs `filter` if given, and execve()s.
/// Returns only by throwing.
[[noreturn]] void exec_program(const std::string& path, const spec::Process& p, const std::vector<std::string>& env,
                               int extra_fds, const std::optional<seccomp::Filter>& filter);

}  // namespace ocirt::runtime
