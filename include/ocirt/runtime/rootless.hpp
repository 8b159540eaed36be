#pragma once
/// Rootless: ocirt run by an ordinary user (or in a user namespace that does not map host root).
/// Whether this run is rootless, the state root such a caller gets, and the checks that keep it
/// the caller's own. The cgroup policy is cgroup/rootless.hpp; id maps, ns/idmap.hpp.

#include <optional>
#include <string>

#include "ocirt/runtime/container.hpp"

namespace ocirt::runtime {

/// --rootless resolved: `yes`/`no` as given; `auto_detect` is runc's detection — rootless when
/// the effective uid is not 0, or when this process is in a user namespace whose uid_map does
/// not map the parent's root.
bool is_rootless(Rootless flag);

/// The state root of a rootless caller without --root: $XDG_RUNTIME_DIR/ocirt (when absolute), else
/// /run/user/<uid>/ocirt when /run/user/<uid> is the caller's, else /tmp/ocirt-<uid>.
std::string rootless_state_root();

/// The state root without --root: /run/ocirt, or rootless_state_root() for a caller whose
/// effective uid is not 0 (or root in a user namespace not mapping host root), as runc honours
/// XDG_RUNTIME_DIR.
std::string default_state_root();

/// Creates the rootless state root (0700) when missing, then refuses it unless it is a directory
/// owned by the caller that nobody else may write, in a parent that others cannot rename it out
/// of (writable by others only with the sticky bit). One line naming the path otherwise.
void secure_state_root(const std::string& root);

/// `checkpoint` and `restore` refuse up front when this process runs rootless (is_rootless's
/// detection, whatever --rootless says: CRIU's privilege is what counts), before anything is
/// made: CRIU needs CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE) in the initial user namespace.
/// One line naming `command` and the caller's uid. runc 1.4 only warns, then fails inside CRIU.
void refuse_rootless_criu(const std::string& command);

}  // namespace ocirt::runtime
