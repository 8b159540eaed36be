#pragma once
/// The config `ocirt spec` writes: runc's default, holding only what ocirt applies, so that
/// `ocirt spec` followed by `ocirt run` always works.

#include "ocirt/spec/config.hpp"

namespace ocirt::runtime {

/// The default config (rootfs "rootfs", "sh" on a terminal, the usual mounts and namespaces).
spec::Config default_config();

}  // namespace ocirt::runtime
