#pragma once
/// Walking and copying a directory tree by file descriptors: every name is looked up in an open
/// directory, never as a path, and no call follows a symlink.

#include <sys/stat.h>

#include <string>
#include <vector>

namespace ocirt::sys {

/// The names in the open directory `dirfd`, without "." and ".." (reads a duplicate, so `dirfd`
/// keeps its position).
std::vector<std::string> list_dir_fd(int dirfd);
/// fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW).
struct stat stat_at(int dirfd, const std::string& name);
/// readlinkat(dirfd, name): the target of the symlink `name`, not followed.
std::string read_link_at(int dirfd, const std::string& name);
/// Copies everything `from` reads to `to` (copy_file_range, read/write where that is refused).
void copy_data(int from, int to);
/// fchmod on an fd opened for reading or writing (not O_PATH).
void set_mode(int fd, mode_t mode);
/// futimens: the access and modification times of `st` on `fd`.
void set_times(int fd, const struct stat& st);

}  // namespace ocirt::sys
