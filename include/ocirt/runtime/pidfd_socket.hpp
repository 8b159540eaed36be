#pragma once
/// --pidfd-socket (runc 1.2): a pidfd of the container process (create, run) or of the new
/// process (exec), sent over a unix socket the caller listens on. Like runc, the message is one
/// SOCK_STREAM write whose data is the kind ("standard" for create/run, "setns" for exec) and
/// whose only SCM_RIGHTS fd is the pidfd.

#include <sys/types.h>

#include <string>

#include "ocirt/sys/fd.hpp"

namespace ocirt::runtime {

/// What runc's init calls the process a pidfd is for.
enum class PidfdKind { standard, setns };

/// Connects to the socket at `path` before anything is created, so a bad path fails early;
/// an empty Fd when `path` is empty.
sys::Fd connect_pidfd_socket(const std::string& path);
/// Sends a pidfd of `pid` over `socket` (nothing when `socket` is empty) and closes it.
void send_pidfd(sys::Fd& socket, pid_t pid, PidfdKind kind);

}  // namespace ocirt::runtime
