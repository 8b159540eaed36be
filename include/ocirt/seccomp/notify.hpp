#pragma once
/// Seccomp user notification: handing the listener fd to the agent at linux.seccomp.listenerPath.
/// runtime-spec: the runtime connects to the unix socket there and sends the container process
/// state (JSON) with the listener fd attached (SCM_RIGHTS), then closes its copy.

#include <string>

namespace ocirt::seccomp {

/// Connects to `listener_path` (SOCK_STREAM) and sends `process_state_json` with
/// `listener_fd` as its only fd. Errors name /linux/seccomp/listenerPath.
void send_listener(const std::string& listener_path, const std::string& process_state_json, int listener_fd);

}  // namespace ocirt::seccomp
