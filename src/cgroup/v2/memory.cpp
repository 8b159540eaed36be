#include <string>

#include "ocirt/cgroup/v2/resources.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup::v2 {
namespace {

constexpr const char* kField = "/linux/resources/memory";

std::string limit_text(int64_t v) { return v < 0 ? "max" : std::to_string(v); }

}  // namespace

bool memory_is_set(const spec::MemoryResources& m) {
    // As runc's isMemorySet: 0 is "not set" for each; -1 ("max") is a value.
    return m.limit.value_or(0) != 0 || m.reservation.value_or(0) != 0 || m.swap.value_or(0) != 0;
}

int64_t swap_max_value(int64_t swap, int64_t limit) {
    const std::string field = std::string(kField) + "/swap";
    // As runc: an unlimited memory with swap unset means both unlimited; -1 and 0 stay as they are.
    if (limit == -1 && swap == 0) return -1;
    if (swap == -1 || swap == 0) return swap;
    if (limit == 0 || limit == -1) fail("{}: a swap limit needs a memory limit", field);
    if (limit < 0) fail("{}: invalid memory limit {}", field, limit);
    if (swap < limit) fail("{}: memory+swap ({}) must be at least the memory limit ({})", field, swap, limit);
    return swap - limit;
}

void apply_memory(const CgroupDir& cg, const spec::MemoryResources& m, ApplyMode mode) {
    const std::string f = kField;
    // 0 is what engines send for "unset"; any other value asks for something v2 cannot do.
    if (m.kernel.value_or(0) != 0) fail("{}/kernel: kernel memory limits do not exist on cgroup v2", f);
    if (m.kernel_tcp.value_or(0) != 0) fail("{}/kernelTCP: kernel TCP memory limits do not exist on cgroup v2", f);
    if (m.swappiness) fail("{}/swappiness: not supported on cgroup v2", f);
    if (m.disable_oom_killer.value_or(false)) fail("{}/disableOOMKiller: the OOM killer cannot be disabled on cgroup v2", f);
    // useHierarchy: cgroup v2 is always hierarchical, so the field changes nothing.
    if (!memory_is_set(m)) return;

    if (mode == ApplyMode::update && m.check_before_update.value_or(false) && m.limit && *m.limit > 0) {
        const auto usage = util::parse_uint(cg.read("memory.current"));
        if (usage && *usage > static_cast<uint64_t>(*m.limit))
            fail("{}/limit: the new limit {} is below the current usage {}", f, *m.limit, *usage);
    }
    if (m.swap) {
        const int64_t swap = swap_max_value(*m.swap, m.limit.value_or(0));
        if (swap != 0) cg.write("memory.swap.max", limit_text(swap), f + "/swap");
    } else if (m.limit && *m.limit == -1 && cg.has("memory.swap.max")) {
        cg.write("memory.swap.max", "max", f + "/swap");
    }
    if (m.limit && *m.limit != 0) cg.write("memory.max", limit_text(*m.limit), f + "/limit");
    if (m.reservation && *m.reservation != 0) cg.write("memory.low", limit_text(*m.reservation), f + "/reservation");
}

}  // namespace ocirt::cgroup::v2
