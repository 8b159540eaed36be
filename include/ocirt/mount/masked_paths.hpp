#pragma once
/// linux.maskedPaths and linux.readonlyPaths, applied inside the container after pivot_root.
/// Every mount is made and attached by file descriptor (sys/mount_api.hpp): no path is looked
/// up twice and no /proc/self/fd link of the container's (possibly fake) /proc is used.

#include <string>
#include <vector>

namespace ocirt::mount {

/// Masks each path: a read-only empty tmpfs over a directory, the container's /dev/null over
/// anything else. /dev/null must really be the null device (char 1:3) and is bound from the
/// fd that was checked (runc CVE-2025-31133); after each mount the path is looked up again to
/// confirm the mask is what it now shows. Missing paths are skipped.
void apply_masked_paths(const std::vector<std::string>& paths);

/// Makes each path a read-only bind of itself, recursively. Missing paths are skipped.
void apply_readonly_paths(const std::vector<std::string>& paths);

/// Checks both lists before anything is touched: absolute paths; throws naming the field.
void check_protected_paths(const std::vector<std::string>& masked, const std::vector<std::string>& readonly);

}  // namespace ocirt::mount
