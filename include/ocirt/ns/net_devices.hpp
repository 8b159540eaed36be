#pragma once
/// linux.netDevices: host network interfaces moved into the container's network namespace
/// (renamed if asked) by the runtime during create, and moved back under their own names on
/// delete. The container's network namespace is pinned by a bind mount in the state dir so the
/// devices can be returned even after the container's processes are gone (a veth would
/// otherwise vanish with the namespace). Also the loopback of a new network namespace.

#include <map>
#include <string>

#include "ocirt/ns/namespaces.hpp"

namespace ocirt::ns {

/// Checks names and that the container has a network namespace other than the runtime's;
/// throws naming /linux/netDevices/NAME.
void check_net_devices(const std::map<std::string, spec::NetDevice>& devices, const NamespacePlan& plan);

/// Pins the network namespace of `pid` at `pin_path` and moves each device into it.
void move_net_devices_in(const std::map<std::string, spec::NetDevice>& devices, int pid, const std::string& pin_path);

/// Moves the devices back from the namespace pinned at `pin_path` to the runtime's own under
/// their host names, then removes the pin. Devices no longer there are reported, not fatal.
/// Does nothing if there is no pin.
void move_net_devices_out(const std::map<std::string, spec::NetDevice>& devices, const std::string& pin_path);

/// Brings up the loopback interface `lo` of a network namespace just created (init stage), as
/// runc and crun do: a new namespace starts with `lo` down and 127.0.0.1 unreachable.
void bring_up_loopback();

}  // namespace ocirt::ns
