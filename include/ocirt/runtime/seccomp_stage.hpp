#pragma once
/// When and how the seccomp filter reaches the container process: compiled (or taken from the
/// cache) by the parent, carried in the bootstrap document, installed by the init stage at the
/// latest point the kernel allows, and its notify listener handed to listenerPath.
///
/// Where the filter is installed:
/// - noNewPrivileges false: before the identity is set (groups, uid, capabilities), because
///   without no_new_privs seccomp(2) needs CAP_SYS_ADMIN, which that step drops (runc's order);
/// - noNewPrivileges true with SCMP_ACT_NOTIFY: after the identity, before `ready`, so the
///   parent (still waiting in create or exec) can pass the listener on;
/// - noNewPrivileges true otherwise: right before execve, so none of the runtime's own calls
///   (the start handshake, startContainer hooks, closing fds) are filtered.

#include <optional>
#include <string>

#include "ocirt/runtime/bootstrap.hpp"
#include "ocirt/runtime/sync.hpp"
#include "ocirt/seccomp/filter.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::runtime {

/// The steps of the init stage at which the filter may be installed.
enum class SeccompPoint { before_identity, after_identity, before_exec };

/// Parent: the filter of `cfg` (nullopt without linux.seccomp), using the cache of `state_root`
/// (`<root>.cache/seccomp/`, outside the root, which holds containers only).
std::optional<seccomp::Filter> prepare_seccomp(const spec::Config& cfg, const std::string& state_root);
/// Parent: puts `filter` into the bootstrap document.
void put_filter(InitBootstrap& boot, const std::optional<seccomp::Filter>& filter);
/// Parent: if `m` is `seccomp_listener`, sends its fd and the container process state to
/// listenerPath and returns true. `state_json` is the container's state document.
bool hand_over_listener(const Message& m, const spec::Config& cfg, pid_t pid, const std::string& state_json);

/// Init: installs the bootstrap's filter if `now` is its point for a process with
/// noNewPrivileges `nnp`; a notify listener is sent to the parent as `seccomp_listener`.
void install_seccomp_at(SeccompPoint now, const InitBootstrap& boot, bool nnp, SyncChannel& ch);
/// Init: the filter to install right before execve (nullopt if none or installed earlier).
std::optional<seccomp::Filter> filter_for_exec(const InitBootstrap& boot, bool nnp);

}  // namespace ocirt::runtime
