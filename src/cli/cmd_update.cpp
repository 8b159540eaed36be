#include "ocirt/cli/command.hpp"
#include "ocirt/runtime/update_request.hpp"

namespace ocirt::cli {
namespace {

int run_update(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "update [flags] <container-id>");
    runtime::UpdateOptions o;
    o.id = a.positionals()[0];
    o.resources_file = a.value("resources");
    for (const auto& f : runtime::update_resource_flags())
        if (auto v = a.value(f)) o.flags[f] = *v;
    o.l3_cache_schema = a.value("l3-cache-schema");
    o.mem_bw_schema = a.value("mem-bw-schema");
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
        {"cpu-burst", 0, true, "CPU CFS burst in microseconds (cpu.max.burst)", "N"},
        {"cpu-idle", 0, true, "1: the cgroup runs as SCHED_IDLE (cpu.idle), 0: normal", "N"},
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
        {"l3-cache-schema", 0, true, "Intel RDT/CAT L3 cache schema (linux.intelRdt.l3CacheSchema)", "SCHEMA"},
        {"mem-bw-schema", 0, true, "Intel RDT/MBA memory bandwidth schema (linux.intelRdt.memBwSchema)", "SCHEMA"},
        {"kernel-memory", 0, true, "obsolete: accepted and ignored with a warning", "SIZE", true},
        {"kernel-memory-tcp", 0, true, "obsolete: accepted and ignored with a warning", "SIZE", true},
    };
    return {"update", "change the resource limits of a container", "update [flags] <container-id>",
            "Applies new linux.resources to a created, running or paused container, from a\n"
            "--resources JSON document (runc's LinuxResources) or the flags: as with runc, the\n"
            "other resource flags are ignored when --resources is given. Only the groups named\n"
            "are changed; the container's saved config records them.",
            flags, false, run_update};
}

}  // namespace ocirt::cli
