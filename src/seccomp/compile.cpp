#include "ocirt/seccomp/compile.hpp"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <array>
#include <memory>

#include "ocirt/seccomp/enosys.hpp"
#include "ocirt/seccomp/names.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::seccomp {
namespace {

constexpr uint32_t kDefaultRet = EPERM;  // errnoRet when absent, as runc
constexpr size_t kMaxArgs = 6;           // syscall arguments the kernel passes to a filter

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct CtxDeleter {
    void operator()(void* ctx) const noexcept { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

/// The libseccomp action value for `name` with its errnoRet; the name was checked before.
uint32_t action_value(const std::string& name, std::optional<uint32_t> ret) {
    const auto a = find_action(name);
    if (!a) fail("unknown seccomp action \"{}\"", name);
    if (!a->takes_ret) return a->scmp_action;
    // SCMP_ACT_ERRNO(x) and SCMP_ACT_TRACE(x) keep the low 16 bits as the return data.
    return a->scmp_action | (ret.value_or(kDefaultRet) & 0xffff);
}

void check_action(const std::string& pointer, const std::string& name, std::optional<uint32_t> ret) {
    const auto a = find_action(name);
    if (!a) fail("{}: unknown seccomp action \"{}\"", pointer, name);
    if (ret && !a->takes_ret)
        fail("{}: an errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {}", pointer, name);
    if (ret && *ret > 0xffff) fail("{}: errnoRet {} does not fit the 16 bits the kernel returns", pointer, *ret);
}

bool is_notify(const std::string& action) { return action == "SCMP_ACT_NOTIFY"; }

}  // namespace

void check_seccomp(const spec::Seccomp& s) {
    check_action("/linux/seccomp/defaultAction", s.default_action, s.default_errno_ret);
    // Every syscall the runtime still makes after loading (and every syscall of the program)
    // would wait for an agent that cannot be reached yet: runc refuses it as well.
    if (is_notify(s.default_action)) fail("/linux/seccomp/defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    for (size_t i = 0; i < s.architectures.size(); ++i)
        if (!find_arch(s.architectures[i]))
            fail("/linux/seccomp/architectures/{}: unknown architecture \"{}\"", i, s.architectures[i]);
    for (size_t i = 0; i < s.flags.size(); ++i)
        if (!find_flag(s.flags[i])) fail("/linux/seccomp/flags/{}: unknown flag \"{}\"", i, s.flags[i]);
    for (size_t i = 0; i < s.syscalls.size(); ++i) {
        const spec::SeccompSyscall& c = s.syscalls[i];
        const std::string at = fmt::format("/linux/seccomp/syscalls/{}", i);
        if (c.names.empty()) fail("{}/names: must name at least one syscall", at);
        check_action(at + "/action", c.action, c.errno_ret);
        if (is_notify(c.action))
            for (const auto& n : c.names)
                // ocirt writes the listener fd and its readiness over a socket after loading.
                if (n == "write" || n == "sendmsg")
                    fail("{}/names: SCMP_ACT_NOTIFY cannot be used for {}: ocirt needs it to hand over the listener", at, n);
        for (size_t j = 0; j < c.args.size(); ++j) {
            const spec::SeccompArg& a = c.args[j];
            if (a.index >= kMaxArgs) fail("{}/args/{}/index: {} is not an argument index (0..5)", at, j, a.index);
            if (!find_operator(a.op)) fail("{}/args/{}/op: unknown operator \"{}\"", at, j, a.op);
        }
    }
    if (!s.listener_path && uses_notify(s))
        fail("/linux/seccomp/listenerPath: SCMP_ACT_NOTIFY needs a listenerPath to send the notify fd to");
    for (size_t i = 0; i < s.flags.size(); ++i)
        if (s.flags[i] == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" && !uses_notify(s))
            fail("/linux/seccomp/flags/{}: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule", i);
}

bool uses_notify(const spec::Seccomp& s) {
    for (const auto& c : s.syscalls)
        if (is_notify(c.action)) return true;
    return false;
}

unsigned filter_flags(const spec::Seccomp& s) {
    unsigned flags = 0;
    for (const auto& name : s.flags)
        if (const auto f = find_flag(name)) flags |= f->bit;
    if (uses_notify(s)) {
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        // With both, a failed thread sync would return a thread ID where the listener fd is
        // expected; the kernel therefore insists on TSYNC_ESRCH.
        if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
    return flags;
}

std::string compile_program(const spec::Seccomp& s) {
    const uint32_t default_action = action_value(s.default_action, s.default_errno_ret);
    Ctx ctx(seccomp_init(default_action));
    if (!ctx) fail("/linux/seccomp/defaultAction: libseccomp rejects {}", s.default_action);
    for (size_t i = 0; i < s.architectures.size(); ++i) {
        const int r = seccomp_arch_add(ctx.get(), find_arch(s.architectures[i])->scmp_arch);
        // libseccomp keeps one byte order per filter: the native one.
        if (r == -EDOM)
            fail("/linux/seccomp/architectures/{}: {} has another byte order than this host's architecture", i,
                 s.architectures[i]);
        if (r < 0 && r != -EEXIST) throw_error_code(-r, "/linux/seccomp/architectures/{}: add {}", i, s.architectures[i]);
    }
    for (size_t i = 0; i < s.syscalls.size(); ++i) {
        const spec::SeccompSyscall& c = s.syscalls[i];
        const uint32_t action = action_value(c.action, c.errno_ret);
        // libseccomp refuses a rule that repeats the default action; it would change nothing.
        if (action == default_action) continue;
        std::vector<scmp_arg_cmp> conds;
        std::array<int, kMaxArgs> per_index{};
        for (const auto& a : c.args) {
            conds.push_back(scmp_arg_cmp{a.index, static_cast<scmp_compare>(find_operator(a.op)->scmp_compare), a.value,
                                         a.value_two.value_or(0)});
            ++per_index[a.index];
        }
        // libseccomp ANDs the conditions of one rule and cannot hold two on the same argument;
        // runc then adds one rule per condition (they OR), which profiles such as Docker's
        // rely on. Do the same.
        bool split = false;
        for (const int n : per_index) split = split || n > 1;
        for (const auto& name : c.names) {
            const int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) {
                log::debug("/linux/seccomp/syscalls/{}: skipping unknown syscall {}", i, name);
                continue;
            }
            auto add = [&](const scmp_arg_cmp* first, unsigned count) {
                const int r = seccomp_rule_add_array(ctx.get(), action, nr, count, first);
                if (r < 0) throw_error_code(-r, "/linux/seccomp/syscalls/{}: rule for {}", i, name);
            };
            if (split)
                for (const auto& cond : conds) add(&cond, 1);
            else
                add(conds.data(), static_cast<unsigned>(conds.size()));
        }
    }
    sys::Fd out = sys::scratch_memfd("ocirt-seccomp");
    if (const int r = seccomp_export_bpf(ctx.get(), out.get()); r < 0) throw_error_code(-r, "/linux/seccomp: export the BPF program");
    const std::string program = with_enosys_stub(s, sys::read_from_start(out.get(), 1u << 20));
    const size_t count = program.size() / sizeof(sock_filter);
    if (count > BPF_MAXINSNS)
        fail("/linux/seccomp: the filter compiles to {} BPF instructions, the kernel takes at most {}", count, BPF_MAXINSNS);
    return program;
}

}  // namespace ocirt::seccomp
