#pragma once
/// A verified procfs handle: /proc opened once and checked to be a real procfs root, then every
/// entry opened beneath it without following magic links or crossing a mount. A container can
/// put a fake /proc in its rootfs, or bind-mount a file over /proc/self/attr/exec or a
/// /proc/sys entry; a write through a plain path would then land in that file and silently
/// do nothing (runc CVE-2019-16884, CVE-2023-27561, CVE-2025-52881).

#include <string>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// An fd on the root of a procfs mount that was checked to be one.
class ProcFs {
public:
    /// Opens `path` (normally "/proc") and checks it is the root of a procfs mount: the
    /// filesystem magic is PROC_SUPER_MAGIC and the inode is procfs's root inode, so neither a
    /// tmpfs nor a bind mount of a procfs subdirectory passes.
    static ProcFs open(const std::string& path = "/proc");
    /// Takes an fd on a procfs root made by the caller (a fresh, detached instance from
    /// fsopen/fsmount, which nothing can have covered) after the same checks as open().
    static ProcFs adopt(Fd root, const std::string& what);
    /// Opens `entry` ("self/attr/exec", "sys/net/ipv4/ip_forward") below the root with openat2
    /// RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV (procfs's own "self" symlink is
    /// followed; a mount anywhere on the way is EXDEV) and checks the result is on procfs.
    Fd open_entry(const std::string& entry, int flags) const;
    /// True if `entry` exists below the root (resolved as open_entry does).
    bool has_entry(const std::string& entry) const;
    /// Writes `data` to `entry` in one write(2), as procfs attribute files require.
    void write_entry(const std::string& entry, const std::string& data) const;
    /// The root fd (O_PATH).
    int root() const noexcept { return root_.get(); }

private:
    explicit ProcFs(Fd root) : root_(std::move(root)) {}
    Fd root_;
};

/// Throws unless `fd` is on a procfs mount (fstatfs PROC_SUPER_MAGIC); `what` names it.
void require_procfs(int fd, const std::string& what);

}  // namespace ocirt::sys
