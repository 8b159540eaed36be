#include "ocirt/mount/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <array>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/mount.hpp"
#include "ocirt/sys/safe_path.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::mount {
namespace {

struct DefaultDevice {
    const char* name;
    unsigned major;
    unsigned minor;
};

constexpr std::array<DefaultDevice, 6> kDefaultDevices{{
    {"null", 1, 3},
    {"zero", 1, 5},
    {"full", 1, 7},
    {"random", 1, 8},
    {"urandom", 1, 9},
    {"tty", 5, 0},
}};

struct DevLink {
    const char* name;
    const char* target;
};

constexpr std::array<DevLink, 6> kDevLinks{{
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
    {"ptmx", "pts/ptmx"},
    {"core", "/proc/kcore"},
}};

void make_node(int devfd, int rootfd, const DefaultDevice& d, bool in_user_namespace) {
    const std::string path = std::string("/dev/") + d.name;
    if (in_user_namespace) {
        // mknod is refused in a user namespace: bind the host's node over an empty file.
        sys::Fd target = sys::ensure_file_in_root(rootfd, path, 0600);
        sys::mount_fs(path, sys::proc_fd_path(target.get()), "", MS_BIND, "", path);
        return;
    }
    const dev_t dev = makedev(d.major, d.minor);
    if (auto existing = sys::open_in_root(rootfd, path, O_PATH | O_NOFOLLOW)) {
        const auto st = sys::stat_fd(existing.get());
        if (S_ISCHR(st.st_mode) && st.st_rdev == dev) return;
        fail("{} exists in the rootfs and is not the expected device {}:{}", path, d.major, d.minor);
    }
    sys::mknod_at(devfd, d.name, S_IFCHR | 0666, dev);
    sys::Fd node = sys::open_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
    sys::chmod_fd(node.get(), 0666);  // mknod's mode is filtered by the umask
    sys::chown_fd(node.get(), 0, 0);
}

}  // namespace

void create_default_devices(int rootfd, bool in_user_namespace) {
    sys::Fd dev = sys::ensure_dir_in_root(rootfd, "/dev", 0755);
    for (const auto& d : kDefaultDevices)
        with_context("default device /dev/" + std::string(d.name), [&] { make_node(dev.get(), rootfd, d, in_user_namespace); });
    for (const auto& l : kDevLinks) sys::symlink_at(l.target, dev.get(), l.name);
}

}  // namespace ocirt::mount
