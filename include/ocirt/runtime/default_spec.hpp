#pragma once

#include <cstdint>
/// The config `ocirt spec` writes: runc's default, holding only what ocirt applies, so that
/// `ocirt spec` followed by `ocirt run` always works.

#include "ocirt/spec/config.hpp"

namespace ocirt::runtime {

/// The default config (rootfs "rootfs", "sh" on a terminal, the usual mounts and namespaces).
spec::Config default_config();

/// runc's `spec --rootless` (specconv.ToRootless): a user namespace mapping container root to
/// `uid`/`gid` alone instead of a network namespace, /sys bound from the host (sysfs cannot be
/// mounted without a network namespace of one's own), no uid=/gid= mount options, no resources.
void make_rootless(spec::Config& c, uint32_t uid, uint32_t gid);

}  // namespace ocirt::runtime
