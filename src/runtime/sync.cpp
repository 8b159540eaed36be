#include "ocirt/runtime/sync.hpp"

#include <nlohmann/json.hpp>

#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::runtime {
namespace {
constexpr size_t kMaxMessage = 64 * 1024;
}

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
    std::string wire(1, static_cast<char>(type));
    wire += payload;
    with_context(std::string("sync: send ") + msg_name(type), [&] { sys::send_with_fds(sock_.get(), wire, fds); });
}

Message SyncChannel::receive() {
    while (true) {
        Message m = receive_any();
        if (m.type != Msg::warning) return m;
        log::warn("{}", m.payload);
    }
}

void SyncChannel::expect_closed() {
    Message m;
    const std::string wire = sys::recv_with_fds(sock_.get(), kMaxMessage, m.fds);
    if (wire.empty()) return;
    m = decode(wire, std::move(m.fds));
    fail("sync: expected the end, got {}", msg_name(m.type));
}

Message SyncChannel::receive_any() {
    Message m;
    const std::string wire = sys::recv_with_fds(sock_.get(), kMaxMessage, m.fds);
    if (wire.empty()) fail("the init stage exited before finishing");
    return decode(wire, std::move(m.fds));
}

Message SyncChannel::decode(const std::string& wire, std::vector<sys::Fd> fds) {
    Message m;
    m.fds = std::move(fds);
    const auto type = static_cast<uint8_t>(wire[0]);
    if (type < static_cast<uint8_t>(Msg::bootstrap) || type > static_cast<uint8_t>(Msg::warning))
        fail("sync: unknown message kind {}", type);
    m.type = static_cast<Msg>(type);
    m.payload = wire.substr(1);
    if (m.type == Msg::error) {
        const auto j = nlohmann::json::parse(m.payload, nullptr, false);
        if (j.is_discarded() || !j.is_object()) fail("sync: malformed error message");
        throw Error(j.value("errno", 0), j.value("message", std::string("unknown error")));
    }
    return m;
}

Message SyncChannel::expect(Msg type) {
    Message m = receive();
    if (m.type != type) fail("sync: expected {}, got {}", msg_name(type), msg_name(m.type));
    return m;
}

void SyncChannel::send_error(int err, const std::string& message) noexcept {
    try {
        nlohmann::json j = {{"errno", err}, {"message", message}};
        send(Msg::error, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } catch (...) {
        // The parent is gone or the socket is broken: nothing more can be reported.
    }
}

}  // namespace ocirt::runtime
