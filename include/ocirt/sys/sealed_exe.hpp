#pragma once
/// The runtime binary the init stage is exec'd from, in a form the container cannot write
/// through (CVE-2019-5736: a process in the container that opens /proc/<init>/exe must not get
/// a writable path to the host's ocirt file).

#include <string>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// How sealed_self_exe made the binary safe.
enum class SealMethod {
    overlay,  ///< opened O_PATH through a private, read-only, detached overlayfs: no copy
    memfd,    ///< copied whole into a sealed memfd
};

struct SealedExe {
    Fd fd;  ///< for execveat(fd, "", AT_EMPTY_PATH)
    SealMethod method;
};

/// As runc 1.2+ (libcontainer/exeseal): first a detached overlayfs (fsopen, never attached
/// anywhere) whose lower layers are the binary's own directory over `spare_dir`, with no upper
/// layer, so it is read-only and cannot be remounted writable or unwrapped by the container;
/// the binary is opened through it O_PATH. Costs one superblock instead of a copy of the binary.
/// When that is not possible (no overlayfs or new mount API, binary deleted or replaced, the
/// layers overlap, too deep a stack, an unprivileged caller) it falls back to
/// sealed_self_copy(). `spare_dir` is any existing directory that is not an ancestor or
/// descendant of the binary's directory (overlayfs needs two lower layers to run without an
/// upper one); nothing in it is ever looked up.
SealedExe sealed_self_exe(const std::string& spare_dir);

/// A sealed in-memory copy of /proc/self/exe: nothing can write to it.
Fd sealed_self_copy();

}  // namespace ocirt::sys
