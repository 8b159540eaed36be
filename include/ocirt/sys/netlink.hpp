#pragma once
/// Network links through rtnetlink: moving an interface into another network namespace, bringing
/// one up.

#include <string>

namespace ocirt::sys {

/// The index of the interface `name` in the caller's network namespace, or 0 if there is none.
unsigned link_index(const std::string& name);
/// Moves the interface `name` of the caller's network namespace into the network namespace
/// open at `netns_fd`, renamed to `new_name` there (RTM_NEWLINK with IFLA_NET_NS_FD and
/// IFLA_IFNAME), in one request so that the name never clashes midway.
void move_link_to_namespace(const std::string& name, int netns_fd, const std::string& new_name);

/// Sets the interface `name` of the caller's network namespace up (RTM_NEWLINK, IFF_UP).
void set_link_up(const std::string& name);

}  // namespace ocirt::sys
