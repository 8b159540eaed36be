#include "ocirt/sys/netlink.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "ocirt/sys/fd.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::sys {
namespace {

/// A netlink request being built: header, ifinfomsg, then attributes, each 4-byte aligned.
class LinkRequest {
public:
    LinkRequest(uint16_t type, int index) : buf_(NLMSG_SPACE(sizeof(ifinfomsg)), 0) {
        auto* h = header();
        h->nlmsg_type = type;
        h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        h->nlmsg_seq = 1;
        auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = index;
        h->nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(sizeof(ifinfomsg)));
    }
    void add(uint16_t type, const void* data, size_t len) {
        const size_t at = NLMSG_ALIGN(header()->nlmsg_len);
        buf_.resize(at + RTA_SPACE(len), 0);
        auto* rta = reinterpret_cast<rtattr*>(buf_.data() + at);
        rta->rta_type = type;
        rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
        std::memcpy(RTA_DATA(rta), data, len);
        header()->nlmsg_len = static_cast<uint32_t>(at + RTA_SPACE(len));
    }
    /// Sets the link flags in `change` to their values in `flags` (IFF_UP...).
    void set_flags(unsigned flags, unsigned change) {
        auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(header()));
        ifi->ifi_flags = flags;
        ifi->ifi_change = change;
    }
    const std::vector<char>& bytes() const { return buf_; }

private:
    nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
    std::vector<char> buf_;
};

/// Sends a request and waits for its acknowledgement; a negative error in the ack is thrown.
void transact(const LinkRequest& req, const std::string& what) {
    Fd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!sock) throw_errno("{}: netlink socket", what);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(sock.get(), req.bytes().data(), req.bytes().size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) < 0)
        throw_errno("{}: netlink send", what);
    alignas(nlmsghdr) char reply[8192];
    const ssize_t n = ::recv(sock.get(), reply, sizeof reply, 0);
    if (n < 0) throw_errno("{}: netlink receive", what);
    auto* h = reinterpret_cast<nlmsghdr*>(reply);
    if (!NLMSG_OK(h, static_cast<unsigned>(n)) || h->nlmsg_type != NLMSG_ERROR) fail("{}: unexpected netlink reply", what);
    const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
    if (err->error != 0) throw_error_code(-err->error, "{}", what);
}

}  // namespace

unsigned link_index(const std::string& name) { return ::if_nametoindex(name.c_str()); }

void move_link_to_namespace(const std::string& name, int netns_fd, const std::string& new_name) {
    const std::string what = "move network device " + name;
    if (new_name.empty() || new_name.size() >= IFNAMSIZ) fail("{}: bad interface name \"{}\"", what, new_name);
    const unsigned index = link_index(name);
    if (index == 0) throw_error_code(ENODEV, "{}", what);
    LinkRequest req(RTM_NEWLINK, static_cast<int>(index));
    const uint32_t fd = static_cast<uint32_t>(netns_fd);
    req.add(IFLA_NET_NS_FD, &fd, sizeof fd);
    req.add(IFLA_IFNAME, new_name.c_str(), new_name.size() + 1);
    transact(req, what);
}

void set_link_up(const std::string& name) {
    const std::string what = "bring up network device " + name;
    const unsigned index = link_index(name);
    if (index == 0) throw_error_code(ENODEV, "{}", what);
    LinkRequest req(RTM_NEWLINK, static_cast<int>(index));
    req.set_flags(IFF_UP, IFF_UP);
    transact(req, what);
}

}  // namespace ocirt::sys
