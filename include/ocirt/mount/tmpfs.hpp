#pragma once
/// What a tmpfs mount takes from the directory it covers: its mode when the options give no
/// mode= (runc), and with "tmpcopyup" its content, copied into the new tmpfs (podman adds the
/// option to every tmpfs it asks for). Runs in the init stage, inside the rootfs.

#include <string>

#include "ocirt/sys/fd.hpp"

namespace ocirt::mount {

/// The directory a tmpfs will cover, opened (O_RDONLY) inside the rootfs before the mount hides
/// it; empty when `destination` does not exist yet (the tmpfs then keeps its own default mode).
sys::Fd open_covered_dir(int rootfd, const std::string& destination);

/// `data` with "mode=<the covered directory's mode>" in front, so a mode= of the config, coming
/// later, still wins; `data` as is without a covered directory.
std::string tmpfs_data(int covered_fd, const std::string& data);

/// tmpcopyup: copies the covered directory's entries into the tmpfs now mounted on
/// `destination`: directories, files (content, owner, mode, times), symlinks as symlinks (never
/// followed), FIFOs and device nodes; sockets are skipped. Every name is opened relative to an
/// open directory with O_NOFOLLOW, so nothing outside the two trees is read or written.
/// `read_only`: the mount was made writable for the copy and is made read-only afterwards.
void copy_up(int covered_fd, int rootfd, const std::string& destination, bool read_only, const std::string& what);

}  // namespace ocirt::mount
