#include "ocirt/sys/namespaces.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::sys {

void unshare_namespaces(int clone_flags, const std::string& what) {
    if (::unshare(clone_flags) < 0) throw_errno("unshare {}", what);
}

void join_namespace(int fd, int clone_flag, const std::string& what) {
    if (::setns(fd, clone_flag) < 0) throw_errno("join {}", what);
}

Fd open_namespace(const std::string& path, int clone_flag) {
    Fd fd = open_at(AT_FDCWD, path, O_RDONLY);
    const int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (type < 0) throw_errno("{} is not a namespace file", path);
    if (type != clone_flag) fail("{} is a namespace of another kind", path);
    return fd;
}

std::string namespace_identity(const std::string& ns_link) {
    try {
        return read_link(ns_link);
    } catch (const Error&) {
        return {};
    }
}

Fd new_user_namespace(const std::string& uid_map, const std::string& gid_map) {
    auto [ready_read, ready_write] = make_pipe();
    auto [done_read, done_write] = make_pipe();
    const pid_t child = fork_process();
    if (child == 0) {
        ready_read.reset();
        done_write.reset();
        const char ok = ::unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
        (void)::write(ready_write.get(), &ok, 1);
        char b;
        (void)::read(done_read.get(), &b, 1);  // EOF: the parent holds the namespace now
        exit_now(0);
    }
    ready_write.reset();
    done_read.reset();
    struct Reap {
        pid_t pid;
        Fd& done;
        ~Reap() {
            done.reset();
            try {
                wait_process(pid);
            } catch (...) {
                // The child exits on its own once `done` is closed.
            }
        }
    } reap{child, done_write};
    char ok = 'n';
    if (read_some(ready_read.get(), &ok, 1) != 1 || ok != 'y') fail("id-mapped mount: cannot create a user namespace");
    const std::string proc = "/proc/" + std::to_string(child);
    with_context("write " + proc + "/uid_map", [&] {
        Fd f = open_at(AT_FDCWD, proc + "/uid_map", O_WRONLY);
        write_all(f.get(), uid_map);
    });
    with_context("write " + proc + "/gid_map", [&] {
        Fd f = open_at(AT_FDCWD, proc + "/gid_map", O_WRONLY);
        write_all(f.get(), gid_map);
    });
    return open_namespace(proc + "/ns/user", CLONE_NEWUSER);
}

}  // namespace ocirt::sys
