#pragma once
/// Files and directories: open/openat2, read/write whole files, atomic replace, mkdir, links, locks.

#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// openat(dirfd, path, flags|O_CLOEXEC, mode); throws naming `path`.
Fd open_at(int dirfd, const std::string& path, int flags, mode_t mode = 0);
/// Like open_at, but ENOENT yields an empty Fd instead of throwing.
Fd try_open_at(int dirfd, const std::string& path, int flags, mode_t mode = 0);
/// openat2 with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS: `path` resolves as if `rootfd` were "/",
/// so no "..", absolute symlink or magic link can leave it. Returns empty Fd on ENOENT.
Fd open_in_root(int rootfd, const std::string& path, int flags, mode_t mode = 0);
/// Reads a whole file; throws if it is larger than `limit` bytes.
std::string read_file(const std::string& path, size_t limit = 16u << 20);
/// Reads a kernel file that shows a single record (/proc/PID/stat, a cgroup's one-value file)
/// with one read: the kernel hands such a record whole, so a read that does not fill the 4 KiB
/// buffer has it all (one that does goes on to EOF). Empty Fd semantics: nullopt on ENOENT.
std::optional<std::string> try_read_single_record(const std::string& path);
/// Reads from an open fd until EOF; throws past `limit`.
std::string read_fd(int fd, size_t limit = 16u << 20);
/// Writes all of `data` to fd.
void write_all(int fd, const std::string& data);
/// Writes a file (truncating) with `mode`.
void write_file(const std::string& path, const std::string& data, mode_t mode = 0644);
/// Replaces `path` atomically, the way runc and crun save their state: a new file
/// `<path>.tmp-XXXXXXXX` in the same directory, written, closed and renamed over `path`. No
/// fsync: a reader sees the old or the new content whole, never part of it; only a power loss
/// (or a kernel crash) before the data reaches the disk can leave `path` empty, truncated or
/// missing, and each reader of such a file says so (docs/security.md, "Crash consistency").
void replace_file(const std::string& path, const std::string& data, mode_t mode = 0600);
/// mkdir; returns false if it already existed (when `exist_ok`), throws otherwise.
bool make_dir(const std::string& path, mode_t mode, bool exist_ok);
/// mkdir -p.
void make_dirs(const std::string& path, mode_t mode);
/// mkdirat in `dirfd`; EEXIST is not an error.
void make_dir_at(int dirfd, const std::string& name, mode_t mode);
/// Removes a file; ENOENT is not an error.
void remove_file(const std::string& path);
/// Removes a directory tree (does not cross mount points nor follow symlinks).
void remove_tree(const std::string& path);
/// stat/lstat/fstat; nullopt on ENOENT.
std::optional<struct stat> stat_path(const std::string& path, bool follow = true);
/// fstat on an fd.
struct stat stat_fd(int fd);
/// fstatfs(fd): the filesystem type (f_type magic) and mount flags (f_flags ST_*) under fd.
struct statfs statfs_fd(int fd);
/// True if `path` exists (lstat).
bool exists(const std::string& path);
/// The names in a directory, without "." and "..".
std::vector<std::string> list_dir(const std::string& path);
/// The names of the directories in `path` (from the entries' d_type; a stat only where the
/// filesystem gives DT_UNKNOWN): cgroup trees are walked without a stat per file. None when
/// `path` no longer exists: a cgroup that systemd or the kernel removed while it was walked.
std::vector<std::string> list_subdirs(const std::string& path);
/// symlinkat(target, dirfd, name); EEXIST is not an error.
void symlink_at(const std::string& target, int dirfd, const std::string& name);
/// mknodat.
void mknod_at(int dirfd, const std::string& name, mode_t mode, dev_t dev);
/// fchownat with AT_EMPTY_PATH on an fd.
void chown_fd(int fd, uid_t uid, gid_t gid);
/// fchmod via /proc/self/fd for O_PATH fds.
void chmod_fd(int fd, mode_t mode);
/// readlink.
std::string read_link(const std::string& path);
/// The path of an fd as the kernel names it (readlink /proc/self/fd/N).
std::string fd_path(int fd);
/// "/proc/self/fd/N", for handing an fd to an API that takes a path.
std::string proc_fd_path(int fd);
/// Takes an exclusive flock on fd (blocking).
void lock_exclusive(int fd);
/// True if another open file holds an exclusive flock on fd's file (a non-blocking shared
/// flock, released at once, is refused).
bool is_locked_by_another(int fd);
/// Makes an O_CLOEXEC pipe; [0] read end, [1] write end.
std::pair<Fd, Fd> make_pipe();
/// Reads up to `n` bytes; returns the count (0 at EOF). Retries EINTR.
size_t read_some(int fd, void* buf, size_t n);

}  // namespace ocirt::sys

namespace ocirt::sys {
/// A sealed, read-only memfd holding `data` (for handing a document to another process).
Fd memfd_with_data(const std::string& name, const std::string& data);
/// memfd_create(name, MFD_CLOEXEC | extra_flags), e.g. MFD_ALLOW_SEALING.
Fd create_memfd(const std::string& name, unsigned extra_flags = 0);
/// Seals memfd `fd` against any change (seal, shrink, grow, write); `what` names it in the error.
/// F_SEAL_WRITE answers EBUSY while a page of the file still has a transient extra reference
/// (another CPU's LRU batch after the copy, which the kernel waits for only ~75 ms): retried for
/// up to about a second before it fails.
void seal_memfd(int fd, const std::string& what);
/// An empty, writable memfd (close-on-exec), for a library that writes its output to an fd.
Fd scratch_memfd(const std::string& name);
/// Reads `fd` from offset 0 to EOF; throws past `limit`.
std::string read_from_start(int fd, size_t limit);
}  // namespace ocirt::sys

namespace ocirt::sys {
/// True if `path` is a regular file this process may execute (faccessat X_OK, stat).
bool is_executable(const std::string& path);
/// True if this process may write in `path` (faccessat W_OK with the effective ids).
bool is_writable(const std::string& path);
}  // namespace ocirt::sys

namespace ocirt::sys {
/// realpath(3).
std::string real_path(const std::string& path);
}  // namespace ocirt::sys

namespace ocirt::sys {
/// Writes `data` with one write() to a file that must exist (no O_CREAT, no O_TRUNC): the way
/// kernel interface files (cgroup, proc) take a value. Throws naming `path`.
void write_existing_file(const std::string& path, const std::string& data);
/// rmdir; returns 0, or the errno (ENOENT counts as success) so callers can retry EBUSY.
int remove_empty_dir(const std::string& path);
}  // namespace ocirt::sys
