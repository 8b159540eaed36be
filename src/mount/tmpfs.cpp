#include "ocirt/mount/tmpfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/files_at.hpp"
#include "ocirt/sys/mount_api.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::mount {
namespace {

// Two fds are open per level; a tree deeper than this is refused rather than running the init
// stage out of descriptors.
constexpr int kMaxDepth = 128;

/// Owner, permission bits (after the chown, which clears set-id bits) and times of a copy.
void finish(int fd, const struct stat& st) {
    sys::chown_fd(fd, st.st_uid, st.st_gid);
    sys::set_mode(fd, st.st_mode & 07777);
    sys::set_times(fd, st);
}

void copy_tree(int src, int dst, int depth) {
    if (depth > kMaxDepth) fail("more than {} directory levels", kMaxDepth);
    for (const auto& name : sys::list_dir_fd(src)) {
        const struct stat st = sys::stat_at(src, name);
        with_context(name, [&] {
            switch (st.st_mode & S_IFMT) {
                case S_IFDIR: {
                    sys::Fd from = sys::open_at(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
                    sys::make_dir_at(dst, name, 0700);
                    sys::Fd to = sys::open_at(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
                    copy_tree(from.get(), to.get(), depth + 1);
                    finish(to.get(), st);  // after the entries, which change the directory's times
                    break;
                }
                case S_IFREG: {
                    sys::Fd from = sys::open_at(src, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY);
                    sys::Fd to = sys::open_at(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
                    sys::copy_data(from.get(), to.get());
                    finish(to.get(), st);
                    break;
                }
                case S_IFLNK: {
                    sys::symlink_at(sys::read_link_at(src, name), dst, name);
                    sys::Fd link = sys::open_at(dst, name, O_PATH | O_NOFOLLOW);
                    sys::chown_fd(link.get(), st.st_uid, st.st_gid);
                    break;
                }
                case S_IFIFO:
                case S_IFCHR:
                case S_IFBLK: {
                    sys::mknod_at(dst, name, st.st_mode & S_IFMT, st.st_rdev);
                    sys::Fd node = sys::open_at(dst, name, O_PATH | O_NOFOLLOW);
                    sys::chown_fd(node.get(), st.st_uid, st.st_gid);
                    sys::chmod_fd(node.get(), st.st_mode & 07777);
                    break;
                }
                default:
                    break;  // a socket: nothing listens on a copy of it
            }
        });
    }
}

}  // namespace

sys::Fd open_covered_dir(int rootfd, const std::string& destination) {
    try {
        return sys::open_in_root(rootfd, destination, O_RDONLY | O_DIRECTORY);
    } catch (const Error& e) {
        // A directory this (namespaced) root may not read still has a mode to take; only a
        // tmpcopyup of it fails, when the copy lists it.
        if (e.code() != EACCES) throw;
        return sys::open_in_root(rootfd, destination, O_PATH | O_DIRECTORY);
    }
}

std::string tmpfs_data(int covered_fd, const std::string& data) {
    if (covered_fd < 0) return data;
    const std::string mode = fmt::format("mode={:04o}", sys::stat_fd(covered_fd).st_mode & 07777);
    return data.empty() ? mode : mode + "," + data;
}

void copy_up(int covered_fd, int rootfd, const std::string& destination, bool read_only, const std::string& what) {
    with_context(what + " (tmpcopyup)", [&] {
        sys::Fd tmpfs = sys::open_in_root(rootfd, destination, O_RDONLY | O_DIRECTORY);
        if (!tmpfs || sys::statfs_fd(tmpfs.get()).f_type != TMPFS_MAGIC)
            fail("{} is not the new tmpfs", destination);
        if (covered_fd >= 0) copy_tree(covered_fd, tmpfs.get(), 0);
        if (read_only) {
            sys::MountAttributes attr;
            attr.set = MOUNT_ATTR_RDONLY;
            sys::set_mount_attributes(tmpfs.get(), false, attr, "read-only after the copy");
        }
    });
}

}  // namespace ocirt::mount
