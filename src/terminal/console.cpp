#include "ocirt/terminal/console.hpp"

#include <fcntl.h>
#include <poll.h>

#include <limits>

#include "ocirt/sys/terminal.hpp"
#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::terminal {
namespace {

constexpr size_t kChunk = 16384;
/// runc's RecvFd limit for the name that comes with the fd.
constexpr size_t kMaxNameLen = 4096;

unsigned short to_cells(uint32_t v, const char* field) {
    if (v > std::numeric_limits<unsigned short>::max())
        fail("/process/consoleSize/{}: {} is larger than a terminal can be ({})", field, v,
             std::numeric_limits<unsigned short>::max());
    return static_cast<unsigned short>(v);
}

}  // namespace

Pty open_pty(const std::string& ptmx_path) {
    return with_context("open a pty from " + ptmx_path, [&] {
        Pty pty;
        pty.master = sys::open_pty_master(ptmx_path);
        sys::unlock_pty(pty.master.get());
        pty.slave = sys::open_pty_slave(pty.master.get());
        return pty;
    });
}

void apply_console_size(int fd, const spec::ConsoleSize& size) {
    sys::set_window_size(fd, sys::WindowSize{to_cells(size.height, "height"), to_cells(size.width, "width")});
}

void make_controlling_terminal(int slave_fd) {
    with_context("make the pty the controlling terminal", [&] {
        // TIOCSCTTY only works for a session leader without a controlling terminal: a new
        // session gives us exactly that.
        sys::new_session();
        sys::set_controlling_terminal(slave_fd);
        for (int target = 0; target <= 2; ++target) sys::dup_to(slave_fd, target);
    });
}

void send_console_master(const std::string& console_socket_path, int master_fd, const std::string& name) {
    with_context("send the console to " + console_socket_path, [&] {
        if (name.empty() || name.size() >= kMaxNameLen) fail("bad console name length {}", name.size());
        sys::Fd sock = sys::connect_unix(console_socket_path);
        // One message: the name as data, the master as the only SCM_RIGHTS fd. runc's
        // receivers (recvtty, go-runc, conmon) read exactly this.
        sys::send_with_fds(sock.get(), name, {master_fd});
    });
}

sys::Fd receive_console_master(int conn_fd) {
    std::vector<sys::Fd> fds;
    const std::string name = sys::recv_with_fds(conn_fd, kMaxNameLen, fds);
    if (fds.size() != 1) fail("console socket: expected 1 fd, received {}", fds.size());
    if (name.empty()) fail("console socket: message without a name");
    return std::move(fds.front());
}

TerminalProxy::TerminalProxy(int master_fd, int in_fd, int out_fd) : master_(master_fd), in_(in_fd), out_(out_fd) {
    master_flags_ = sys::get_status_flags(master_);
    // Non-blocking master: a container that does not read its input must not stop us from
    // copying its output, nor the caller's loop from handling signals.
    sys::set_status_flags(master_, master_flags_ | O_NONBLOCK);
    try {
        if (sys::is_tty(in_)) {
            saved_ = sys::get_termios(in_);
            sys::set_termios(in_, sys::make_raw(*saved_));
        }
        sync_window_size();
    } catch (...) {
        restore();
        throw;
    }
}

TerminalProxy::~TerminalProxy() { restore(); }

void TerminalProxy::restore() noexcept {
    try {
        if (saved_) {
            sys::set_termios(in_, *saved_);
            saved_.reset();
        }
        if (master_flags_ >= 0) {
            sys::set_status_flags(master_, master_flags_);
            master_flags_ = -1;
        }
    } catch (const Error& e) {
        log::warn("restore terminal: {}", e.what());
    }
}

std::vector<int> TerminalProxy::poll_fds() const {
    std::vector<int> fds;
    if (in_open_ && pending_.empty()) fds.push_back(in_);
    if (master_open_) fds.push_back(master_);
    return fds;
}

std::vector<pollfd> TerminalProxy::poll_set() const {
    std::vector<pollfd> set;
    if (in_open_ && pending_.empty()) set.push_back(pollfd{in_, POLLIN, 0});
    if (master_open_) set.push_back(pollfd{master_, static_cast<short>(POLLIN | (pending_.empty() ? 0 : POLLOUT)), 0});
    return set;
}

bool TerminalProxy::pump_master() {
    char buf[kChunk];
    const sys::TtyIoResult r = sys::read_tty(master_, buf, sizeof buf);
    if (r.status == sys::TtyIo::closed) {
        master_open_ = false;
        return false;
    }
    size_t off = 0;
    while (off < r.bytes) {
        const sys::TtyIoResult w = sys::write_tty(out_, buf + off, r.bytes - off);
        if (w.status == sys::TtyIo::closed) fail("copy container output: the output was closed");
        if (w.status == sys::TtyIo::would_block) {
            sys::poll_one(out_, POLLOUT, -1);
            continue;
        }
        off += w.bytes;
    }
    return true;
}

bool TerminalProxy::flush_input() {
    size_t off = 0;
    while (off < pending_.size()) {
        const sys::TtyIoResult w = sys::write_tty(master_, pending_.data() + off, pending_.size() - off);
        if (w.status == sys::TtyIo::closed) {
            master_open_ = false;
            pending_.clear();
            return false;
        }
        if (w.status == sys::TtyIo::would_block) break;  // the terminal's input queue is full
        off += w.bytes;
    }
    pending_.erase(0, off);
    return true;
}

bool TerminalProxy::read_input() {
    char buf[kChunk];
    const sys::TtyIoResult r = sys::read_tty(in_, buf, sizeof buf);
    if (r.status == sys::TtyIo::closed) {
        in_open_ = false;  // our input ended; the container's terminal stays open
        return master_open_;
    }
    pending_.append(buf, r.bytes);
    return flush_input();
}

bool TerminalProxy::on_event(int fd, short revents) {
    if (fd == master_ && master_open_) {
        if ((revents & POLLOUT) && !flush_input()) return false;
        if (revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!pump_master()) return false;
            // Output often means the program took input (its echo): try what is kept.
            if (!pending_.empty() && !flush_input()) return false;
        }
    } else if (fd == in_ && in_open_ && pending_.empty() && (revents & (POLLIN | POLLHUP | POLLERR))) {
        return read_input();
    }
    return master_open_;
}

bool TerminalProxy::on_readable(int fd) { return on_event(fd, POLLIN); }

void TerminalProxy::sync_window_size() { copy_window_size(in_, out_, master_); }

void copy_window_size(int in_fd, int out_fd, int master_fd) {
    int source = -1;
    if (sys::is_tty(in_fd)) {
        source = in_fd;
    } else if (sys::is_tty(out_fd)) {
        source = out_fd;
    }
    if (source < 0) return;
    sys::set_window_size(master_fd, sys::get_window_size(source));
}

}  // namespace ocirt::terminal
