#include "ocirt/seccomp/enosys.hpp"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "ocirt/seccomp/names.hpp"

namespace ocirt::seccomp {
namespace {

/// x32 calls come with the x86_64 audit architecture and this bit in the syscall number.
constexpr uint32_t kX32Bit = 0x40000000;
constexpr uint32_t kRetEnosys = SECCOMP_RET_ERRNO | ENOSYS;

/// The highest syscall number the profile names, per audit architecture (x32 apart).
struct Highest {
    std::optional<uint32_t> native;
    std::optional<uint32_t> x32;
};

bool lets_calls_through(const spec::Seccomp& s) {
    const std::string& a = s.default_action;
    if (a == "SCMP_ACT_ALLOW" || a == "SCMP_ACT_LOG" || a == "SCMP_ACT_TRACE") return true;
    return a == "SCMP_ACT_ERRNO" && s.default_errno_ret == static_cast<uint32_t>(ENOSYS);
}

std::optional<uint32_t> highest_named(const spec::Seccomp& s, uint32_t arch) {
    std::optional<uint32_t> top;
    for (const auto& rule : s.syscalls)
        for (const auto& name : rule.names) {
            // Negative: unknown to libseccomp, or a pseudo number for a call this arch lacks.
            const int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
            if (nr >= 0) top = std::max(top.value_or(0), static_cast<uint32_t>(nr));
        }
    return top;
}

/// Builds the stub; every `ja` to the original program is patched once its length is known.
class Stub {
public:
    void add(uint16_t code, uint32_t k, uint8_t jt = 0, uint8_t jf = 0) { code_.push_back({code, jt, jf, k}); }
    /// `ja` to the first instruction of the original program.
    void jump_to_filter() {
        to_filter_.push_back(code_.size());
        add(BPF_JMP | BPF_JA, 0);
    }
    /// ENOSYS if the syscall number (in A) is above `top`, else on to the original program.
    void limit(uint32_t top) {
        add(BPF_JMP | BPF_JGT | BPF_K, top, 0, 1);
        add(BPF_RET | BPF_K, kRetEnosys);
        jump_to_filter();
    }
    size_t size() const { return code_.size(); }
    void set_k(size_t at, uint32_t k) { code_[at].k = k; }
    std::string finish() {
        for (size_t at : to_filter_) code_[at].k = static_cast<uint32_t>(code_.size() - at - 1);
        return std::string(reinterpret_cast<const char*>(code_.data()), code_.size() * sizeof(sock_filter));
    }

private:
    std::vector<sock_filter> code_;
    std::vector<size_t> to_filter_;
};

void add_section(Stub& stub, uint32_t audit_arch, const Highest& h) {
    stub.add(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
    if (audit_arch != AUDIT_ARCH_X86_64) {
        stub.limit(*h.native);
        return;
    }
    if (h.native && h.x32) {
        stub.add(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 3, 0);
        stub.limit(*h.native);
        stub.limit(*h.x32);
    } else if (h.native) {
        // x32 calls are not this filter's business: on to the original program.
        stub.add(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 2, 0);
        stub.limit(*h.native);
    } else {
        stub.add(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 1, 0);
        stub.jump_to_filter();
        stub.limit(*h.x32);
    }
}

}  // namespace

std::string with_enosys_stub(const spec::Seccomp& s, const std::string& program) {
    if (lets_calls_through(s)) return program;
    std::vector<uint32_t> arches{seccomp_arch_native()};
    for (const auto& name : s.architectures)
        if (const auto a = find_arch(name)) arches.push_back(a->scmp_arch);
    std::sort(arches.begin(), arches.end());
    arches.erase(std::unique(arches.begin(), arches.end()), arches.end());

    std::map<uint32_t, Highest> highest;  // by audit architecture, so the stub is deterministic
    for (uint32_t arch : arches) {
        const auto top = highest_named(s, arch);
        if (!top) continue;
        // libseccomp's SCMP_ARCH_X32 token is not an audit value; its calls arrive as x86_64.
        if (arch == SCMP_ARCH_X32)
            highest[AUDIT_ARCH_X86_64].x32 = top;
        else
            highest[arch].native = top;
    }
    if (highest.empty()) return program;

    // ld arch; per architecture "jeq arch, 0, 1; ja section"; ja filter; the sections.
    Stub stub;
    stub.add(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
    std::vector<size_t> section_jumps;
    for (const auto& [arch, h] : highest) {
        stub.add(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, 1);
        section_jumps.push_back(stub.size());
        stub.add(BPF_JMP | BPF_JA, 0);
    }
    stub.jump_to_filter();
    size_t i = 0;
    for (const auto& [arch, h] : highest) {
        const size_t at = section_jumps[i++];
        stub.set_k(at, static_cast<uint32_t>(stub.size() - at - 1));
        add_section(stub, arch, h);
    }
    return stub.finish() + program;
}

}  // namespace ocirt::seccomp
