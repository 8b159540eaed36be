// seccomp_agent: a minimal seccomp user-notification agent for the integration tests.
//
//   seccomp_agent SOCKET STATE_FILE SYSCALL ERRNO
//
// Listens on the unix socket SOCKET (the container's linux.seccomp.listenerPath), accepts one
// connection, receives the container process state and the notify fd (SCM_RIGHTS), writes the
// state to STATE_FILE, then answers every notification: SYSCALL fails with ERRNO (0: it
// "succeeds" with return value 0 without running), any other syscall continues as if no filter
// had stopped it. Exits when the last process using the filter is gone.

#include <poll.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int fail(const char* what) {
    std::fprintf(stderr, "seccomp_agent: %s: %s\n", what, std::strerror(errno));
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fputs("usage: seccomp_agent SOCKET STATE_FILE SYSCALL ERRNO\n", stderr);
        return 2;
    }
    const int target = seccomp_syscall_resolve_name(argv[3]);
    const int answer = std::atoi(argv[4]);
    const int srv = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
    if (::bind(srv, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return fail("bind");
    if (::listen(srv, 1) < 0) return fail("listen");
    const int conn = ::accept4(srv, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return fail("accept");

    char buf[65536];
    char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{buf, sizeof buf - 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0) return fail("recvmsg");
    const cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (c == nullptr || c->cmsg_type != SCM_RIGHTS) {
        std::fputs("seccomp_agent: no fd received\n", stderr);
        return 1;
    }
    int notify_fd;
    std::memcpy(&notify_fd, CMSG_DATA(c), sizeof notify_fd);
    if (FILE* f = std::fopen(argv[2], "w")) {
        std::fwrite(buf, 1, static_cast<size_t>(n), f);
        std::fclose(f);
    }

    seccomp_notif* req = nullptr;
    seccomp_notif_resp* resp = nullptr;
    if (seccomp_notify_alloc(&req, &resp) != 0) return fail("seccomp_notify_alloc");
    while (true) {
        pollfd p{notify_fd, POLLIN, 0};
        if (::poll(&p, 1, -1) < 0) {
            if (errno == EINTR) continue;
            return fail("poll");
        }
        if (p.revents & (POLLHUP | POLLERR)) return 0;  // no process uses the filter any more
        std::memset(req, 0, sizeof *req);
        if (seccomp_notify_receive(notify_fd, req) != 0) continue;  // the caller went away
        std::memset(resp, 0, sizeof *resp);
        resp->id = req->id;
        if (req->data.nr == target) {
            resp->error = -answer;
            resp->val = 0;
        } else {
            resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        }
        seccomp_notify_respond(notify_fd, resp);
    }
}
