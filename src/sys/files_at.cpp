#include "ocirt/sys/files_at.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "ocirt/sys/fd.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::sys {

std::vector<std::string> list_dir_fd(int dirfd) {
    // fdopendir takes the fd it is given; hand it a duplicate opened on "." so the caller's fd
    // is left alone.
    const int dup = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup < 0) throw_errno("read dir fd {}", dirfd);
    DIR* d = ::fdopendir(dup);
    if (d == nullptr) {
        const int err = errno;
        ::close(dup);
        throw_error_code(err, "read dir fd {}", dirfd);
    }
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    const int err = errno;
    ::closedir(d);
    if (err != 0) throw_error_code(err, "read dir fd {}", dirfd);
    return names;
}

struct stat stat_at(int dirfd, const std::string& name) {
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("stat {}", name);
    return st;
}

std::string read_link_at(int dirfd, const std::string& name) {
    std::string buf(4096, '\0');
    const ssize_t n = ::readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
    if (n < 0) throw_errno("readlink {}", name);
    if (static_cast<size_t>(n) == buf.size()) throw_error_code(ENAMETOOLONG, "readlink {}", name);
    buf.resize(static_cast<size_t>(n));
    return buf;
}

void copy_data(int from, int to) {
    bool use_copy_range = true;
    char buf[65536];
    while (true) {
        if (use_copy_range) {
            const ssize_t n = ::copy_file_range(from, nullptr, to, nullptr, 1u << 30, 0);
            if (n > 0) continue;
            if (n == 0) return;
            if (errno == EINTR) continue;
            if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP && errno != EBADF)
                throw_errno("copy data");
            use_copy_range = false;  // e.g. a special filesystem: fall back to read/write
        }
        const ssize_t n = ::read(from, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("copy data: read");
        }
        if (n == 0) return;
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(to, buf + done, static_cast<size_t>(n - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                throw_errno("copy data: write");
            }
            done += w;
        }
    }
}

void set_mode(int fd, mode_t mode) {
    if (::fchmod(fd, mode) < 0) throw_errno("chmod fd {}", fd);
}

void set_times(int fd, const struct stat& st) {
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (::futimens(fd, times) < 0) throw_errno("set times of fd {}", fd);
}

}  // namespace ocirt::sys
