#include "ocirt/ns/net_devices.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/mount.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/mount.hpp"
#include "ocirt/sys/namespaces.hpp"
#include "ocirt/sys/netlink.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::ns {
namespace {

bool valid_interface_name(const std::string& n) {
    return !n.empty() && n.size() < IFNAMSIZ && n != "." && n != ".." && n.find_first_of("/: \t\n") == std::string::npos;
}

std::string name_inside(const std::string& host_name, const spec::NetDevice& d) { return d.name.value_or(host_name); }

}  // namespace

void check_net_devices(const std::map<std::string, spec::NetDevice>& devices, const NamespacePlan& plan) {
    if (devices.empty()) return;
    if (!plan.has(spec::NamespaceType::network))
        fail("/linux/netDevices: moving devices needs a network namespace of the container's own");
    if (joins_runtime_namespace(plan, spec::NamespaceType::network))
        fail("/linux/netDevices: the network namespace joined by path is the runtime's own");
    std::map<std::string, std::string> inside;
    for (const auto& [host, d] : devices) {
        const std::string field = "/linux/netDevices/" + host;
        if (!valid_interface_name(host)) fail("{}: \"{}\" is not a valid interface name", field, host);
        const std::string target = name_inside(host, d);
        if (!valid_interface_name(target)) fail("{}/name: \"{}\" is not a valid interface name", field, target);
        if (auto [it, fresh] = inside.emplace(target, host); !fresh)
            fail("{}/name: \"{}\" is also the name given to {}", field, target, it->second);
        if (sys::link_index(host) == 0) fail("{}: no such network interface on the host", field);
    }
}

void move_net_devices_in(const std::map<std::string, spec::NetDevice>& devices, int pid, const std::string& pin_path) {
    if (devices.empty()) return;
    const std::string ns_path = proc_ns_path(pid, spec::NamespaceType::network);
    sys::Fd netns = sys::open_namespace(ns_path, CLONE_NEWNET);
    sys::write_file(pin_path, "", 0600);
    sys::mount_fs(ns_path, pin_path, "", MS_BIND, "", "pin of the container's network namespace");
    for (const auto& [host, d] : devices)
        with_context("/linux/netDevices/" + host, [&] { sys::move_link_to_namespace(host, netns.get(), name_inside(host, d)); });
}

void move_net_devices_out(const std::map<std::string, spec::NetDevice>& devices, const std::string& pin_path) {
    if (!sys::exists(pin_path)) return;
    sys::Fd host_ns = sys::open_namespace(proc_ns_path(sys::self_pid(), spec::NamespaceType::network), CLONE_NEWNET);
    sys::Fd container_ns;
    try {
        container_ns = sys::open_namespace(pin_path, CLONE_NEWNET);
    } catch (const Error& e) {
        log::warn("network devices: the container's network namespace is gone: {}", e.what());
    }
    if (container_ns) {
        // setns changes the whole (single-threaded) process: do it in a child.
        const pid_t child = sys::fork_process();
        if (child == 0) {
            int status = 0;
            try {
                sys::join_namespace(container_ns.get(), CLONE_NEWNET, "container network namespace");
                for (const auto& [host, d] : devices) {
                    try {
                        sys::move_link_to_namespace(name_inside(host, d), host_ns.get(), host);
                    } catch (const Error& e) {
                        log::warn("/linux/netDevices/{}: not moved back: {}", host, e.what());
                        status = 1;
                    }
                }
            } catch (const Error& e) {
                log::warn("network devices: {}", e.what());
                status = 1;
            }
            sys::exit_now(status);
        }
        sys::wait_process(child);
    }
    sys::unmount(pin_path, MNT_DETACH);
    sys::remove_file(pin_path);
}

void bring_up_loopback() {
    with_context("network namespace: loopback", [] { sys::set_link_up("lo"); });
}

}  // namespace ocirt::ns
