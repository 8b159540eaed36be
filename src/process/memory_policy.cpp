#include <array>

#include "named_values.hpp"
#include "ocirt/process/process_extras.hpp"
#include "ocirt/sys/memory_policy.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::process {
namespace {

// <linux/mempolicy.h> values; glibc has no header for them.
constexpr std::array<NamedValue, 7> kModes{{
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
}};

constexpr std::array<NamedValue, 3> kFlags{{
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_STATIC_NODES", 1 << 15},
}};

}  // namespace

std::vector<std::string> memory_policy_modes() { return names_of(kModes); }
std::vector<std::string> memory_policy_flags() { return names_of(kFlags); }

void check_memory_policy(const spec::MemoryPolicy& m) {
    const NamedValue* mode = find_named(kModes, m.mode);
    if (!mode) fail("/linux/memoryPolicy/mode: unknown mode \"{}\"", m.mode);
    for (size_t i = 0; i < m.flags.size(); ++i)
        if (!find_named(kFlags, m.flags[i])) fail("/linux/memoryPolicy/flags/{}: unknown flag \"{}\"", i, m.flags[i]);
    const bool needs_nodes = m.mode != "MPOL_DEFAULT" && m.mode != "MPOL_LOCAL";
    const bool has_nodes = m.nodes && !m.nodes->empty();
    if (needs_nodes && !has_nodes && m.mode != "MPOL_PREFERRED")
        fail("/linux/memoryPolicy/nodes: {} needs nodes", m.mode);
    if (!needs_nodes && has_nodes) fail("/linux/memoryPolicy/nodes: {} takes no nodes", m.mode);
    if (has_nodes) parse_cpu_list(*m.nodes, "/linux/memoryPolicy/nodes");
}

void apply_memory_policy(const spec::MemoryPolicy& m) {
    int mode = static_cast<int>(find_named(kModes, m.mode)->value);
    for (const auto& f : m.flags) mode |= static_cast<int>(find_named(kFlags, f)->value);
    std::vector<unsigned> nodes;
    if (m.nodes && !m.nodes->empty()) nodes = parse_cpu_list(*m.nodes, "/linux/memoryPolicy/nodes");
    with_context("/linux/memoryPolicy", [&] { sys::set_memory_policy(mode, nodes); });
}

}  // namespace ocirt::process
