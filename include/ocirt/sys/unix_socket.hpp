#pragma once
/// Unix sockets: SOCK_SEQPACKET pairs for parent <-> init, path sockets, and fd passing (SCM_RIGHTS).

#include <string>
#include <utility>
#include <vector>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// A connected pair of SOCK_SEQPACKET sockets, both close-on-exec.
std::pair<Fd, Fd> seqpacket_pair();
/// Connects a SOCK_STREAM socket to the unix socket at `path`.
Fd connect_unix(const std::string& path);
/// Binds and listens on a SOCK_STREAM unix socket at `path`.
Fd listen_unix(const std::string& path);
/// Binds and listens on a SOCK_SEQPACKET unix socket at `path`.
Fd listen_seqpacket(const std::string& path);
/// Connects a SOCK_SEQPACKET socket to `path`; an empty Fd if nobody listens there
/// (ENOENT or ECONNREFUSED).
Fd connect_seqpacket(const std::string& path);
/// Accepts one connection.
Fd accept_unix(int listen_fd);
/// Sends `data` (non-empty) with `fds` attached in one message.
void send_with_fds(int sock, const std::string& data, const std::vector<int>& fds);
/// Receives one message of at most `max` bytes, collecting attached fds (close-on-exec).
/// Returns an empty string at EOF.
std::string recv_with_fds(int sock, size_t max, std::vector<Fd>& fds);

}  // namespace ocirt::sys
