#include "ocirt/mount/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <array>
#include <set>

#include <fmt/format.h>

#include "ocirt/spec/device_mode.hpp"
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

/// One node to provide, whatever asked for it.
struct Node {
    std::string path;  ///< absolute path in the container
    mode_t type = S_IFCHR;
    dev_t dev = 0;
    mode_t perm = 0666;
    uid_t uid = 0;
    gid_t gid = 0;
};

/// "/dev//foo/" → "/dev/foo": a device path names one file, whatever slashes it is written with.
std::string canonical_path(const std::string& path) {
    std::string out;
    for (const auto& part : sys::path_components(path)) out += "/" + part;
    return out;
}

const char* type_name(mode_t type) {
    return type == S_IFCHR ? "character device" : type == S_IFBLK ? "block device" : "FIFO";
}

bool matches(const struct stat& st, const Node& n) {
    if ((st.st_mode & S_IFMT) != n.type) return false;
    return n.type == S_IFIFO || st.st_rdev == n.dev;
}

void make_node(int rootfd, const Node& n, bool in_user_namespace, bool dev_from_host) {
    if (auto existing = sys::open_in_root(rootfd, n.path, O_PATH | O_NOFOLLOW)) {
        const auto st = sys::stat_fd(existing.get());
        if (matches(st, n)) return;
        fail("{} exists in the rootfs and is not the {} {}:{}", n.path, type_name(n.type), major(n.dev), minor(n.dev));
    }
    if (dev_from_host) fail("{}: missing from the /dev bound from the host", n.path);
    const auto parts = sys::path_components(n.path);
    std::string parent;
    for (size_t i = 0; i + 1 < parts.size(); ++i) parent += "/" + parts[i];
    sys::Fd dir = sys::ensure_dir_in_root(rootfd, parent.empty() ? "/" : parent, 0755);
    if (in_user_namespace) {
        // mknod is refused in a user namespace: bind the host's node at the same path over an
        // empty file, as runc does. The host node must be the requested device.
        const auto host = sys::stat_path(n.path, false);
        if (!host || !matches(*host, n))
            fail("{}: in a user namespace the device is bound from the host, and the host has no {} {}:{} there",
                 n.path, type_name(n.type), major(n.dev), minor(n.dev));
        sys::Fd target = sys::ensure_file_in_root(rootfd, n.path, 0600);
        sys::mount_fs(n.path, sys::proc_fd_path(target.get()), "", MS_BIND, "", n.path);
        return;
    }
    // `dir` is the resolved parent: creating one name in it cannot follow a link out.
    sys::mknod_at(dir.get(), parts.back(), n.type | (n.perm & 07777), n.dev);
    sys::Fd node = sys::open_in_root(rootfd, n.path, O_PATH | O_NOFOLLOW);
    if (!node || !matches(sys::stat_fd(node.get()), n)) fail("{}: the node was replaced while it was created", n.path);
    sys::chmod_fd(node.get(), n.perm & 07777);  // mknod's mode is filtered by the umask
    sys::chown_fd(node.get(), n.uid, n.gid);
}

}  // namespace

void check_devices(const std::vector<spec::Device>& devices) {
    std::set<std::string> seen;
    for (size_t i = 0; i < devices.size(); ++i) {
        const auto& d = devices[i];
        if (spec::device_file_type(d.type) == 0) fail("/linux/devices/{}/type: \"{}\" is not one of c, b, u, p", i, d.type);
        if (d.path.empty() || d.path[0] != '/') fail("/linux/devices/{}/path: must be an absolute path", i);
        for (const auto& part : sys::path_components(d.path))
            if (part == "..") fail("/linux/devices/{}/path: {} must not contain \"..\"", i, d.path);
        if (sys::path_components(d.path).empty()) fail("/linux/devices/{}/path: {} names no file", i, d.path);
        if (d.type != "p" && (!d.major || !d.minor)) fail("/linux/devices/{}: major and minor are required", i);
        if (d.major && (*d.major < 0 || *d.major > 0xfff)) fail("/linux/devices/{}/major: out of range", i);
        if (d.minor && (*d.minor < 0 || *d.minor > 0xfffff)) fail("/linux/devices/{}/minor: out of range", i);
        if (d.file_mode)
            if (auto problem = spec::device_file_mode_problem(*d.file_mode, d.type))
                fail("/linux/devices/{}/fileMode: {}", i, *problem);
        if (!seen.insert(canonical_path(d.path)).second) fail("/linux/devices/{}/path: {} is listed twice", i, d.path);
    }
}

void create_devices(int rootfd, const std::vector<spec::Device>& devices, bool in_user_namespace, bool dev_from_host) {
    std::set<std::string> listed;
    for (size_t i = 0; i < devices.size(); ++i) {
        const auto& d = devices[i];
        Node n;
        n.path = canonical_path(d.path);
        n.type = spec::device_file_type(d.type);
        if (n.type != S_IFIFO)
            n.dev = makedev(static_cast<unsigned>(d.major.value_or(0)), static_cast<unsigned>(d.minor.value_or(0)));
        n.perm = spec::device_permissions(d.file_mode.value_or(0666));
        n.uid = d.uid.value_or(0);
        n.gid = d.gid.value_or(0);
        const bool in_host_dev = dev_from_host && sys::path_components(n.path).front() == "dev";
        with_context(fmt::format("/linux/devices/{}", i), [&] { make_node(rootfd, n, in_user_namespace, in_host_dev); });
        listed.insert(n.path);
    }
    if (dev_from_host) return;  // the host's /dev has its own nodes
    for (const auto& d : kDefaultDevices) {
        const std::string path = std::string("/dev/") + d.name;
        if (listed.count(path)) continue;  // the config's entry wins, as with runc
        Node n;
        n.path = path;
        n.dev = makedev(d.major, d.minor);
        with_context("default device " + path, [&] { make_node(rootfd, n, in_user_namespace, false); });
    }
}

void create_dev_symlinks(int rootfd) {
    sys::Fd dev = sys::ensure_dir_in_root(rootfd, "/dev", 0755);
    for (const auto& l : kDevLinks) sys::symlink_at(l.target, dev.get(), l.name);
}

}  // namespace ocirt::mount
