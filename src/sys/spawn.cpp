#include "ocirt/sys/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

#include "ocirt/sys/fd.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::sys {
namespace {

/// The fd through which the child reports a failed setup step; close-on-exec, so a
/// successful execve shows up as EOF.
constexpr int kReportFd = 3;

/// What the child writes to the report pipe when a step fails.
struct ChildReport {
    int step;
    int err;
};

enum ChildStep : int { kStepPgid = 1, kStepStdio, kStepReportFd, kStepExec };

const char* step_name(int step) {
    switch (step) {
        case kStepPgid: return "setpgid";
        case kStepStdio: return "set up stdio";
        case kStepReportFd: return "set up report fd";
        default: return "execute";
    }
}

/// Moves `fd` to a number >= 3 so that dup2 onto 0..2 in the child cannot clobber it.
Fd above_stdio(Fd fd) {
    if (fd.get() >= 3) return fd;
    const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
    if (moved < 0) throw_errno("dup fd {}", fd.get());
    return Fd(moved);
}

std::pair<Fd, Fd> pipe_above_stdio() {
    auto [r, w] = make_pipe();
    return {above_stdio(std::move(r)), above_stdio(std::move(w))};
}

void set_nonblock(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw_errno("set O_NONBLOCK on fd {}", fd);
}

/// Blocks SIGPIPE while alive, so that writing to a child that stopped reading its stdin is
/// EPIPE rather than death. On exit it swallows a SIGPIPE that became pending meanwhile.
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        sigprocmask(SIG_BLOCK, &set, &old_);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;
    ~SigpipeBlock() {
        if (!was_pending_) {
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, SIGPIPE);
            const timespec zero{0, 0};
            while (sigtimedwait(&set, nullptr, &zero) < 0 && errno == EINTR) {
            }
        }
        sigprocmask(SIG_SETMASK, &old_, nullptr);
    }

private:
    sigset_t old_{};
    bool was_pending_ = false;
};

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

/// Reports a failed child step through `fd` and exits; async-signal-safe.
[[noreturn]] void child_fail(int fd, int step) {
    const ChildReport report{step, errno};
    const ssize_t ignored = ::write(fd, &report, sizeof report);
    (void)ignored;
    ::_exit(127);
}

/// The child between fork and execve: async-signal-safe calls only, no allocation, no throw.
[[noreturn]] void child_exec(const char* path, char* const* argv, char* const* envp, int in_r, int out_w,
                             int report_w, int close_limit) {
    // A group of its own, so that a timeout can kill whatever the program started as well.
    if (::setpgid(0, 0) < 0) child_fail(report_w, kStepPgid);
    if (::dup2(in_r, 0) < 0 || ::dup2(out_w, 1) < 0 || ::dup2(out_w, 2) < 0) child_fail(report_w, kStepStdio);
    if (report_w != kReportFd && ::dup3(report_w, kReportFd, O_CLOEXEC) < 0) child_fail(report_w, kStepReportFd);
    // Nothing of the runtime may reach the program: close every fd above the report fd.
    if (::syscall(SYS_close_range, kReportFd + 1, ~0U, 0) < 0) {
        for (int fd = kReportFd + 1; fd < close_limit; ++fd) ::close(fd);
    }
    // Handlers are reset by execve anyway, but SIG_IGN and the signal mask would be inherited.
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(path, argv, envp);
    child_fail(kReportFd, kStepExec);
}

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

void reap(pid_t pid, int& status) {
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw_errno("wait for process {}", pid);
    }
}

/// Kills and reaps the child if an error leaves spawn_and_wait early, so that no program
/// outlives its caller's error nor stays a zombie.
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid) : pid_(pid) {}
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;
    ~ChildGuard() {
        if (pid_ <= 0) return;
        if (::kill(-pid_, SIGKILL) < 0) ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    /// The child has been reaped: nothing left to do.
    void reaped() { pid_ = -1; }

private:
    pid_t pid_;
};

}  // namespace

SpawnResult spawn_and_wait(const std::string& path, const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, const std::string& stdin_data,
                           std::optional<int> timeout_seconds) {
    if (timeout_seconds && *timeout_seconds <= 0) fail("timeout must be greater than zero, got {}", *timeout_seconds);

    // Everything the child needs is prepared before fork: it must not allocate.
    const std::vector<std::string> args = argv.empty() ? std::vector<std::string>{path} : argv;
    std::vector<char*> c_argv = c_strings(args);
    std::vector<char*> c_envp = c_strings(env);
    rlimit nofile{};
    ::getrlimit(RLIMIT_NOFILE, &nofile);
    const int close_limit = nofile.rlim_cur == RLIM_INFINITY || nofile.rlim_cur > 1048576
                                ? 1048576
                                : static_cast<int>(nofile.rlim_cur);

    auto [in_r, in_w] = pipe_above_stdio();
    auto [out_r, out_w] = pipe_above_stdio();
    auto [report_r, report_w] = pipe_above_stdio();

    SigpipeBlock sigpipe_block;
    // All signals blocked across fork: no handler of the runtime may run in the child
    // before it has reset them.
    sigset_t all, saved;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &saved);
    const pid_t pid = ::fork();
    if (pid == 0) child_exec(path.c_str(), c_argv.data(), c_envp.data(), in_r.get(), out_w.get(), report_w.get(), close_limit);
    const int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &saved, nullptr);
    if (pid < 0) throw_error_code(fork_errno, "fork for {}", path);
    ::setpgid(pid, pid);  // also done by the child; whichever comes first wins the race
    ChildGuard guard(pid);
    in_r.reset();
    out_w.reset();
    report_w.reset();

    ChildReport report{};
    size_t got = 0;
    while (got < sizeof report) {
        const ssize_t n = ::read(report_r.get(), reinterpret_cast<char*>(&report) + got, sizeof report - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    if (got == sizeof report) {
        int status = 0;
        reap(pid, status);
        guard.reaped();
        throw_error_code(report.err, "{} {}", step_name(report.step), path);
    }
    report_r.reset();

    Fd pidfd(pidfd_open(pid));  // empty on kernels before 5.3: then waitpid is polled
    set_nonblock(out_r.get());
    if (stdin_data.empty()) {
        in_w.reset();
    } else {
        set_nonblock(in_w.get());
    }

    using Clock = std::chrono::steady_clock;
    const auto deadline = timeout_seconds ? std::optional(Clock::now() + std::chrono::seconds(*timeout_seconds))
                                          : std::nullopt;
    SpawnResult result;
    size_t written = 0;
    std::optional<int> status;
    char buf[16384];

    // Reads what is available; at most `max_reads` chunks, so a writer that never pauses
    // cannot hold us here.
    auto read_output = [&](int max_reads) {
        for (int i = 0; out_r && i < max_reads; ++i) {
            const ssize_t n = ::read(out_r.get(), buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN) return;
                throw_errno("read output of {}", path);
            }
            if (n == 0) {
                out_r.reset();
                return;
            }
            const size_t keep = std::min(static_cast<size_t>(n), kSpawnOutputLimit - result.output.size());
            result.output.append(buf, keep);
            if (keep < static_cast<size_t>(n)) result.output_truncated = true;
        }
    };

    while (!status) {
        int wait_ms = -1;
        if (deadline) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
            if (left <= 0) {
                // The whole group: a shell hook's children must not outlive it either.
                if (::kill(-pid, SIGKILL) < 0) ::kill(pid, SIGKILL);
                result.timed_out = true;
                int st = 0;
                reap(pid, st);
                guard.reaped();
                status = st;
                break;
            }
            wait_ms = static_cast<int>(left);
        }
        if (!pidfd && (wait_ms < 0 || wait_ms > 50)) wait_ms = 50;

        pollfd fds[3];
        nfds_t nfds = 0;
        const int out_idx = out_r ? static_cast<int>(nfds) : -1;
        if (out_r) fds[nfds++] = pollfd{out_r.get(), POLLIN, 0};
        const int in_idx = in_w ? static_cast<int>(nfds) : -1;
        if (in_w) fds[nfds++] = pollfd{in_w.get(), POLLOUT, 0};
        const int pid_idx = pidfd ? static_cast<int>(nfds) : -1;
        if (pidfd) fds[nfds++] = pollfd{pidfd.get(), POLLIN, 0};

        const int r = ::poll(fds, nfds, wait_ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll while running {}", path);
        }
        if (out_idx >= 0 && fds[out_idx].revents != 0) read_output(4);
        if (in_idx >= 0 && fds[in_idx].revents != 0) {
            if (fds[in_idx].revents & (POLLERR | POLLHUP)) {
                in_w.reset();  // the program closed its stdin; what it did not read is dropped
            } else {
                const ssize_t n = ::write(in_w.get(), stdin_data.data() + written, stdin_data.size() - written);
                if (n >= 0) {
                    written += static_cast<size_t>(n);
                    if (written == stdin_data.size()) in_w.reset();
                } else if (errno == EPIPE) {
                    in_w.reset();
                } else if (errno != EAGAIN && errno != EINTR) {
                    throw_errno("write stdin of {}", path);
                }
            }
        }
        const bool exited = pid_idx >= 0 ? fds[pid_idx].revents != 0 : true;
        if (exited) {
            int st = 0;
            const pid_t w = ::waitpid(pid, &st, pidfd ? 0 : WNOHANG);
            if (w < 0 && errno != EINTR) throw_errno("wait for process {}", pid);
            if (w == pid) {
                guard.reaped();
                status = st;
            }
        }
    }
    // The program has exited: take what it wrote, but do not wait for EOF, which a
    // background child holding the pipe could delay forever.
    read_output(64);

    if (WIFEXITED(*status)) {
        result.exit_code = WEXITSTATUS(*status);
    } else if (WIFSIGNALED(*status)) {
        result.signal = WTERMSIG(*status);
    }
    return result;
}

}  // namespace ocirt::sys
