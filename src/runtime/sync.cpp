#include "ocirt/runtime/sync.hpp"

#include <nlohmann/json.hpp>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::runtime {
namespace {
// A SOCK_SEQPACKET message must fit the socket buffer in one piece (about 200 KiB by default,
// less under memory pressure), so a payload above kInlinePayload travels in a sealed memfd
// attached as the message's last fd, and the kind byte says so. kMaxPayload bounds what the
// receiver reads: more than any message can carry for a config of kMaxConfigBytes (the hook
// states hold its annotations twice).
constexpr size_t kInlinePayload = 16 * 1024;
constexpr size_t kMaxMessage = kInlinePayload + 1;
constexpr size_t kMaxPayload = 64u << 20;
constexpr uint8_t kPayloadInFd = 0x80;
constexpr size_t kMaxErrorMessage = 4096;
}  // namespace

const char* msg_name(Msg m) {
    switch (m) {
        case Msg::bootstrap: return "bootstrap";
        case Msg::idmap_request: return "idmap_request";
        case Msg::idmap_done: return "idmap_done";
        case Msg::init_pid: return "init_pid";
        case Msg::mounts_ready: return "mounts_ready";
        case Msg::hooks_done: return "hooks_done";
        case Msg::console_master: return "console_master";
        case Msg::seccomp_listener: return "seccomp_listener";
        case Msg::ready: return "ready";
        case Msg::error: return "error";
        case Msg::warning: return "warning";
    }
    return "unknown";
}

void SyncChannel::send(Msg type, const std::string& payload, const std::vector<int>& fds) {
    with_context(std::string("sync: send ") + msg_name(type), [&] {
        if (payload.size() <= kInlinePayload) {
            std::string wire(1, static_cast<char>(type));
            wire += payload;
            sys::send_with_fds(sock_.get(), wire, fds);
            return;
        }
        const sys::Fd doc = sys::memfd_with_data(std::string("ocirt-") + msg_name(type), payload);
        std::vector<int> all = fds;
        all.push_back(doc.get());
        sys::send_with_fds(sock_.get(), std::string(1, static_cast<char>(static_cast<uint8_t>(type) | kPayloadInFd)), all);
    });
}

Message decode_message(std::string_view wire, std::vector<sys::Fd> fds) {
    if (wire.empty()) fail("sync: empty message");
    Message m;
    m.fds = std::move(fds);
    const auto byte = static_cast<uint8_t>(wire[0]);
    const auto type = static_cast<uint8_t>(byte & ~kPayloadInFd);
    if (type < static_cast<uint8_t>(Msg::bootstrap) || type > static_cast<uint8_t>(Msg::warning))
        fail("sync: unknown message kind {}", byte);
    m.type = static_cast<Msg>(type);
    if ((byte & kPayloadInFd) != 0) {
        if (wire.size() != 1) fail("sync: {} has its payload both inline and in an fd", msg_name(m.type));
        if (m.fds.empty()) fail("sync: {} without its payload fd", msg_name(m.type));
        const sys::Fd doc = std::move(m.fds.back());
        m.fds.pop_back();
        m.payload = with_context(std::string("sync: ") + msg_name(m.type) + " payload",
                                 [&] { return sys::read_fd(doc.get(), kMaxPayload); });
    } else {
        m.payload = std::string(wire.substr(1));
    }
    if (m.type == Msg::error) {
        const auto j = nlohmann::json::parse(m.payload, nullptr, false);
        if (j.is_discarded() || !j.is_object()) fail("sync: malformed error message");
        const auto err = j.find("errno");
        const auto message = j.find("message");
        throw Error(err != j.end() && err->is_number_integer() ? err->get<int>() : 0,
                    message != j.end() && message->is_string() ? message->get<std::string>() : std::string("unknown error"));
    }
    return m;
}

Message SyncChannel::receive() {
    while (true) {
        Message m = receive_any();
        if (m.type != Msg::warning) return m;
        log::warn("{}", m.payload);
    }
}

void SyncChannel::expect_closed() {
    std::vector<sys::Fd> fds;
    const std::string wire = sys::recv_with_fds(sock_.get(), kMaxMessage, fds);
    if (wire.empty()) return;
    const Message m = decode_message(wire, std::move(fds));
    fail("sync: expected the end, got {}", msg_name(m.type));
}

Message SyncChannel::receive_any() {
    std::vector<sys::Fd> fds;
    const std::string wire = sys::recv_with_fds(sock_.get(), kMaxMessage, fds);
    if (wire.empty()) fail("the init stage exited before finishing");
    return decode_message(wire, std::move(fds));
}

Message SyncChannel::expect(Msg type) {
    Message m = receive();
    if (m.type != type) fail("sync: expected {}, got {}", msg_name(type), msg_name(m.type));
    return m;
}

void SyncChannel::send_error(int err, const std::string& message) noexcept {
    try {
        // Kept inline (no memfd: the init stage may be past seccomp or out of memory by now):
        // a message this long quotes some config value, and its start says what failed.
        const std::string shown = message.size() > kMaxErrorMessage ? message.substr(0, kMaxErrorMessage) + "…" : message;
        nlohmann::json j = {{"errno", err}, {"message", shown}};
        send(Msg::error, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } catch (...) {
        // The parent is gone or the socket is broken: nothing more can be reported.
    }
}

}  // namespace ocirt::runtime
