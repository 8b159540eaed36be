#include "ocirt/sys/sealed_exe.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::sys {
namespace {

/// overlayfs parses lowerdir as a ':'-separated list with '\' escapes.
std::string escape_layer(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (c == '\\' || c == ':') out += '\\';
        out += c;
    }
    return out;
}

/// The binary through a lower-only overlayfs, or nullopt when the kernel (or the layout)
/// refuses one. Every failure here is "use the copy", never an error.
std::optional<Fd> open_through_overlay(const std::string& spare_dir) {
    const long ctx = ::syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
    if (ctx < 0) return std::nullopt;
    Fd fs(static_cast<int>(ctx));
    std::string binary;
    try {
        binary = read_link("/proc/self/exe");
    } catch (const Error&) {
        return std::nullopt;
    }
    const auto slash = binary.rfind('/');
    if (binary.empty() || binary[0] != '/' || slash == std::string::npos) return std::nullopt;
    const std::string dir = slash == 0 ? "/" : binary.substr(0, slash);
    const std::string name = binary.substr(slash + 1);
    // The binary's directory on top, so a file of the same name in spare_dir never shows.
    const std::string lower = escape_layer(dir) + ":" + escape_layer(spare_dir);
    if (::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, "lowerdir", lower.c_str(), 0) < 0) return std::nullopt;
    // Not needed, and left on it logs to dmesg when the layers are on different filesystems.
    ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, "xino", "off", 0);
    if (::syscall(SYS_fsconfig, fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) return std::nullopt;
    const long mnt = ::syscall(SYS_fsmount, fs.get(), FSMOUNT_CLOEXEC,
                               MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
    if (mnt < 0) return std::nullopt;
    Fd root(static_cast<int>(mnt));
    const int fd = ::openat(root.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    Fd exe(fd);
    // The file must still be the one running (not replaced since, e.g. by a package upgrade
    // between readlink and open): same size and modification time as /proc/self/exe.
    struct stat through {};
    struct stat self {};
    if (::fstat(exe.get(), &through) < 0 || ::stat("/proc/self/exe", &self) < 0) return std::nullopt;
    if (!S_ISREG(through.st_mode) || through.st_size != self.st_size ||
        through.st_mtim.tv_sec != self.st_mtim.tv_sec || through.st_mtim.tv_nsec != self.st_mtim.tv_nsec)
        return std::nullopt;
    return exe;
}

}  // namespace

Fd sealed_self_copy() {
    Fd mem = create_memfd("ocirt", MFD_ALLOW_SEALING);
    Fd self = open_at(AT_FDCWD, "/proc/self/exe", O_RDONLY);
    const off_t size = stat_fd(self.get()).st_size;
    off_t done = 0;
    while (done < size) {
        const ssize_t n = ::sendfile(mem.get(), self.get(), nullptr, static_cast<size_t>(size - done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("copy /proc/self/exe");
        }
        if (n == 0) break;
        done += n;
    }
    seal_memfd(mem.get(), "the binary copy");
    return mem;
}

SealedExe sealed_self_exe(const std::string& spare_dir) {
    if (auto exe = open_through_overlay(spare_dir)) return {std::move(*exe), SealMethod::overlay};
    return {sealed_self_copy(), SealMethod::memfd};
}

}  // namespace ocirt::sys
