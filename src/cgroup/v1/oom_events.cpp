#include "ocirt/cgroup/oom_events.hpp"

#include <fcntl.h>

#include <fmt/format.h>

#include "ocirt/cgroup/v1/resources.hpp"
#include "ocirt/sys/eventfd.hpp"
#include "ocirt/sys/files.hpp"

namespace ocirt::cgroup {

std::optional<OomEvents> OomEvents::open(const ContainerCgroup& cg) {
    if (cg.driver != Driver::v1) return std::nullopt;
    const auto memory = v1::controller_dir(cg.v1_dirs, "memory");
    if (!memory) return std::nullopt;
    sys::Fd oom_control = sys::open_at(AT_FDCWD, memory->file("memory.oom_control"), O_RDONLY | O_CLOEXEC);
    sys::Fd event = sys::event_fd();
    // "<event_fd> <fd of the file to watch>": the kernel signals the eventfd on each OOM.
    memory->write("cgroup.event_control", fmt::format("{} {}", event.get(), oom_control.get()),
                  "events (OOM notification)");
    return OomEvents(std::move(event), std::move(oom_control), memory->file("cgroup.event_control"));
}

bool OomEvents::notified() {
    if (sys::take_event_count(event_.get()) == 0) return false;
    // Removing the cgroup signals the eventfd too: that is no OOM (runc checks the same way).
    return sys::exists(event_control_);
}

}  // namespace ocirt::cgroup
