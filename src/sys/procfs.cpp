#include "ocirt/sys/procfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {

namespace {

constexpr ino_t kProcRootIno = 1;  // PROC_ROOT_INO in the kernel's fs/proc

}  // namespace

void require_procfs(int fd, const std::string& what) {
    struct statfs fs {};
    if (::fstatfs(fd, &fs) < 0) throw_errno("statfs {}", what);
    if (static_cast<unsigned long>(fs.f_type) != PROC_SUPER_MAGIC)
        fail("{} is not on procfs (filesystem magic {:#x}): a fake or overmounted /proc", what,
             static_cast<unsigned long>(fs.f_type));
}

ProcFs ProcFs::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_errno("open {}", path);
    return adopt(Fd(fd), path);
}

ProcFs ProcFs::adopt(Fd root, const std::string& what) {
    require_procfs(root.get(), what);
    struct stat st {};
    if (::fstat(root.get(), &st) < 0) throw_errno("stat {}", what);
    if (st.st_ino != kProcRootIno) fail("{} is not the root of a procfs mount (inode {})", what, st.st_ino);
    return ProcFs(std::move(root));
}

Fd ProcFs::open_entry(const std::string& entry, int flags) const {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | O_NOCTTY);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    while (true) {
        const long fd = ::syscall(SYS_openat2, root_.get(), entry.c_str(), &how, sizeof how);
        if (fd >= 0) {
            Fd out(static_cast<int>(fd));
            require_procfs(out.get(), "/proc/" + entry);
            return out;
        }
        if (errno == EAGAIN || errno == EINTR) continue;
        if (errno == EXDEV) throw_errno("open /proc/{}: a mount covers it", entry);
        throw_errno("open /proc/{}", entry);
    }
}

bool ProcFs::has_entry(const std::string& entry) const {
    try {
        open_entry(entry, O_PATH);
        return true;
    } catch (const Error& e) {
        if (e.code() == ENOENT) return false;
        throw;
    }
}

void ProcFs::write_entry(const std::string& entry, const std::string& data) const {
    Fd fd = open_entry(entry, O_WRONLY);
    while (true) {
        const ssize_t n = ::write(fd.get(), data.data(), data.size());
        if (n >= 0) {
            if (static_cast<size_t>(n) != data.size()) fail("write /proc/{}: short write", entry);
            return;
        }
        if (errno != EINTR) throw_errno("write /proc/{}", entry);
    }
}

}  // namespace ocirt::sys
