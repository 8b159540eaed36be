#include <catch2/catch.hpp>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ocirt/seccomp/compile.hpp"
#include "ocirt/seccomp/enosys.hpp"

using namespace ocirt;

namespace {

constexpr uint32_t kX32Bit = 0x40000000;

/// Runs a classic seccomp BPF program on one call, as the kernel would (the subset libseccomp
/// emits for argument-less rules: absolute loads, jumps, returns).
uint32_t run(const std::string& bytes, uint32_t arch, uint32_t nr) {
    std::vector<sock_filter> prog(bytes.size() / sizeof(sock_filter));
    std::memcpy(prog.data(), bytes.data(), bytes.size());
    seccomp_data data{};
    data.nr = static_cast<int>(nr);
    data.arch = arch;
    uint32_t a = 0;
    for (size_t pc = 0; pc < prog.size(); ++pc) {
        const sock_filter& i = prog[pc];
        switch (i.code) {
            case BPF_LD | BPF_W | BPF_ABS: std::memcpy(&a, reinterpret_cast<const char*>(&data) + i.k, 4); break;
            case BPF_JMP | BPF_JA: pc += i.k; break;
            case BPF_JMP | BPF_JEQ | BPF_K: pc += a == i.k ? i.jt : i.jf; break;
            case BPF_JMP | BPF_JGT | BPF_K: pc += a > i.k ? i.jt : i.jf; break;
            case BPF_JMP | BPF_JGE | BPF_K: pc += a >= i.k ? i.jt : i.jf; break;
            case BPF_JMP | BPF_JSET | BPF_K: pc += (a & i.k) != 0 ? i.jt : i.jf; break;
            case BPF_RET | BPF_K: return i.k;
            default: FAIL("instruction " << i.code << " not handled by the test interpreter");
        }
    }
    FAIL("the program ran off its end");
    return 0;
}

spec::Seccomp allow_list(std::vector<std::string> names) {
    spec::Seccomp s;
    s.default_action = "SCMP_ACT_ERRNO";
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    s.syscalls.push_back(spec::SeccompSyscall{std::move(names), "SCMP_ACT_ALLOW", std::nullopt, {}});
    return s;
}

constexpr uint32_t kEperm = SECCOMP_RET_ERRNO | EPERM;
constexpr uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;

}  // namespace

TEST_CASE("calls above the highest named syscall get ENOSYS, per architecture") {
    // x86_64: read 0, getpid 39, pidfd_open 434 (the highest); i386: read 3, getpid 20, pidfd_open 434.
    const auto s = allow_list({"read", "getpid", "pidfd_open"});
    const std::string p = seccomp::compile_program(s);
    CHECK(run(p, AUDIT_ARCH_X86_64, 0) == SECCOMP_RET_ALLOW);
    CHECK(run(p, AUDIT_ARCH_X86_64, 434) == SECCOMP_RET_ALLOW);
    CHECK(run(p, AUDIT_ARCH_X86_64, 1) == kEperm);      // write: below, not named
    CHECK(run(p, AUDIT_ARCH_X86_64, 435) == kEnosys);   // clone3
    CHECK(run(p, AUDIT_ARCH_X86_64, 439) == kEnosys);   // faccessat2
    CHECK(run(p, AUDIT_ARCH_I386, 3) == SECCOMP_RET_ALLOW);
    CHECK(run(p, AUDIT_ARCH_I386, 4) == kEperm);
    CHECK(run(p, AUDIT_ARCH_I386, 435) == kEnosys);
    CHECK(run(p, AUDIT_ARCH_X86_64, kX32Bit | 0) == SECCOMP_RET_ALLOW);  // x32 read
    CHECK(run(p, AUDIT_ARCH_X86_64, kX32Bit | 1) == kEperm);
    CHECK(run(p, AUDIT_ARCH_X86_64, kX32Bit | 435) == kEnosys);
}

TEST_CASE("without x32 in the filter, x32 calls are left to libseccomp's program") {
    auto s = allow_list({"read", "pidfd_open"});
    s.architectures = {"SCMP_ARCH_X86_64"};
    const std::string p = seccomp::compile_program(s);
    CHECK(run(p, AUDIT_ARCH_X86_64, 500) == kEnosys);
    CHECK(run(p, AUDIT_ARCH_X86_64, kX32Bit | 500) != kEnosys);
}

TEST_CASE("no stub when the default lets calls through or already answers ENOSYS") {
    auto s = allow_list({"read"});
    s.default_action = "SCMP_ACT_ALLOW";
    s.syscalls[0].action = "SCMP_ACT_ERRNO";
    const std::string program = "12345678";
    CHECK(seccomp::with_enosys_stub(s, program) == program);
    s = allow_list({"read"});
    s.default_errno_ret = ENOSYS;
    CHECK(seccomp::with_enosys_stub(s, program) == program);
    s = allow_list({"read"});
    CHECK(seccomp::with_enosys_stub(s, program) != program);
    s.syscalls.clear();  // nothing named: nothing to compare with
    CHECK(seccomp::with_enosys_stub(s, program) == program);
}
