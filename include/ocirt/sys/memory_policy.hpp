#pragma once
/// NUMA memory policy of the calling process (set_mempolicy(2)) and its execution domain
/// (personality(2)).

#include <vector>

namespace ocirt::sys {

/// set_mempolicy(mode | flags, nodemask of `nodes`, maxnode).
void set_memory_policy(int mode_and_flags, const std::vector<unsigned>& nodes);
/// personality(persona).
void set_personality(unsigned long persona);

}  // namespace ocirt::sys
