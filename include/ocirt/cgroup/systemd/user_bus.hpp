#pragma once
/// The user's systemd (rootless --systemd-cgroup), as runc's newUserSystemdDbus: its bus address
/// ($DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus, else /run/user/<euid>/bus, runc's
/// DetectUserDbusSessionBusAddress order), the cgroup below which it makes units (its
/// ControlGroup property, "/user.slice/user-1000.slice/user@1000.service"), and the controllers
/// the system manager delegated to it.

#include <sys/types.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ocirt/cgroup/controllers.hpp"
#include "ocirt/cgroup/systemd/bus.hpp"

namespace ocirt::cgroup::systemd {

/// One place the user's bus may be: what names it in errors ("$DBUS_SESSION_BUS_ADDRESS") and its
/// D-Bus address ("unix:path=/run/user/1000/bus").
struct BusCandidate {
    std::string source;
    std::string address;
};

/// The user bus candidates in runc's order, from the environment's values (nullopt: unset) and
/// the effective uid. Pure.
std::vector<BusCandidate> user_bus_candidates(const std::optional<std::string>& session_bus_address,
                                              const std::optional<std::string>& xdg_runtime_dir, uid_t euid);

/// Connects to the calling user's systemd through the first candidate that answers. Throws one
/// line naming each candidate tried and why it failed.
Bus connect_user_bus();

/// The user manager's cgroup in a cgroup path below it: the path up to its "user@<uid>.service"
/// component ("/user.slice/user-1000.slice/user@1000.service"); throws when there is none.
std::string user_manager_cgroup(const std::string& path);

/// Throws naming the config field for the first need whose controller is not in `delegated` (the
/// cgroup.controllers of the user manager's cgroup `manager_cgroup`): runc and crun cannot
/// apply those limits rootless either.
void require_delegated(const std::vector<ControllerNeed>& needs, const std::set<std::string>& delegated,
                       const std::string& manager_cgroup);

}  // namespace ocirt::cgroup::systemd
