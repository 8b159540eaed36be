#pragma once
/// The create half shared by `create` and `run`, and the helpers the other operations share.

#include <sys/types.h>

#include <string>

#include "ocirt/runtime/container.hpp"
#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::runtime {

/// A container that finished `create`.
struct CreatedContainer {
    pid_t pid = 0;
    sys::Fd pidfd;
    sys::Fd console_master;  ///< set when terminal is true and no console socket was given
};

/// Creates the container. With `foreground` (run without --detach), a terminal without a
/// console socket is allowed: its master is returned for the caller to proxy.
CreatedContainer create_internal(const GlobalOptions& g, const CreateOptions& o, bool foreground);

/// The state document handed to hooks, with the given status.
std::string hook_state(const ContainerRecord& r, spec::Status status);

/// Reads the config saved in the container's state dir.
spec::Config saved_config(const ContainerDir& dir);

/// Writes a pid file atomically (the PID, no newline, as runc does).
void write_pid_file(const std::string& path, pid_t pid);

/// Removes a stopped container: poststop hooks (warnings only), then its state dir.
void destroy_container(ContainerDir& dir, const std::optional<ContainerRecord>& r);

}  // namespace ocirt::runtime
