#include "ocirt/cgroup/systemd/user_bus.hpp"

#include <cstdlib>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup::systemd {
namespace {

std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
}

}  // namespace

std::vector<BusCandidate> user_bus_candidates(const std::optional<std::string>& session_bus_address,
                                              const std::optional<std::string>& xdg_runtime_dir, uid_t euid) {
    std::vector<BusCandidate> out;
    if (session_bus_address) out.push_back({"$DBUS_SESSION_BUS_ADDRESS", *session_bus_address});
    if (xdg_runtime_dir) out.push_back({"$XDG_RUNTIME_DIR/bus", "unix:path=" + *xdg_runtime_dir + "/bus"});
    const std::string run_user = "unix:path=/run/user/" + std::to_string(euid) + "/bus";
    if (out.empty() || out.back().address != run_user) out.push_back({"/run/user/<euid>/bus", run_user});
    return out;
}

Bus connect_user_bus() {
    const uid_t euid = sys::effective_uid();
    std::vector<std::string> tried;
    for (const auto& c : user_bus_candidates(env("DBUS_SESSION_BUS_ADDRESS"), env("XDG_RUNTIME_DIR"), euid)) {
        try {
            return Bus::connect_address(c.address);
        } catch (const Error& e) {
            log::debug("systemd driver: the user's bus at {} ({}): {}", c.address, c.source, e.what());
            tried.push_back(fmt::format("{} {}", c.source, e.what()));
        }
    }
    fail("--systemd-cgroup (rootless): cannot reach the user's systemd on its session bus ({}); is the user's "
         "manager running (systemctl start user@{}.service) with dbus-user-session?",
         util::join(tried, "; "), euid);
}

std::string user_manager_cgroup(const std::string& path) {
    std::string out;
    for (const auto& part : util::split(path, '/')) {
        if (part.empty()) continue;
        out += "/" + part;
        if (part.starts_with("user@") && part.ends_with(".service")) return out;
    }
    fail("cgroup {} is not below a user's systemd (no user@<uid>.service)", path);
}

void require_delegated(const std::vector<ControllerNeed>& needs, const std::set<std::string>& delegated,
                       const std::string& manager_cgroup) {
    for (const auto& n : needs) {
        if (delegated.count(n.controller)) continue;
        std::vector<std::string> have(delegated.begin(), delegated.end());
        fail("{}: the cgroup v2 controller \"{}\" is not delegated to the user's systemd (its cgroup {} offers: {})",
             n.field, n.controller, manager_cgroup, have.empty() ? "none" : util::join(have, " "));
    }
}

}  // namespace ocirt::cgroup::systemd
