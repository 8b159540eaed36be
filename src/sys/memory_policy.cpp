#include "ocirt/sys/memory_policy.hpp"

#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {

void set_memory_policy(int mode_and_flags, const std::vector<unsigned>& nodes) {
    constexpr unsigned kBits = sizeof(unsigned long) * CHAR_BIT;
    unsigned highest = 0;
    for (unsigned n : nodes) highest = std::max(highest, n);
    std::vector<unsigned long> mask(nodes.empty() ? 1 : highest / kBits + 1, 0);
    for (unsigned n : nodes) mask[n / kBits] |= 1UL << (n % kBits);
    // maxnode counts bits; the kernel ignores the last one (an old off-by-one kept for ABI).
    const unsigned long maxnode = nodes.empty() ? 0 : mask.size() * kBits + 1;
    if (::syscall(SYS_set_mempolicy, mode_and_flags, nodes.empty() ? nullptr : mask.data(), maxnode) < 0)
        throw_errno("set_mempolicy");
}

void set_personality(unsigned long persona) {
    if (::personality(persona) < 0) throw_errno("personality");
}

}  // namespace ocirt::sys
