#include <cerrno>
#include <string>

#include "ocirt/cgroup/v1/resources.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup::v1 {
namespace {

constexpr const char* kField = "/linux/resources/memory";
constexpr const char* kLimit = "memory.limit_in_bytes";
constexpr const char* kSwap = "memory.memsw.limit_in_bytes";

/// memory.limit_in_bytes; the kernel's EBUSY (usage above the new limit) says so with numbers.
void set_limit(const CgroupDir& cg, int64_t limit) {
    if (limit == 0) return;
    try {
        cg.write(kLimit, std::to_string(limit), std::string(kField) + "/limit");
    } catch (const Error& e) {
        if (e.code() != EBUSY) throw;
        fail("{}/limit: unable to set memory limit to {} (current usage: {}, peak usage: {})", kField, limit,
             cg.try_read("memory.usage_in_bytes").value_or("?"), cg.try_read("memory.max_usage_in_bytes").value_or("?"));
    }
}

void set_swap(const CgroupDir& cg, int64_t swap) {
    if (swap == 0) return;
    if (!cg.has(kSwap)) fail("{}/swap: the kernel has no swap accounting ({} is missing)", kField, cg.file(kSwap));
    cg.write(kSwap, std::to_string(swap), std::string(kField) + "/swap");
}

}  // namespace

void apply_memory(const CgroupDir& cg, const spec::MemoryResources& m, ApplyMode mode) {
    const std::string f = kField;
    int64_t limit = m.limit.value_or(0);
    int64_t swap = m.swap.value_or(0);
    if (mode == ApplyMode::update && m.check_before_update.value_or(false) && limit > 0) {
        const auto usage = util::parse_uint(cg.read("memory.usage_in_bytes"));
        if (usage && *usage > static_cast<uint64_t>(limit))
            fail("{}/limit: the new limit {} is below the current usage {}", f, limit, *usage);
    }
    // runc's setMemoryAndSwap: unlimited memory with swap unset is unlimited swap too, and the
    // order of the two writes keeps memsw >= limit at every step (the kernel checks it).
    if (limit == -1 && swap == 0 && cg.has(kSwap)) swap = -1;
    if (swap != 0 && swap != -1 && limit > 0 && swap < limit)
        fail("{}/swap: memory+swap ({}) must be at least the memory limit ({})", f, swap, limit);
    bool swap_first = false;
    if (limit != 0 && swap != 0) {
        const auto cur = util::parse_uint(cg.read(kLimit));
        swap_first = swap == -1 || (cur && *cur < static_cast<uint64_t>(swap));
    }
    if (swap_first) {
        set_swap(cg, swap);
        set_limit(cg, limit);
    } else {
        set_limit(cg, limit);
        set_swap(cg, swap);
    }
    // Kernel memory limits are deprecated (Linux 5.4) and gone (6.1); runc ignores them too.
    if (m.kernel.value_or(0) != 0) log::debug("{}/kernel: ignored (kernel memory limits are not supported)", f);
    if (m.kernel_tcp.value_or(0) != 0)
        cg.write("memory.kmem.tcp.limit_in_bytes", std::to_string(*m.kernel_tcp), f + "/kernelTCP");
    if (m.reservation.value_or(0) != 0)
        cg.write("memory.soft_limit_in_bytes", std::to_string(*m.reservation), f + "/reservation");
    if (m.disable_oom_killer.value_or(false)) cg.write("memory.oom_control", "1", f + "/disableOOMKiller");
    if (m.swappiness && static_cast<int64_t>(*m.swappiness) != -1) {
        if (*m.swappiness > 100) fail("{}/swappiness: {} is not in 0..100", f, *m.swappiness);
        cg.write("memory.swappiness", std::to_string(*m.swappiness), f + "/swappiness");
    }
    if (m.use_hierarchy.value_or(false) && cg.has("memory.use_hierarchy"))
        cg.write("memory.use_hierarchy", "1", f + "/useHierarchy");
}

}  // namespace ocirt::cgroup::v1
