#include "ocirt/sys/safe_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::sys {

std::vector<std::string> path_components(const std::string& path) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string part = path.substr(start, end - start);
        if (!part.empty() && part != ".") out.push_back(std::move(part));
        start = end + 1;
    }
    return out;
}

namespace {

constexpr int kMaxLinks = 40;  // as the kernel's MAXSYMLINKS

std::string read_link_at(int dirfd, const std::string& name) {
    char buf[4096];
    const ssize_t n = ::readlinkat(dirfd, name.c_str(), buf, sizeof buf);
    if (n < 0) throw_errno("readlink {}", name);
    return std::string(buf, static_cast<size_t>(n));
}

Fd ensure_dir_walk(int rootfd, const std::string& path, unsigned mode, int links) {
    if (links > kMaxLinks) throw_error_code(ELOOP, "{}", path);
    const auto parts = path_components(path);
    std::string prefix;
    Fd cur = open_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
    for (size_t i = 0; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        const std::string next = prefix.empty() ? part : prefix + "/" + part;
        Fd fd = open_in_root(rootfd, next, O_PATH);
        if (!fd) {
            // `cur` is the resolved parent; creating a single name in it cannot follow a link.
            if (::mkdirat(cur.get(), part.c_str(), mode) < 0 && errno != EEXIST) throw_errno("mkdir {}", next);
            fd = open_in_root(rootfd, next, O_PATH);
        }
        if (!fd) {
            // A dangling symlink: create its target, read as a path inside the root (so an
            // absolute or "../.." target still lands in the rootfs), then go on from there.
            const std::string target = read_link_at(cur.get(), part);
            std::string rest;
            for (size_t j = i + 1; j < parts.size(); ++j) rest += "/" + parts[j];
            const std::string redirected = target[0] == '/' ? target + rest : prefix + "/" + target + rest;
            return ensure_dir_walk(rootfd, redirected, mode, links + 1);
        }
        if (!S_ISDIR(stat_fd(fd.get()).st_mode)) throw_error_code(ENOTDIR, "{}", next);
        cur = std::move(fd);
        prefix = next;
    }
    return cur;
}

}  // namespace

Fd ensure_dir_in_root(int rootfd, const std::string& path, unsigned mode) {
    return ensure_dir_walk(rootfd, path, mode, 0);
}

Fd ensure_file_in_root(int rootfd, const std::string& path, unsigned mode) {
    std::string want = path;
    for (int links = 0; links <= kMaxLinks; ++links) {
        auto parts = path_components(want);
        if (parts.empty()) fail("{}: not a file path", path);
        if (Fd fd = open_in_root(rootfd, want, O_PATH)) return fd;
        const std::string name = parts.back();
        parts.pop_back();
        std::string parent;
        for (const auto& p : parts) parent += "/" + p;
        Fd dir = ensure_dir_in_root(rootfd, parent, 0755);
        // `dir` is the resolved parent; O_EXCL|O_NOFOLLOW on a single name cannot follow a link.
        const int f = ::openat(dir.get(), name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
        if (f >= 0) {
            ::close(f);
            if (Fd fd = open_in_root(rootfd, want, O_PATH)) return fd;
            fail("{} vanished while it was being created", want);
        }
        if (errno != EEXIST) throw_errno("create {}", want);
        // A dangling symlink: create its target instead, read as a path inside the root.
        const std::string target = read_link_at(dir.get(), name);
        want = target[0] == '/' ? target : parent + "/" + target;
    }
    throw_error_code(ELOOP, "{}", path);
}

}  // namespace ocirt::sys
