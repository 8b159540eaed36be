#include "ocirt/sys/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {
namespace {

constexpr size_t kMaxFds = 64;

sockaddr_un make_addr(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) fail("socket path {} is too long (max {} bytes)", path, sizeof addr.sun_path - 1);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}

}  // namespace

std::pair<Fd, Fd> seqpacket_pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
    return {Fd(sv[0]), Fd(sv[1])};
}

Fd connect_unix(const std::string& path) {
    Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) throw_errno("socket");
    const sockaddr_un addr = make_addr(path);
    while (::connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
        if (errno != EINTR) throw_errno("connect to {}", path);
    }
    return s;
}

Fd listen_unix(const std::string& path) {
    Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) throw_errno("socket");
    const sockaddr_un addr = make_addr(path);
    if (::bind(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) throw_errno("bind {}", path);
    if (::listen(s.get(), 16) < 0) throw_errno("listen {}", path);
    return s;
}

Fd listen_seqpacket(const std::string& path) {
    Fd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!s) throw_errno("socket");
    const sockaddr_un addr = make_addr(path);
    if (::bind(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) throw_errno("bind {}", path);
    if (::listen(s.get(), 4) < 0) throw_errno("listen {}", path);
    return s;
}

Fd connect_seqpacket(const std::string& path) {
    Fd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!s) throw_errno("socket");
    const sockaddr_un addr = make_addr(path);
    while (::connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
        if (errno == ENOENT || errno == ECONNREFUSED) return Fd();
        if (errno != EINTR) throw_errno("connect to {}", path);
    }
    return s;
}

Fd accept_unix(int listen_fd) {
    while (true) {
        const int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) return Fd(c);
        if (errno != EINTR) throw_errno("accept");
    }
}

void send_with_fds(int sock, const std::string& data, const std::vector<int>& fds) {
    if (fds.size() > kMaxFds) fail("too many fds to send ({})", fds.size());
    iovec iov{const_cast<char*>(data.data()), data.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    if (!fds.empty()) {
        const size_t len = sizeof(int) * fds.size();
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(len);
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(len);
        std::memcpy(CMSG_DATA(c), fds.data(), len);
    }
    while (true) {
        const ssize_t n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (n >= 0) {
            if (static_cast<size_t>(n) != data.size()) fail("short send ({} of {} bytes)", n, data.size());
            return;
        }
        if (errno != EINTR) throw_errno("send message");
    }
}

std::string recv_with_fds(int sock, size_t max, std::vector<Fd>& fds) {
    std::string buf(max, '\0');
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0) {
        if (errno != EINTR) throw_errno("receive message");
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; ++i) {
                int fd;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                fds.emplace_back(fd);
            }
        }
    }
    if (msg.msg_flags & MSG_TRUNC) fail("message larger than {} bytes", max);
    if (msg.msg_flags & MSG_CTRUNC) fail("too many fds in one message");
    buf.resize(static_cast<size_t>(n));
    return buf;
}

}  // namespace ocirt::sys
