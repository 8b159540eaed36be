#pragma once
/// OOM notifications of a container's cgroup on cgroup v1, as runc's notify_linux.go: an eventfd
/// registered on memory.oom_control through cgroup.event_control, which the kernel signals each
/// time the cgroup hits its memory limit and the OOM killer acts (and once more when the cgroup
/// is removed). cgroup v2 has no such interface: there `events` watches memory.events.

#include <cstdint>
#include <optional>
#include <string>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/sys/fd.hpp"

namespace ocirt::cgroup {

/// A registered OOM eventfd.
class OomEvents {
public:
    /// Registers on the container's v1 memory hierarchy; nullopt for a v2 cgroup or one with no
    /// v1 memory directory (the caller then counts memory.events' oom_kill).
    static std::optional<OomEvents> open(const ContainerCgroup& cg);
    /// The eventfd, for poll().
    int fd() const { return event_.get(); }
    /// True if an OOM was notified since the last call (without blocking; several coalesce
    /// into one, as runc reports them). The signal that only says the cgroup was removed (its
    /// cgroup.event_control gone) is not one.
    bool notified();

private:
    OomEvents(sys::Fd event, sys::Fd oom_control, std::string event_control)
        : event_(std::move(event)), oom_control_(std::move(oom_control)), event_control_(std::move(event_control)) {}
    sys::Fd event_;
    sys::Fd oom_control_;  ///< held while registered, as runc does
    std::string event_control_;
};

}  // namespace ocirt::cgroup
