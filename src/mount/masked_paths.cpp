#include "ocirt/mount/masked_paths.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>

#include <fmt/format.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/mount_api.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::mount {
namespace {

bool is_null_device(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3); }

bool is_read_only_tmpfs(int fd) {
    const auto fs = sys::statfs_fd(fd);
    return fs.f_type == TMPFS_MAGIC && (fs.f_flags & ST_RDONLY);
}

/// The container's /dev/null, opened without following a final symlink and checked.
sys::Fd open_null_device(int rootfd) {
    sys::Fd null = sys::open_in_root(rootfd, "/dev/null", O_PATH | O_NOFOLLOW);
    if (!null || !is_null_device(sys::stat_fd(null.get())))
        fail("/linux/maskedPaths: the container's /dev/null is not the null device (1:3); refusing to mask with it");
    return null;
}

void mask_one(int rootfd, int null_fd, const std::string& path, size_t index) {
    const std::string what = fmt::format("/linux/maskedPaths/{} ({})", index, path);
    sys::Fd target = sys::open_in_root(rootfd, path, O_PATH);
    if (!target) return;  // nothing to hide
    const bool dir = S_ISDIR(sys::stat_fd(target.get()).st_mode);
    sys::Fd mask = dir ? sys::new_detached_fs("tmpfs", "size=0,mode=0555", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                                                               MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                                              what)
                       : sys::clone_mount_tree(null_fd, "", false, what);
    sys::attach_mount(mask.get(), target.get(), what);
    // Look again: if the path was swapped (a symlink, another mount) after it was opened, the
    // mask went somewhere else and the path would still show the real file.
    sys::Fd now = sys::open_in_root(rootfd, path, O_PATH);
    if (!now) fail("{}: vanished while it was masked", what);
    const auto st = sys::stat_fd(now.get());
    const bool masked = dir ? S_ISDIR(st.st_mode) && is_read_only_tmpfs(now.get()) : is_null_device(st);
    if (!masked) fail("{}: changed while it was masked; the mask does not cover it", what);
}

void readonly_one(int rootfd, const std::string& path, size_t index) {
    const std::string what = fmt::format("/linux/readonlyPaths/{} ({})", index, path);
    sys::Fd target = sys::open_in_root(rootfd, path, O_PATH);
    if (!target) return;
    sys::Fd tree = sys::clone_mount_tree(target.get(), "", true, what);
    sys::MountAttributes attr;
    attr.set = MOUNT_ATTR_RDONLY;
    sys::set_mount_attributes(tree.get(), true, attr, what);
    sys::attach_mount(tree.get(), target.get(), what);
}

void check_list(const std::vector<std::string>& paths, const char* field) {
    for (size_t i = 0; i < paths.size(); ++i)
        if (paths[i].empty() || paths[i][0] != '/') fail("/linux/{}/{}: \"{}\" is not an absolute path", field, i, paths[i]);
}

}  // namespace

void apply_masked_paths(const std::vector<std::string>& paths) {
    if (paths.empty()) return;
    sys::Fd root = sys::open_at(AT_FDCWD, "/", O_PATH | O_DIRECTORY);
    sys::Fd null = open_null_device(root.get());
    for (size_t i = 0; i < paths.size(); ++i) mask_one(root.get(), null.get(), paths[i], i);
}

void apply_readonly_paths(const std::vector<std::string>& paths) {
    if (paths.empty()) return;
    sys::Fd root = sys::open_at(AT_FDCWD, "/", O_PATH | O_DIRECTORY);
    for (size_t i = 0; i < paths.size(); ++i) readonly_one(root.get(), paths[i], i);
}

void check_protected_paths(const std::vector<std::string>& masked, const std::vector<std::string>& readonly) {
    check_list(masked, "maskedPaths");
    check_list(readonly, "readonlyPaths");
}

}  // namespace ocirt::mount
