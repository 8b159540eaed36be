#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/terminal.hpp"
#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/terminal/console.hpp"
#include "ocirt/util/error.hpp"
#include "proc_test_util.hpp"

using namespace ocirt;
using terminal::open_pty;
using terminal::TerminalProxy;

namespace {

/// Reads what arrives on `fd` within `ms` milliseconds, until `want` bytes or a quiet gap.
std::string read_for(int fd, size_t want, int ms = 2000) {
    std::string out;
    char buf[4096];
    while (out.size() < want) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0) break;
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

void put(int fd, const std::string& s) { REQUIRE(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }

void make_raw(int fd) { sys::set_termios(fd, sys::make_raw(sys::get_termios(fd))); }

}  // namespace

TEST_CASE("open_pty gives a connected master and slave") {
    terminal::Pty pty = open_pty();
    REQUIRE(pty.master.valid());
    REQUIRE(pty.slave.valid());
    CHECK(sys::is_tty(pty.slave.get()));
    CHECK((::fcntl(pty.master.get(), F_GETFD) & FD_CLOEXEC) != 0);
    CHECK((::fcntl(pty.slave.get(), F_GETFD) & FD_CLOEXEC) != 0);
    CHECK(sys::pty_slave_name(pty.master.get()) == "/dev/pts/" + std::to_string(sys::pty_number(pty.master.get())));

    put(pty.slave.get(), "hello\n");
    CHECK(read_for(pty.master.get(), 7) == "hello\r\n");  // ONLCR of a fresh terminal
    put(pty.master.get(), "typed\n");
    CHECK(read_for(pty.slave.get(), 6) == "typed\n");
}

TEST_CASE("open_pty refuses a path that is not the ptmx device") {
    CHECK_THROWS_WITH(open_pty("/dev/null"), "open a pty from /dev/null: /dev/null is not the ptmx device (char 5:2)");
    CHECK_THROWS_WITH(open_pty("/nonexistent/ptmx"),
                      "open a pty from /nonexistent/ptmx: open /nonexistent/ptmx: No such file or directory");
}

TEST_CASE("the console size round-trips through the master and the slave") {
    terminal::Pty pty = open_pty();
    terminal::apply_console_size(pty.master.get(), spec::ConsoleSize{24, 80});
    const sys::WindowSize ws = sys::get_window_size(pty.slave.get());
    CHECK(ws.rows == 24);
    CHECK(ws.cols == 80);
    terminal::apply_console_size(pty.slave.get(), spec::ConsoleSize{50, 132});
    CHECK(sys::get_window_size(pty.master.get()).cols == 132);
    CHECK_THROWS_WITH(terminal::apply_console_size(pty.master.get(), spec::ConsoleSize{70000, 80}),
                      "/process/consoleSize/height: 70000 is larger than a terminal can be (65535)");
}

TEST_CASE("the master goes through a console socket like runc sends it") {
    proc_test::ScratchDir dir;
    const std::string path = dir / "console.sock";
    sys::Fd listener = sys::listen_unix(path);
    terminal::Pty pty = open_pty();

    terminal::send_console_master(path, pty.master.get());
    sys::Fd conn = sys::accept_unix(listener.get());
    std::vector<sys::Fd> fds;
    const std::string name = sys::recv_with_fds(conn.get(), 4096, fds);
    CHECK(name == "/dev/ptmx");
    REQUIRE(fds.size() == 1);

    // The received fd is the same master: what the slave writes comes out of it.
    pty.master.reset();
    put(pty.slave.get(), "over the socket\n");
    CHECK(read_for(fds[0].get(), 17) == "over the socket\r\n");
}

TEST_CASE("receive_console_master takes the one fd of the message") {
    proc_test::ScratchDir dir;
    const std::string path = dir / "c.sock";
    sys::Fd listener = sys::listen_unix(path);
    terminal::Pty pty = open_pty();
    terminal::send_console_master(path, pty.master.get(), "/dev/pts/ptmx");
    sys::Fd conn = sys::accept_unix(listener.get());
    sys::Fd master = terminal::receive_console_master(conn.get());
    REQUIRE(master.valid());
    CHECK(sys::pty_number(master.get()) == sys::pty_number(pty.master.get()));

    CHECK_THROWS_WITH(terminal::send_console_master(dir / "nobody.sock", pty.master.get()),
                      "send the console to " + (dir / "nobody.sock") + ": connect to " + (dir / "nobody.sock") +
                          ": No such file or directory");
}

TEST_CASE("make_controlling_terminal gives a new session the pty as stdio (in a child)") {
    terminal::Pty pty = open_pty();
    const int slave = pty.slave.get();
    const int rc = proc_test::in_child([slave] {
        terminal::make_controlling_terminal(slave);
        if (::getsid(0) != ::getpid()) return 1;
        for (int fd = 0; fd <= 2; ++fd) {
            if (!sys::is_tty(fd)) return 2;
            if (::tcgetsid(fd) != ::getpid()) return 3;  // our session's controlling terminal
        }
        if (::tcgetpgrp(0) != ::getpgrp()) return 4;  // and we are its foreground group
        if (::write(1, "from child\n", 11) != 11) return 5;
        return 0;
    });
    CHECK(rc == 0);
    CHECK(read_for(pty.master.get(), 12) == "from child\r\n");
}

TEST_CASE("TerminalProxy copies stdin to the master and the master to stdout") {
    terminal::Pty pty = open_pty();
    make_raw(pty.slave.get());
    auto [in_r, in_w] = sys::make_pipe();
    auto [out_r, out_w] = sys::make_pipe();
    {
        TerminalProxy proxy(pty.master.get(), in_r.get(), out_w.get());
        CHECK(proxy.poll_fds() == std::vector<int>{in_r.get(), pty.master.get()});

        put(in_w.get(), "ping");
        CHECK(proxy.on_readable(in_r.get()));
        CHECK(read_for(pty.slave.get(), 4) == "ping");

        put(pty.slave.get(), "pong");
        CHECK(proxy.on_readable(pty.master.get()));
        CHECK(read_for(out_r.get(), 4) == "pong");

        // The caller's stdin ends: no longer polled, the container's terminal stays.
        in_w.reset();
        CHECK(proxy.on_readable(in_r.get()));
        CHECK(proxy.poll_fds() == std::vector<int>{pty.master.get()});

        // Every slave fd closed: the master hangs up and the proxy says it is done.
        pty.slave.reset();
        CHECK_FALSE(proxy.on_readable(pty.master.get()));
        CHECK(proxy.poll_fds().empty());
    }
    // The master's flags are restored (no O_NONBLOCK left behind).
    CHECK((::fcntl(pty.master.get(), F_GETFL) & O_NONBLOCK) == 0);
}

TEST_CASE("TerminalProxy puts a terminal stdin in raw mode, copies its size and restores it") {
    terminal::Pty container = open_pty();
    terminal::Pty caller = open_pty();  // stands in for the user's terminal
    sys::set_window_size(caller.slave.get(), sys::WindowSize{33, 111});
    const termios before = sys::get_termios(caller.slave.get());
    REQUIRE((before.c_lflag & ICANON) != 0);
    {
        TerminalProxy proxy(container.master.get(), caller.slave.get(), caller.slave.get());
        const termios during = sys::get_termios(caller.slave.get());
        CHECK((during.c_lflag & (ICANON | ECHO | ISIG)) == 0);
        const sys::WindowSize ws = sys::get_window_size(container.slave.get());
        CHECK(ws.rows == 33);
        CHECK(ws.cols == 111);

        sys::set_window_size(caller.slave.get(), sys::WindowSize{40, 120});  // as on SIGWINCH
        proxy.sync_window_size();
        CHECK(sys::get_window_size(container.slave.get()).cols == 120);
    }
    const termios after = sys::get_termios(caller.slave.get());
    CHECK(after.c_lflag == before.c_lflag);
    CHECK(after.c_iflag == before.c_iflag);
    CHECK(after.c_oflag == before.c_oflag);
}

TEST_CASE("TerminalProxy never blocks on a container that does not read its input") {
    terminal::Pty pty = open_pty();
    make_raw(pty.slave.get());
    // Far more than a terminal takes before its reader catches up (its line discipline's
    // 4 KiB plus the pty's buffer of up to 64 KiB); a file, so it is all readable at once.
    std::string data;
    for (int i = 0; data.size() < 256 * 1024; ++i) data += std::to_string(i) + ",";
    proc_test::ScratchDir dir;
    {
        std::ofstream(dir / "input") << data;
    }
    sys::Fd in_r(::open((dir / "input").c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(in_r.valid());
    auto [out_r, out_w] = sys::make_pipe();
    TerminalProxy proxy(pty.master.get(), in_r.get(), out_w.get());
    // Each call returns at once; once input is kept, stdin is no longer polled.
    for (int i = 0; i < 100 && proxy.poll_set().size() == 2 && proxy.poll_set()[0].fd == in_r.get(); ++i)
        CHECK(proxy.on_event(in_r.get(), POLLIN));
    const auto set = proxy.poll_set();
    REQUIRE(set.size() == 1);
    CHECK(set[0].fd == pty.master.get());
    CHECK((set[0].events & POLLOUT) != 0);

    // Now the container reads: driving the proxy by poll_set delivers everything.
    std::string got;
    char buf[8192];
    ::fcntl(pty.slave.get(), F_SETFL, O_NONBLOCK);
    for (int round = 0; round < 1000 && got.size() < data.size(); ++round) {
        std::vector<pollfd> fds = proxy.poll_set();
        ::poll(fds.data(), fds.size(), 100);
        for (const pollfd& p : fds)
            if (p.revents != 0) REQUIRE(proxy.on_event(p.fd, p.revents));
        const ssize_t n = ::read(pty.slave.get(), buf, sizeof buf);
        if (n > 0) got.append(buf, static_cast<size_t>(n));
    }
    CHECK(got.size() == data.size());
    CHECK(got == data);
}
