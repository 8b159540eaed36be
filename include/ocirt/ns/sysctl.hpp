#pragma once
/// linux.sysctl: kernel parameters of the container's own namespaces, written under /proc/sys.

#include <map>
#include <string>

#include "ocirt/ns/namespaces.hpp"

namespace ocirt::ns {

/// The namespace a sysctl key belongs to, or nullopt if the key is not namespaced (it would
/// change the host): net.* → network; kernel.shm*/msg*/sem, fs.mqueue.* → ipc;
/// kernel.hostname/domainname → uts.
std::optional<spec::NamespaceType> sysctl_namespace(const std::string& key);
/// The path of a key below /proc/sys ("net.ipv4.ip_forward" → "net/ipv4/ip_forward"; a key
/// with "/" is already a path, so names with dots such as "eth0.100" can be written).
std::string sysctl_path(const std::string& key);

/// Refuses keys that are not namespaced, keys whose namespace the container shares with the
/// host (not in the plan, or joined by a path that is the runtime's own namespace), and
/// malformed keys; throws naming /linux/sysctl/KEY.
void check_sysctls(const std::map<std::string, std::string>& sysctl, const NamespacePlan& plan);

/// Writes each value inside the container (after pivot_root, in all its namespaces), through a
/// procfs that the container cannot have faked or covered: a new detached proc instance, or
/// if the kernel refuses one, the container's /proc checked to be a real procfs root, with
/// every lookup below it confined to that mount and free of symlinks.
void apply_sysctls(const std::map<std::string, std::string>& sysctl);

}  // namespace ocirt::ns
