#include "ocirt/sys/terminal.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

namespace ocirt::sys {
namespace {

constexpr unsigned kPtmxMajor = 5;
constexpr unsigned kPtmxMinor = 2;

void check_devpts_slave(int fd, const std::string& what) {
    struct stat st{};
    if (::fstat(fd, &st) < 0) throw_errno("stat {}", what);
    struct statfs sfs{};
    if (::fstatfs(fd, &sfs) < 0) throw_errno("statfs {}", what);
    if (!S_ISCHR(st.st_mode) || sfs.f_type != DEVPTS_SUPER_MAGIC) fail("{} is not a devpts terminal", what);
}

}  // namespace

Fd open_pty_master(const std::string& ptmx_path) {
    Fd fd(::open(ptmx_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!fd) throw_errno("open {}", ptmx_path);
    struct stat st{};
    if (::fstat(fd.get(), &st) < 0) throw_errno("stat {}", ptmx_path);
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != kPtmxMajor || minor(st.st_rdev) != kPtmxMinor)
        fail("{} is not the ptmx device (char {}:{})", ptmx_path, kPtmxMajor, kPtmxMinor);
    return fd;
}

void unlock_pty(int master_fd) {
    int unlock = 0;
    if (::ioctl(master_fd, TIOCSPTLCK, &unlock) < 0) throw_errno("unlock pty (TIOCSPTLCK)");
}

unsigned pty_number(int master_fd) {
    unsigned n = 0;
    if (::ioctl(master_fd, TIOCGPTN, &n) < 0) throw_errno("get pty number (TIOCGPTN)");
    return n;
}

std::string pty_slave_name(int master_fd) { return "/dev/pts/" + std::to_string(pty_number(master_fd)); }

Fd open_pty_slave(int master_fd) {
    Fd fd(::ioctl(master_fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (fd) {
        check_devpts_slave(fd.get(), "pty slave");
        return fd;
    }
    // EINVAL/ENOTTY: a kernel before 4.13; fall back to the path the master names.
    if (errno != EINVAL && errno != ENOTTY) throw_errno("open pty slave (TIOCGPTPEER)");
    const std::string path = pty_slave_name(master_fd);
    fd = open_at(AT_FDCWD, path, O_RDWR | O_NOCTTY);
    check_devpts_slave(fd.get(), path);
    return fd;
}

void set_controlling_terminal(int fd) {
    if (::ioctl(fd, TIOCSCTTY, 0) < 0) throw_errno("set controlling terminal (TIOCSCTTY)");
}

void set_window_size(int fd, WindowSize size) {
    winsize ws{};
    ws.ws_row = size.rows;
    ws.ws_col = size.cols;
    if (::ioctl(fd, TIOCSWINSZ, &ws) < 0) throw_errno("set window size {}x{} (TIOCSWINSZ)", size.cols, size.rows);
}

WindowSize get_window_size(int fd) {
    winsize ws{};
    if (::ioctl(fd, TIOCGWINSZ, &ws) < 0) throw_errno("get window size (TIOCGWINSZ)");
    return WindowSize{ws.ws_row, ws.ws_col};
}

termios get_termios(int fd) {
    termios t{};
    if (::tcgetattr(fd, &t) < 0) throw_errno("tcgetattr fd {}", fd);
    return t;
}

void set_termios(int fd, const termios& t) {
    while (::tcsetattr(fd, TCSANOW, &t) < 0) {
        if (errno != EINTR) throw_errno("tcsetattr fd {}", fd);
    }
}

termios make_raw(termios t) {
    ::cfmakeraw(&t);
    return t;
}

pid_t new_session() {
    const pid_t sid = ::setsid();
    if (sid < 0) throw_errno("setsid");
    return sid;
}

bool is_tty(int fd) { return ::isatty(fd) == 1; }

TtyIoResult read_tty(int fd, void* buf, size_t n) {
    while (true) {
        const ssize_t r = ::read(fd, buf, n);
        if (r > 0) return {TtyIo::ok, static_cast<size_t>(r)};
        if (r == 0) return {TtyIo::closed, 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return {TtyIo::would_block, 0};
        if (errno == EIO) return {TtyIo::closed, 0};
        throw_errno("read fd {}", fd);
    }
}

TtyIoResult write_tty(int fd, const void* buf, size_t n) {
    while (true) {
        const ssize_t r = ::write(fd, buf, n);
        if (r >= 0) return {TtyIo::ok, static_cast<size_t>(r)};
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return {TtyIo::would_block, 0};
        if (errno == EIO || errno == EPIPE) return {TtyIo::closed, 0};
        throw_errno("write fd {}", fd);
    }
}

int get_status_flags(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) throw_errno("get status flags of fd {}", fd);
    return flags;
}

void set_status_flags(int fd, int flags) {
    if (::fcntl(fd, F_SETFL, flags) < 0) throw_errno("set status flags of fd {}", fd);
}

short poll_one(int fd, short events, int timeout_ms) {
    pollfd p{fd, events, 0};
    while (true) {
        const int r = ::poll(&p, 1, timeout_ms);
        if (r >= 0) return r == 0 ? 0 : p.revents;
        if (errno != EINTR) throw_errno("poll fd {}", fd);
    }
}

}  // namespace ocirt::sys
