#pragma once
/// The container's console: a pty pair made inside the container, its master handed to the
/// caller through --console-socket (as runc does it, so containerd, conmon and recvtty accept
/// it), and for `run` without a socket a proxy between the caller's terminal and the master.

#include <poll.h>
#include <termios.h>

#include <optional>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::terminal {

/// A pseudo-terminal pair, both ends close-on-exec and O_NOCTTY.
struct Pty {
    sys::Fd master;
    sys::Fd slave;
};

/// The name runc puts in the message that carries the master (the Go file name of a master
/// opened from /dev/ptmx). Clients read it but do not use it.
inline constexpr const char* kConsoleMasterName = "/dev/ptmx";

/// Opens a new pty from `ptmx_path` ("/dev/ptmx", or "/dev/pts/ptmx" of a fresh devpts
/// instance), unlocks it and opens its slave (TIOCGPTPEER when the kernel has it).
Pty open_pty(const std::string& ptmx_path = "/dev/ptmx");
/// Sets the window size of the tty `fd` to `size` (height rows, width columns).
void apply_console_size(int fd, const spec::ConsoleSize& size);
/// In the process that will exec the container program: a new session (setsid), `slave_fd` as
/// its controlling terminal (TIOCSCTTY), and dup'ed onto stdin, stdout and stderr. The caller
/// still owns and closes `slave_fd` itself.
void make_controlling_terminal(int slave_fd);
/// Connects to the unix socket `console_socket_path` and sends `master_fd` with SCM_RIGHTS in one
/// message whose body is `name`, like runc's utils.SendFd.
void send_console_master(const std::string& console_socket_path, int master_fd,
                         const std::string& name = kConsoleMasterName);
/// The receiving side of send_console_master on a connected socket: exactly one fd expected.
sys::Fd receive_console_master(int conn_fd);

/// Gives the container's terminal (`master_fd`) the caller's window size, read from `in_fd`,
/// else `out_fd`, when one of them is a tty; nothing otherwise.
void copy_window_size(int in_fd, int out_fd, int master_fd);

/// `run` with a terminal and no console socket: copies the caller's stdin to the master and the
/// master to the caller's stdout. While it lives, the caller's stdin terminal (if it is one) is
/// in raw mode, so keys like ^C reach the container's terminal instead of the runtime.
///
/// It never blocks on the master: input the container's terminal cannot take yet is kept and
/// written when the master is writable again; meanwhile stdin is not read. Drive it either with
/// poll_set()/on_event() (exact), or with poll_fds()/on_readable() (readability only: kept
/// input is then retried whenever the master has output, e.g. the echo of earlier input).
class TerminalProxy {
public:
    /// Borrows `master_fd` (made non-blocking while the proxy lives) and the caller's
    /// `in_fd`/`out_fd`; puts `in_fd` in raw mode if it is a terminal and copies its size.
    explicit TerminalProxy(int master_fd, int in_fd = 0, int out_fd = 1);
    TerminalProxy(const TerminalProxy&) = delete;
    TerminalProxy& operator=(const TerminalProxy&) = delete;
    /// Restores the caller's terminal mode and the master's flags.
    ~TerminalProxy();

    /// The fds to poll for readability: the caller's stdin (until EOF, and while no input is
    /// waiting for the master) and the master.
    std::vector<int> poll_fds() const;
    /// Copies what is readable on `fd` (one of poll_fds()). Returns false once the master is
    /// done (EOF or hang-up: every slave fd closed); the caller should then stop the loop.
    bool on_readable(int fd);
    /// The fds to poll with their events (POLLOUT on the master while input is waiting).
    std::vector<pollfd> poll_set() const;
    /// Handles the `revents` poll reported for `fd` from poll_set(). False once the master is done.
    bool on_event(int fd, short revents);
    /// Copies the caller's window size to the master (on start and on SIGWINCH).
    void sync_window_size();
    /// Restores the caller's terminal now (idempotent); the destructor calls it too.
    void restore() noexcept;

private:
    /// Copies one chunk master -> out. False once the master is done.
    bool pump_master();
    /// Writes as much kept input to the master as it takes now. False once the master is done.
    bool flush_input();
    /// Reads one chunk of stdin and passes it on. False once the master is done.
    bool read_input();

    int master_;
    int in_;
    int out_;
    bool in_open_ = true;
    bool master_open_ = true;
    int master_flags_ = -1;
    std::string pending_;  // input read from stdin, not yet taken by the master
    std::optional<termios> saved_;
};

}  // namespace ocirt::terminal
