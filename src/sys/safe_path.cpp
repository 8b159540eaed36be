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

Fd ensure_dir_in_root(int rootfd, const std::string& path, unsigned mode) {
    std::string prefix;
    Fd cur = open_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
    for (const auto& part : path_components(path)) {
        const std::string next = prefix.empty() ? part : prefix + "/" + part;
        Fd fd = open_in_root(rootfd, next, O_PATH);
        if (!fd) {
            // `cur` is the resolved parent; creating a single name in it cannot follow a link.
            if (::mkdirat(cur.get(), part.c_str(), mode) < 0 && errno != EEXIST) throw_errno("mkdir {}", next);
            fd = open_in_root(rootfd, next, O_PATH);
            if (!fd) fail("{} vanished while it was being created", next);
        }
        if (!S_ISDIR(stat_fd(fd.get()).st_mode)) throw_error_code(ENOTDIR, "{}", next);
        cur = std::move(fd);
        prefix = next;
    }
    return cur;
}

Fd ensure_file_in_root(int rootfd, const std::string& path, unsigned mode) {
    auto parts = path_components(path);
    if (parts.empty()) fail("{}: not a file path", path);
    if (Fd fd = open_in_root(rootfd, path, O_PATH)) return fd;
    const std::string name = parts.back();
    parts.pop_back();
    std::string parent;
    for (const auto& p : parts) parent += "/" + p;
    Fd dir = ensure_dir_in_root(rootfd, parent, 0755);
    // `dir` is the resolved parent; O_EXCL|O_NOFOLLOW on a single name cannot follow a link.
    const int f = ::openat(dir.get(), name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
    if (f < 0 && errno != EEXIST) throw_errno("create {}", path);
    if (f >= 0) ::close(f);
    Fd fd = open_in_root(rootfd, path, O_PATH);
    if (!fd) fail("{} vanished while it was being created", path);
    return fd;
}

}  // namespace ocirt::sys
