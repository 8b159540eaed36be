#pragma once
/// linux.intelRdt: the container's resctrl group (cache and memory-bandwidth allocation, and
/// monitoring), on the host's mounted resctrl filesystem. Without one, a config asking for
/// intelRdt is refused: its isolation cannot be applied.

#include <string>

#include "ocirt/spec/config.hpp"

namespace ocirt::resctrl {

/// The mount point of the host's resctrl filesystem (from /proc/self/mountinfo), or empty.
std::string find_resctrl_mount();
/// Checks the fields and that resctrl is mounted; throws naming /linux/intelRdt.
void check_intel_rdt(const spec::IntelRdt& rdt);
/// The schemata text the config asks for (l3CacheSchema, memBwSchema, then schemata lines).
std::string schemata_text(const spec::IntelRdt& rdt);
/// Creates or checks the group (closID, else the container id), writes its schemata, puts
/// `pid` in it (or in a monitoring group named after the container with enableMonitoring).
void join_intel_rdt(const spec::IntelRdt& rdt, const std::string& container_id, int pid);
/// `update`: checks `rdt`, then writes its schemata to the container's group, or creates and
/// joins the group (join_intel_rdt) when the container has none yet.
void update_intel_rdt(const spec::IntelRdt& rdt, const std::string& container_id, int pid);
/// Removes what join_intel_rdt created for the container (its own group or monitoring group).
void leave_intel_rdt(const spec::IntelRdt& rdt, const std::string& container_id);

}  // namespace ocirt::resctrl
