#pragma once
/// The parent <-> init-stage protocol: typed messages over one SOCK_SEQPACKET socketpair.
///
///   parent (ocirt create)                         init stage (ocirt init, re-exec'd from the sealed binary)
///   ---------------------                         ---------------------------------------------------
///   bootstrap [memfd: JSON, fds: exec.sock, ns] --> join namespaces given by path
///                                                 unshare(CLONE_NEWUSER)            (if a new user ns)
///   write uid_map / gid_map                  <--  idmap_request
///   idmap_done                               -->  unshare the other namespaces; fork PID 1 if needed
///   record pid                               <--  init_pid {pid}
///                                                 rootfs: mounts, devices (not yet pivoted)
///   forward pty master to --console-socket   <--  console_master [fd: pty master]  (terminal only)
///   run prestart + createRuntime hooks       <--  mounts_ready
///   hooks_done {state}                       -->  createContainer hooks, pivot_root, process setup
///   send fd + process state to listenerPath  <--  seccomp_listener [fd: notify listener]
///                                                 (only with SCMP_ACT_NOTIFY; exec sends it too)
///   write state, pid file; exit              <--  ready
///                                                 accept on exec.sock until `ocirt start`,
///                                                 startContainer hooks, execve
///
///   A payload larger than 16 KiB travels in a sealed memfd attached to its message (sync.cpp).
///   The init stage may send `warning {text}` at any point before `ready` (a capability it cannot
///   grant); receive() logs it and reads on. exec: after `ready` the parent waits for the socket
///   to close (execve) or an `error`.
///
///   Either side's failure: the init stage sends `error {errno, message}` and exits; the parent
///   rethrows it with the same errno. Any message out of this order is an error on both sides.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ocirt/sys/fd.hpp"

namespace ocirt::runtime {

/// The kinds of message, in protocol order.
enum class Msg : uint8_t {
    bootstrap = 1,
    idmap_request,
    idmap_done,
    init_pid,
    mounts_ready,
    hooks_done,
    console_master,
    seccomp_listener,
    ready,
    error,
    warning,  ///< init → parent, any time before `ready`: a line the parent logs as a warning
};

/// The name of a message kind, for errors.
const char* msg_name(Msg m);

/// One received message: its kind, payload and attached fds.
struct Message {
    Msg type = Msg::error;
    std::string payload;
    std::vector<sys::Fd> fds;
};

/// Decodes one received message: the kind byte, then the payload inline or, when the kind byte
/// has its high bit set, in the sealed memfd attached last (for payloads too large for one
/// SOCK_SEQPACKET message, such as hook states with large annotations). An `error` message is
/// thrown as ocirt::Error; anything malformed is an ocirt::Error too.
Message decode_message(std::string_view wire, std::vector<sys::Fd> fds);

/// One end of the socketpair.
class SyncChannel {
public:
    /// Wraps a connected SOCK_SEQPACKET socket.
    explicit SyncChannel(sys::Fd sock) : sock_(std::move(sock)) {}
    /// Sends a message with optional fds.
    void send(Msg type, const std::string& payload = {}, const std::vector<int>& fds = {});
    /// Receives the next message; an `error` message is rethrown as ocirt::Error with its errno,
    /// a `warning` is logged and skipped.
    Message receive();
    /// Waits for the other end to close the socket (execve of a close-on-exec end); an `error`
    /// message is rethrown, anything else is a protocol error.
    void expect_closed();
    /// Receives the next message and checks that it is `type`.
    Message expect(Msg type);
    /// Sends an error message (never throws: used on the way out of the init stage).
    void send_error(int err, const std::string& message) noexcept;
    /// The socket fd.
    int fd() const { return sock_.get(); }

private:
    Message receive_any();
    sys::Fd sock_;
};

}  // namespace ocirt::runtime
