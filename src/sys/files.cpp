#include "ocirt/sys/files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <random>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {

Fd open_at(int dirfd, const std::string& path, int flags, mode_t mode) {
    const int fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) throw_errno("open {}", path);
    return Fd(fd);
}

Fd try_open_at(int dirfd, const std::string& path, int flags, mode_t mode) {
    const int fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) {
        if (errno == ENOENT) return Fd();
        throw_errno("open {}", path);
    }
    return Fd(fd);
}

Fd open_in_root(int rootfd, const std::string& path, int flags, mode_t mode) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const std::string rel = path.empty() ? "." : path;
    while (true) {
        const long fd = ::syscall(SYS_openat2, rootfd, rel.c_str(), &how, sizeof how);
        if (fd >= 0) return Fd(static_cast<int>(fd));
        if (errno == EAGAIN || errno == EINTR) continue;  // a concurrent rename; resolve again
        if (errno == ENOENT) return Fd();
        throw_errno("open {} inside the root", path);
    }
}

size_t read_some(int fd, void* buf, size_t n) {
    while (true) {
        const ssize_t r = ::read(fd, buf, n);
        if (r >= 0) return static_cast<size_t>(r);
        if (errno != EINTR) throw_errno("read fd {}", fd);
    }
}

std::string read_fd(int fd, size_t limit) {
    std::string out;
    char buf[8192];
    while (true) {
        const size_t n = read_some(fd, buf, sizeof buf);
        if (n == 0) return out;
        if (out.size() + n > limit) fail("larger than {} bytes", limit);
        out.append(buf, n);
    }
}

std::string read_file(const std::string& path, size_t limit) {
    Fd fd = open_at(AT_FDCWD, path, O_RDONLY);
    return with_context(path, [&] { return read_fd(fd.get(), limit); });
}

std::optional<std::string> try_read_single_record(const std::string& path) {
    const Fd fd = try_open_at(AT_FDCWD, path, O_RDONLY);
    if (!fd) return std::nullopt;
    return with_context(path, [&] {
        char buf[4096];
        const size_t n = read_some(fd.get(), buf, sizeof buf);
        std::string out(buf, n);
        if (n == sizeof buf) out += read_fd(fd.get(), 1u << 20);
        return out;
    });
}

void write_all(int fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
        const ssize_t w = ::write(fd, data.data() + off, data.size() - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            throw_errno("write fd {}", fd);
        }
        off += static_cast<size_t>(w);
    }
}

void write_file(const std::string& path, const std::string& data, mode_t mode) {
    Fd fd = open_at(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode);
    with_context("write " + path, [&] { write_all(fd.get(), data); });
}

void replace_file(const std::string& path, const std::string& data, mode_t mode) {
    std::random_device rd;
    const std::string tmp = fmt::format("{}.tmp-{:08x}", path, rd());
    {
        Fd fd = open_at(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
        try {
            write_all(fd.get(), data);
        } catch (...) {
            ::unlink(tmp.c_str());
            throw;
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        throw_error_code(e, "rename {} to {}", tmp, path);
    }
}

bool make_dir(const std::string& path, mode_t mode, bool exist_ok) {
    if (::mkdir(path.c_str(), mode) == 0) return true;
    if (errno == EEXIST && exist_ok) return false;
    throw_errno("mkdir {}", path);
}

void make_dirs(const std::string& path, mode_t mode) {
    std::string cur;
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        cur = path.substr(0, pos);
        if (cur.empty()) continue;
        if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST) throw_errno("mkdir {}", cur);
    }
}

void make_dir_at(int dirfd, const std::string& name, mode_t mode) {
    if (::mkdirat(dirfd, name.c_str(), mode) < 0 && errno != EEXIST) throw_errno("mkdir {}", name);
}

void remove_file(const std::string& path) {
    if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw_errno("remove {}", path);
}

namespace {
void remove_tree_at(int parent, const std::string& name, dev_t dev) {
    const int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOTDIR || errno == ELOOP) {
            if (::unlinkat(parent, name.c_str(), 0) < 0 && errno != ENOENT) throw_errno("remove {}", name);
            return;
        }
        if (errno == ENOENT) return;
        throw_errno("open {}", name);
    }
    Fd owned(fd);
    const struct stat st = stat_fd(fd);
    if (st.st_dev != dev) fail("refusing to remove {}: it is on another mount", name);
    DIR* d = ::fdopendir(::dup(fd));
    if (d == nullptr) throw_errno("read dir {}", name);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    for (const auto& n : names) remove_tree_at(fd, n, dev);
    if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) throw_errno("remove {}", name);
}
}  // namespace

void remove_tree(const std::string& path) {
    auto st = stat_path(path, false);
    if (!st) return;
    remove_tree_at(AT_FDCWD, path, st->st_dev);
}

std::optional<struct stat> stat_path(const std::string& path, bool follow) {
    struct stat st {};
    const int r = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
    if (r == 0) return st;
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw_errno("stat {}", path);
}

struct stat stat_fd(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) throw_errno("stat fd {}", fd);
    return st;
}

struct statfs statfs_fd(int fd) {
    struct statfs st {};
    if (::fstatfs(fd, &st) < 0) throw_errno("fstatfs");
    return st;
}

bool exists(const std::string& path) { return stat_path(path, false).has_value(); }

namespace {
/// The names in `path` (not . and ..) for which keep(dir stream, entry) is true.
template <typename Keep>
std::vector<std::string> dir_names(const std::string& path, bool missing_is_empty, Keep keep) {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr && missing_is_empty && errno == ENOENT) return {};
    if (d == nullptr) throw_errno("read dir {}", path);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n != "." && n != ".." && keep(d, e)) names.push_back(n);
    }
    ::closedir(d);
    return names;
}
}  // namespace

std::vector<std::string> list_dir(const std::string& path) {
    return dir_names(path, false, [](DIR*, const dirent*) { return true; });
}

std::vector<std::string> list_subdirs(const std::string& path) {
    return dir_names(path, true, [](DIR* d, const dirent* e) {
        if (e->d_type != DT_UNKNOWN) return e->d_type == DT_DIR;
        struct stat st {};
        return ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    });
}

void symlink_at(const std::string& target, int dirfd, const std::string& name) {
    if (::symlinkat(target.c_str(), dirfd, name.c_str()) < 0 && errno != EEXIST)
        throw_errno("symlink {} -> {}", name, target);
}

void mknod_at(int dirfd, const std::string& name, mode_t mode, dev_t dev) {
    if (::mknodat(dirfd, name.c_str(), mode, dev) < 0) throw_errno("mknod {}", name);
}

void chown_fd(int fd, uid_t uid, gid_t gid) {
    if (::fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) throw_errno("chown fd {}", fd);
}

void chmod_fd(int fd, mode_t mode) {
    if (::chmod(proc_fd_path(fd).c_str(), mode) < 0) throw_errno("chmod fd {}", fd);
}

std::string read_link(const std::string& path) {
    char buf[4096];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    if (n < 0) throw_errno("readlink {}", path);
    return std::string(buf, static_cast<size_t>(n));
}

std::string fd_path(int fd) { return read_link(proc_fd_path(fd)); }

std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

void lock_exclusive(int fd) {
    while (::flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) throw_errno("lock");
    }
}

bool is_locked_by_another(int fd) {
    while (::flock(fd, LOCK_SH | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK) return true;
        if (errno != EINTR) throw_errno("lock");
    }
    ::flock(fd, LOCK_UN);
    return false;
}

std::pair<Fd, Fd> make_pipe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe");
    return {Fd(p[0]), Fd(p[1])};
}

}  // namespace ocirt::sys

#include <sys/mman.h>

namespace ocirt::sys {
Fd create_memfd(const std::string& name, unsigned extra_flags) {
    Fd fd(static_cast<int>(::syscall(SYS_memfd_create, name.c_str(), MFD_CLOEXEC | extra_flags)));
    if (!fd) throw_errno("memfd_create {}", name);
    return fd;
}

Fd memfd_with_data(const std::string& name, const std::string& data) {
    Fd fd = create_memfd(name, MFD_ALLOW_SEALING);
    write_all(fd.get(), data);
    if (::lseek(fd.get(), 0, SEEK_SET) < 0) throw_errno("seek memfd {}", name);
    seal_memfd(fd.get(), "memfd " + name);
    return fd;
}

void seal_memfd(int fd, const std::string& what) {
    constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
    for (long delay_ms = 1;; delay_ms *= 2) {
        if (::fcntl(fd, F_ADD_SEALS, kSeals) == 0) return;
        if (errno != EBUSY || delay_ms > 512) throw_errno("seal {}", what);
        const timespec pause{0, delay_ms * 1000 * 1000};
        ::nanosleep(&pause, nullptr);
    }
}
}  // namespace ocirt::sys

namespace ocirt::sys {
bool is_executable(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0 || !S_ISREG(st.st_mode)) return false;
    return ::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) == 0;
}

bool is_writable(const std::string& path) { return ::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) == 0; }
}  // namespace ocirt::sys

#include <climits>
#include <cstdlib>

namespace ocirt::sys {
std::string real_path(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) throw_errno("{}", path);
    return buf;
}
}  // namespace ocirt::sys

namespace ocirt::sys {
Fd scratch_memfd(const std::string& name) {
    return create_memfd(name);
}

std::string read_from_start(int fd, size_t limit) {
    if (::lseek(fd, 0, SEEK_SET) < 0) throw_errno("seek fd {}", fd);
    return read_fd(fd, limit);
}

void write_existing_file(const std::string& path, const std::string& data) {
    Fd fd = open_at(AT_FDCWD, path, O_WRONLY);
    while (true) {
        const ssize_t w = ::write(fd.get(), data.data(), data.size());
        if (w >= 0) {
            if (static_cast<size_t>(w) != data.size()) fail("write {}: short write", path);
            return;
        }
        if (errno != EINTR) throw_errno("write \"{}\" to {}", data, path);
    }
}

int remove_empty_dir(const std::string& path) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return 0;
    return errno;
}

}  // namespace ocirt::sys
