// console_receiver: the other end of `--console-socket` for the integration tests.
//
//   console_receiver SOCKET_PATH [--input TEXT] [--timeout SECONDS]
//
// It listens on a unix stream socket at SOCKET_PATH (the path appears only once
// the socket is listening), accepts one connection, receives one fd over
// SCM_RIGHTS, checks that it is a pty master, writes TEXT to it, then reads
// everything the container prints until the pty hangs up (EIO once every slave
// fd is closed) or the timeout passes. It prints one JSON object:
//   {"received":true,"pty_number":N,"winsize":{"rows":R,"cols":C},
//    "output":"...","timed_out":false}
// or {"received":false,"error":"..."} and exits 1 if no pty master arrived.

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

[[noreturn]] void fail(const std::string& what) {
    const std::string msg = what + (errno ? std::string(": ") + std::strerror(errno) : "");
    std::printf("{\"received\":false,\"error\":%s}\n", json_string(msg).c_str());
    std::fflush(stdout);
    std::exit(1);
}

/// Milliseconds left until `deadline`, at least 0.
int ms_left(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

/// Binds under a temporary name and renames into place after listen(), so a
/// runtime that sees SOCKET_PATH can always connect.
int listen_at(const std::string& path) {
    const std::string tmp = path + ".tmp";
    if (tmp.size() >= sizeof(sockaddr_un::sun_path)) {
        errno = ENAMETOOLONG;
        fail("socket path too long");
    }
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0) fail("socket");
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, tmp.c_str(), tmp.size() + 1);
    unlink(tmp.c_str());
    if (bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("bind " + tmp);
    if (listen(sock, 1) != 0) fail("listen");
    if (rename(tmp.c_str(), path.c_str()) != 0) fail("rename to " + path);
    return sock;
}

int receive_fd(int conn) {
    char byte[256];
    iovec iov {byte, sizeof byte};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) fail("recvmsg");
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return fd;
        }
    }
    errno = 0;
    fail("no SCM_RIGHTS fd in the message");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs("usage: console_receiver SOCKET_PATH [--input TEXT] [--timeout SECONDS]\n", stderr);
        return 2;
    }
    const std::string path = argv[1];
    std::string input;
    int timeout_s = 30;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (flag == "--input") {
            input = argv[i + 1];
        } else if (flag == "--timeout") {
            timeout_s = std::atoi(argv[i + 1]);
        } else {
            std::fprintf(stderr, "console_receiver: unknown flag %s\n", argv[i]);
            return 2;
        }
    }
    const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);

    int sock = listen_at(path);
    pollfd pfd {sock, POLLIN, 0};
    if (poll(&pfd, 1, ms_left(deadline)) <= 0) {
        errno = ETIMEDOUT;
        fail("no connection on " + path);
    }
    int conn = accept4(sock, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) fail("accept");
    const int master = receive_fd(conn);
    close(conn);
    close(sock);

    unsigned int pty_number = 0;
    if (ioctl(master, TIOCGPTN, &pty_number) != 0) fail("received fd is not a pty master (TIOCGPTN)");
    winsize ws {};
    if (ioctl(master, TIOCGWINSZ, &ws) != 0) fail("TIOCGWINSZ");

    if (!input.empty()) {
        size_t done = 0;
        while (done < input.size()) {
            ssize_t n = write(master, input.data() + done, input.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("write to pty master");
            done += static_cast<size_t>(n);
        }
    }

    std::string output;
    bool timed_out = false;
    for (;;) {
        pollfd mp {master, POLLIN, 0};
        int ready = poll(&mp, 1, ms_left(deadline));
        if (ready == 0) {
            timed_out = true;
            break;
        }
        if (ready < 0) {
            if (errno == EINTR) continue;
            fail("poll pty master");
        }
        char buf[4096];
        ssize_t n = read(master, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EIO: the last slave fd closed.
        output.append(buf, static_cast<size_t>(n));
    }
    close(master);

    std::printf("{\"received\":true,\"pty_number\":%u,\"winsize\":{\"rows\":%u,\"cols\":%u},"
                "\"output\":%s,\"timed_out\":%s}\n",
                pty_number, ws.ws_row, ws.ws_col, json_string(output).c_str(),
                timed_out ? "true" : "false");
    return std::fflush(stdout) == 0 ? 0 : 1;
}
