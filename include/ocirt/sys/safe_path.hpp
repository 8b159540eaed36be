#pragma once
/// Paths inside a container's rootfs, resolved and created so that nothing ("..", absolute or
/// relative symlinks, magic links) can reach outside it: every lookup is openat2 RESOLVE_IN_ROOT.

#include <string>
#include <vector>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// Opens (O_PATH) the directory `path` inside `rootfd`, creating missing components with `mode`.
Fd ensure_dir_in_root(int rootfd, const std::string& path, unsigned mode);
/// Opens (O_PATH) the file `path` inside `rootfd`, creating it empty (and its parents) if missing.
Fd ensure_file_in_root(int rootfd, const std::string& path, unsigned mode);
/// Splits a container path into its components, dropping empty and "." ones.
std::vector<std::string> path_components(const std::string& path);

}  // namespace ocirt::sys
