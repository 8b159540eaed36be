#pragma once
/// Pseudo-terminal and tty calls: open a pty master from a ptmx node, unlock it, find and open
/// its slave, controlling terminal, window size, termios (raw mode), setsid, isatty.

#include <termios.h>

#include <cstddef>
#include <string>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// A terminal window size in character cells.
struct WindowSize {
    unsigned short rows = 0;
    unsigned short cols = 0;
};

/// Opens a new pty master from `ptmx_path` ("/dev/ptmx" or "/dev/pts/ptmx") with
/// O_RDWR|O_NOCTTY|O_CLOEXEC, and checks that it is the ptmx character device (5:2), so a
/// planted file or bind mount at that path cannot pose as one.
Fd open_pty_master(const std::string& ptmx_path);
/// Clears the slave lock of a master (TIOCSPTLCK 0), the unlockpt() step.
void unlock_pty(int master_fd);
/// The index N of the master's slave /dev/pts/N (TIOCGPTN).
unsigned pty_number(int master_fd);
/// "/dev/pts/N" for the master's slave, the ptsname() step.
std::string pty_slave_name(int master_fd);
/// Opens the master's slave with O_RDWR|O_NOCTTY|O_CLOEXEC: TIOCGPTPEER (Linux 4.13) when the
/// kernel has it, so no path is looked up; else the /dev/pts/N path. Checks that the result
/// is a devpts file.
Fd open_pty_slave(int master_fd);
/// Makes `fd` the controlling terminal of this process's session (TIOCSCTTY, no stealing).
void set_controlling_terminal(int fd);
/// Sets the window size of a tty (TIOCSWINSZ).
void set_window_size(int fd, WindowSize size);
/// Reads the window size of a tty (TIOCGWINSZ).
WindowSize get_window_size(int fd);
/// tcgetattr.
termios get_termios(int fd);
/// tcsetattr(fd, TCSANOW, t).
void set_termios(int fd, const termios& t);
/// The raw-mode form of `t` (cfmakeraw): no echo, no line editing, no signal keys, 8-bit.
termios make_raw(termios t);
/// setsid: a new session and process group led by this process; returns the session id.
pid_t new_session();
/// isatty without throwing.
bool is_tty(int fd);

/// How a tty read or write ended.
enum class TtyIo {
    ok,           ///< `bytes` were transferred
    would_block,  ///< EAGAIN on a non-blocking fd
    closed,       ///< EOF, EIO (a pty master whose slaves are all closed) or EPIPE
};
/// The outcome of read_tty / write_tty.
struct TtyIoResult {
    TtyIo status = TtyIo::ok;
    size_t bytes = 0;
};
/// read() for terminal copying: retries EINTR, reports EAGAIN, EOF and EIO as a status.
TtyIoResult read_tty(int fd, void* buf, size_t n);
/// write() for terminal copying: retries EINTR, reports EAGAIN and EIO/EPIPE as a status.
TtyIoResult write_tty(int fd, const void* buf, size_t n);
/// fcntl(F_GETFL).
int get_status_flags(int fd);
/// fcntl(F_SETFL).
void set_status_flags(int fd, int flags);
/// poll() one fd for `events` for up to `timeout_ms` (-1: no limit); returns its revents.
short poll_one(int fd, short events, int timeout_ms);

}  // namespace ocirt::sys
