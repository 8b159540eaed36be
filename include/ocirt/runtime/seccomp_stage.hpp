#pragma once
/// When and how the seccomp filter reaches the container process: compiled (or taken from the
/// cache) by the parent, carried in the bootstrap document, installed by the init stage at the
/// latest point the kernel allows, and its notify listener handed to listenerPath.
///
/// Where the filter is installed:
/// - with SCMP_ACT_NOTIFY: after the identity switch and the program lookup, before `ready`, so
///   the parent (still waiting in create or exec) can pass the listener on;
/// - otherwise: right before execve, so none of the runtime's own calls (the lookups, the start
///   handshake, startContainer hooks, closing fds) are filtered. After it come only execve and,
///   with noNewPrivileges false, the capset that drops the CAP_SYS_ADMIN the install needed
///   (init_process.hpp; the list is in docs/security.md).

#include <optional>
#include <string>

#include "ocirt/runtime/bootstrap.hpp"
#include "ocirt/runtime/init_process.hpp"
#include "ocirt/runtime/sync.hpp"
#include "ocirt/seccomp/filter.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::runtime {

/// Parent: the filter of `cfg` (nullopt without linux.seccomp), using the cache of `state_root`
/// (`<root>.cache/seccomp/`, outside the root, which holds containers only).
std::optional<seccomp::Filter> prepare_seccomp(const spec::Config& cfg, const std::string& state_root);
/// Parent: puts `filter` into the bootstrap document.
void put_filter(InitBootstrap& boot, const std::optional<seccomp::Filter>& filter);
/// Parent: if `m` is `seccomp_listener`, sends its fd and the container process state to
/// listenerPath and returns true. `state_json` is the container's state document.
bool hand_over_listener(const Message& m, const spec::Config& cfg, pid_t pid, const std::string& state_json);

/// Init: true if a filter will be installed without no_new_privs (it then needs CAP_SYS_ADMIN).
bool filter_needs_admin(const InitBootstrap& boot, bool nnp);
/// Init: installs the bootstrap's filter now if it has a notify listener, and sends the
/// listener to the parent as `seccomp_listener`.
void install_listener_filter(const InitBootstrap& boot, ContainerProcess& cp, SyncChannel& ch);
/// Init: the filter to install right before execve (nullopt if none or installed earlier).
std::optional<seccomp::Filter> filter_for_exec(const InitBootstrap& boot);

}  // namespace ocirt::runtime
