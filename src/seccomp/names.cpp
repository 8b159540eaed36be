#include "ocirt/seccomp/names.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>

#include <array>

#include "ocirt/sys/seccomp.hpp"

namespace ocirt::seccomp {
namespace {

// SCMP_ACT_KILL is the historical name of KILL_THREAD (libseccomp defines it so too).
constexpr std::array kActions = {
    ActionName{"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    ActionName{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    ActionName{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    ActionName{"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    ActionName{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    ActionName{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    ActionName{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    ActionName{"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    ActionName{"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

constexpr std::array kOperators = {
    OperatorName{"SCMP_CMP_NE", SCMP_CMP_NE},   OperatorName{"SCMP_CMP_LT", SCMP_CMP_LT},
    OperatorName{"SCMP_CMP_LE", SCMP_CMP_LE},   OperatorName{"SCMP_CMP_EQ", SCMP_CMP_EQ},
    OperatorName{"SCMP_CMP_GE", SCMP_CMP_GE},   OperatorName{"SCMP_CMP_GT", SCMP_CMP_GT},
    OperatorName{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

// The architectures of runtime-spec's list that libseccomp 2.5 implements.
constexpr std::array kArchs = {
    ArchName{"SCMP_ARCH_X86", SCMP_ARCH_X86},
    ArchName{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    ArchName{"SCMP_ARCH_X32", SCMP_ARCH_X32},
    ArchName{"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    ArchName{"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    ArchName{"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    ArchName{"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    ArchName{"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    ArchName{"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    ArchName{"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    ArchName{"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    ArchName{"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    ArchName{"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    ArchName{"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    ArchName{"SCMP_ARCH_S390", SCMP_ARCH_S390},
    ArchName{"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    ArchName{"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    ArchName{"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    ArchName{"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
};

// Older kernel headers lack the newest flag; its value is fixed by the kernel ABI.
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

constexpr std::array kFlags = {
    FlagName{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    FlagName{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    FlagName{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    FlagName{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

template <typename Table>
auto find_in(const Table& table, const std::string& name) -> std::optional<typename Table::value_type> {
    for (const auto& entry : table)
        if (name == entry.name) return entry;
    return std::nullopt;
}

template <typename Table>
std::vector<std::string> names_of(const Table& table) {
    std::vector<std::string> out;
    for (const auto& entry : table) out.emplace_back(entry.name);
    return out;
}

}  // namespace

std::optional<ActionName> find_action(const std::string& name) { return find_in(kActions, name); }
std::optional<OperatorName> find_operator(const std::string& name) { return find_in(kOperators, name); }
std::optional<ArchName> find_arch(const std::string& name) { return find_in(kArchs, name); }
std::optional<FlagName> find_flag(const std::string& name) { return find_in(kFlags, name); }

std::vector<std::string> supported_actions() { return names_of(kActions); }
std::vector<std::string> supported_operators() { return names_of(kOperators); }
std::vector<std::string> supported_architectures() { return names_of(kArchs); }
std::vector<std::string> known_flags() { return names_of(kFlags); }

std::vector<std::string> supported_flags() {
    std::vector<std::string> out;
    for (const auto& f : kFlags) {
        // WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER (which ocirt adds itself
        // for SCMP_ACT_NOTIFY), so ask about the pair.
        const unsigned probe = f.bit == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
                                   ? (f.bit | SECCOMP_FILTER_FLAG_NEW_LISTENER)
                                   : f.bit;
        if (sys::seccomp_filter_flag_known(probe)) out.emplace_back(f.name);
    }
    return out;
}

}  // namespace ocirt::seccomp
