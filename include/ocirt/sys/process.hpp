#pragma once
/// Processes: fork/wait, pidfds, signals, exec from an fd, the sealed self copy, process identity.

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// fork(); throws on failure. Returns 0 in the child.
pid_t fork_process();
/// Like fork_process, but the child's parent is the caller's parent (clone CLONE_PARENT), as
/// runc's nsexec forks its last stage: that process can then wait for it without being a
/// subreaper. Fails (EINVAL) in the init process of a PID namespace.
pid_t fork_as_sibling();
/// How a process ended.
struct ExitStatus {
    bool exited = false;     ///< exited normally
    int code = 0;            ///< exit code when exited
    int signal = 0;          ///< terminating signal otherwise
    /// The shell convention: code, or 128 + signal.
    int shell_status() const { return exited ? code : 128 + signal; }
};
/// waitpid(pid) until it ends (retries EINTR).
ExitStatus wait_process(pid_t pid);
/// waitpid(-1, WNOHANG): a reaped child and its status, or nullopt if none is ready.
std::optional<std::pair<pid_t, ExitStatus>> reap_any();
/// pidfd_open(pid); an empty Fd if the process is gone.
Fd pidfd_open(pid_t pid);
/// kill(pid, sig); returns false on ESRCH.
bool send_signal(pid_t pid, int sig);
/// pidfd_send_signal; returns false on ESRCH.
bool pidfd_signal(int pidfd, int sig);
/// True if the process exists (kill 0).
bool process_alive(pid_t pid);
/// Process start time (field 22 of /proc/PID/stat), nullopt if the process is gone.
std::optional<uint64_t> process_start_time(pid_t pid);
/// The parent PID (field 4 of /proc/PID/stat), nullopt if the process is gone.
std::optional<pid_t> process_parent(pid_t pid);
/// The process state letter (field 3 of /proc/PID/stat: R, S, Z...), nullopt if gone.
std::optional<char> process_state(pid_t pid);
/// State letter and start time from one read of /proc/PID/stat (nullopt if the process is
/// gone): what a liveness check needs, without reading the file twice.
struct ProcessStat {
    char state = '?';
    uint64_t start_time = 0;
};
std::optional<ProcessStat> process_stat(pid_t pid);
/// execveat(fd, "", argv, envp, AT_EMPTY_PATH). Returns only by throwing.
[[noreturn]] void exec_fd(int fd, const std::vector<std::string>& argv, const std::vector<std::string>& env);
/// An execve worked out in advance: the argv and envp arrays are built when it is made, so
/// that run() is the execve call and nothing else (it runs under the container's seccomp
/// filter). Neither copied nor moved: the arrays point into its own strings.
class PreparedExec {
public:
    /// Prepares execve(path, argv, env).
    PreparedExec(std::string path, std::vector<std::string> argv, std::vector<std::string> env);
    PreparedExec(const PreparedExec&) = delete;
    PreparedExec& operator=(const PreparedExec&) = delete;
    /// execve; returns only when it failed, with its errno (nothing else is called).
    int run() const noexcept;
    /// The program path.
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::vector<std::string> argv_;
    std::vector<std::string> env_;
    std::vector<char*> argv_ptrs_;
    std::vector<char*> env_ptrs_;
};
/// prctl(PR_SET_CHILD_SUBREAPER, 1).
void become_subreaper();
/// prctl(PR_SET_PDEATHSIG, sig).
void set_parent_death_signal(int sig);
/// prctl(PR_SET_NAME).
void set_process_name(const std::string& name);
/// Blocks `signals` (any of 1..64, glibc's internal 32 and 33 included).
void block_signals(const std::vector<int>& signals);
/// Blocks `signals` and returns a signalfd reading them (any of 1..64).
Fd block_signals_to_fd(const std::vector<int>& signals);
/// Reads one signal from a signalfd (the signal number), or 0 if none is pending.
int read_signal(int sigfd);
/// Makes every signal whose default action ends a process (TERM, INT, HUP, USR1, the real-time
/// ones ...) end this one, unblocked, even as the init process of a PID namespace, which the
/// kernel shields from any signal it has no handler for (SIGKILL aside).
void exit_on_terminating_signals();
/// Restores an empty signal mask and default dispositions for every signal (before exec).
void reset_signals();
/// poll() on fds for readability; returns the ready ones (empty on timeout). -1 = wait forever.
std::vector<int> poll_readable(const std::vector<int>& fds, int timeout_ms);
/// _exit without running destructors or atexit handlers.
[[noreturn]] void exit_now(int status);
/// getpid().
pid_t self_pid();
/// This process's environment ("KEY=VALUE" strings, as environ holds them).
std::vector<std::string> own_environment();
/// Parses a signal name ("TERM", "SIGTERM", "sigkill") or number ("9"); nullopt if unknown.
std::optional<int> parse_signal(const std::string& s);

}  // namespace ocirt::sys

namespace ocirt::sys {
/// Forks a child that clears FD_CLOEXEC on `keep_fd` and execveat()s `exec_fd` with argv/env.
/// The child gets PR_SET_PDEATHSIG(SIGKILL), checked against the parent's identity, so it dies
/// with the caller until it clears that (set_parent_death_signal(0)).
/// Only async-signal-safe calls run between fork and exec; a failed exec exits 127.
pid_t spawn_exec_fd(int exec_fd, const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    int keep_fd);
/// The same child made by clone3(CLONE_INTO_CGROUP) straight into the cgroup v2 directory
/// `cgroup_fd` (no cgroup.procs write, no migration). nullopt when the kernel refuses
/// (ENOSYS before 5.7, EBADF for a fd not of cgroup2, EOPNOTSUPP for a domain-invalid cgroup,
/// EAGAIN at pids.max...): the caller then forks and joins the usual way, whose errors name
/// the cause.
std::optional<pid_t> spawn_exec_fd_into_cgroup(int exec_fd, const std::vector<std::string>& argv,
                                               const std::vector<std::string>& env, int keep_fd, int cgroup_fd);
}  // namespace ocirt::sys

namespace ocirt::sys {
/// getuid().
uid_t real_uid();
/// geteuid().
uid_t effective_uid();
/// getegid().
gid_t effective_gid();
/// Waits until the process behind `pidfd` has exited; false on timeout.
bool wait_pidfd_exit(int pidfd, int timeout_ms);
}  // namespace ocirt::sys
