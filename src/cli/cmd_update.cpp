#include "ocirt/cli/command.hpp"

namespace ocirt::cli {
namespace {

const std::vector<std::string> kResourceFlags{
    "blkio-weight", "cpu-period",    "cpu-quota",   "cpu-share",          "cpu-shares",   "cpu-rt-period",
    "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems", "memory",             "memory-reservation", "memory-swap",
    "pids-limit",
};

int run_update(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "update [flags] <container-id>");
    runtime::UpdateOptions o;
    o.id = a.positionals()[0];
    o.resources_file = a.value("resources");
    for (const auto& f : kResourceFlags)
        if (auto v = a.value(f)) o.flags[f] = *v;
    runtime::update_container(ctx.global, o);
    return 0;
}

}  // namespace

Command update_command() {
    std::vector<FlagSpec> flags{
        {"resources", 'r', true, "a JSON file of linux.resources to apply (\"-\" reads stdin)", "FILE"},
        {"blkio-weight", 0, true, "block IO weight, 10..1000", "N"},
        {"cpu-period", 0, true, "CPU CFS period in microseconds", "N"},
        {"cpu-quota", 0, true, "CPU CFS quota in microseconds per period (-1: none)", "N"},
        {"cpu-share", 0, true, "CPU shares (relative weight)", "N"},
        {"cpu-shares", 0, true, "the same as --cpu-share", "N"},
        {"cpu-rt-period", 0, true, "realtime period (refused on cgroup v2 unless 0)", "N"},
        {"cpu-rt-runtime", 0, true, "realtime runtime (refused on cgroup v2 unless 0)", "N"},
        {"cpuset-cpus", 0, true, "CPUs the container may run on (0-3, 0,1)", "LIST"},
        {"cpuset-mems", 0, true, "memory nodes the container may use", "LIST"},
        {"memory", 0, true, "memory limit in bytes (k, m, g, t suffixes; -1: none)", "SIZE"},
        {"memory-reservation", 0, true, "memory soft limit (memory.low)", "SIZE"},
        {"memory-swap", 0, true, "memory plus swap limit (-1: unlimited swap)", "SIZE"},
        {"pids-limit", 0, true, "maximum number of processes (<= 0: none)", "N"},
    };
    return {"update", "change the resource limits of a container", "update [flags] <container-id>",
            "Applies new linux.resources to a created, running or paused container, from a\n"
            "--resources JSON document (runc's LinuxResources) and/or the flags (which win).\n"
            "Only the groups named are changed; the container's saved config records them.",
            flags, false, run_update};
}

}  // namespace ocirt::cli
