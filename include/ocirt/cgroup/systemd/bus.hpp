#pragma once
/// A D-Bus connection to systemd's manager (org.freedesktop.systemd1) through sd-bus, the one
/// place where ocirt calls libsystemd. libsystemd.so.0 is loaded with dlopen when the systemd
/// driver first connects, so that ocirt without --systemd-cgroup (the cgroupfs driver, the init
/// stage) neither links nor loads it.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ocirt/cgroup/systemd/properties.hpp"

struct sd_bus;
struct sd_bus_slot;

namespace ocirt::cgroup::systemd {

/// How long a unit's start or stop job may take (runc waits 30 s too).
inline constexpr auto kJobTimeout = std::chrono::seconds(30);

/// A connection to systemd, subscribed to its JobRemoved signals.
class Bus {
public:
    /// Connects (returned by guaranteed copy elision) to the system bus, or, when that fails, to systemd's private socket
    /// (/run/systemd/private; root only, no dbus-daemon needed). Throws naming the bus.
    static Bus connect();
    /// Connects as a bus client to the D-Bus `address` ("unix:path=/run/user/1000/bus"): the user's
    /// session bus, where the user's systemd is org.freedesktop.systemd1. Throws naming the address.
    static Bus connect_address(const std::string& address);
    Bus(Bus&&) = delete;  // the JobRemoved match holds `this`
    Bus& operator=(Bus&&) = delete;
    Bus(const Bus&) = delete;
    ~Bus();

    /// StartTransientUnit(unit, "fail", properties) and waits for its job. Throws, naming `label`
    /// ("machine.slice/libpod-1.scope"), systemd's message and the D-Bus error name, or the job's
    /// result ("failed", "timeout"...).
    void start_transient_unit(const std::string& unit, const std::string& label, const std::vector<Property>& props);
    /// SetUnitProperties(unit, runtime=true, properties).
    void set_unit_properties(const std::string& unit, const std::vector<Property>& props);
    /// StopUnit(unit, "replace") and waits for its job; false when there is no such unit.
    bool stop_unit(const std::string& unit);
    /// ResetFailedUnit(unit), so that a unit that failed (an OOM kill) is unloaded; errors ignored.
    void reset_failed_unit(const std::string& unit) noexcept;
    /// The manager's ControlGroup property: the cgroup its units live below ("" for the system
    /// instance, "/user.slice/user-1000.slice/user@1000.service" for a user's).
    std::string control_group();
    /// AttachProcessesToUnit(unit, subcgroup, pids) (systemd 248+): moves processes the caller owns
    /// into the unit's cgroup, or `subcgroup` below it ("" for the unit's own). A user manager
    /// that may not move them itself asks the system manager to.
    void attach_processes(const std::string& unit, const std::string& subcgroup, const std::vector<uint32_t>& pids);

private:
    Bus(sd_bus* bus, bool direct);
    /// Waits until systemd reports `job` removed; its result ("done" on success).
    std::string wait_job(const std::string& job, const std::string& what);

    sd_bus* bus_ = nullptr;
    sd_bus_slot* slot_ = nullptr;
    bool direct_ = false;                          ///< the private socket, not the system bus
    std::map<std::string, std::string> removed_;  ///< JobRemoved seen: job path → result
};

}  // namespace ocirt::cgroup::systemd
